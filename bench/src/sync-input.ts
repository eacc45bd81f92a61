/**
 * The sync every API benchmark's write cycle records, server side and in the load client alike
 * (which imports nothing heavier than this, so its process stays the cheapest client Node has).
 */

/** The sync every write cycle creates (its organization is the caller's). */
export const NEW_SYNC = {
  accountingSystem: 'xledger',
  syncType: 'api',
  recordsTotal: 10,
  periodStart: '2026-01-01T00:00:00.000Z',
  periodEnd: '2026-01-31T23:59:59.999Z',
} as const;

/** How every write cycle completes its sync. */
export const COMPLETION = { recordsSynced: 10, recordsFailed: 0, externalReferenceId: '42' } as const;
