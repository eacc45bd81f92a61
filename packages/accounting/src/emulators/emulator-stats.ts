/** What an emulator has seen since start or the last reset — for tests that count requests. */
export interface EmulatorStats {
  /** API requests (token and control requests excluded). */
  requests: number;
  /** API requests that could change the ledger. */
  writes: number;
  tokenRequests: number;
  throttled: number;
  serverErrors: number;
  malformed: number;
  dropped: number;
  authFailures: number;
  /** Items accepted into the ledger. */
  itemsPosted: number;
  /** Items refused by validation or a rule. */
  itemsRejected: number;
  /** Items refused because the ledger already held their external key. */
  duplicatesRefused: number;
}

export function emptyStats(): EmulatorStats {
  return {
    requests: 0,
    writes: 0,
    tokenRequests: 0,
    throttled: 0,
    serverErrors: 0,
    malformed: 0,
    dropped: 0,
    authFailures: 0,
    itemsPosted: 0,
    itemsRejected: 0,
    duplicatesRefused: 0,
  };
}
