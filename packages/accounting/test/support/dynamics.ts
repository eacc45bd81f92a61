import type { ExportRecord } from '@meander/domain';
import { DEMO_DYNAMICS_BALANCING_ACCOUNT, type RunningEmulators } from '../../src/emulators/index.js';
import { documentNumberFor } from '../../src/index.js';

/**
 * How many times each record was posted, counted in the emulator's G/L entries (not in our log):
 * expense-side entries carrying the record's key — at the start of the description (what posting
 * keeps, whatever a Posting No. Series does to the document number) or as document number.
 */
export function postedCounts(emulators: RunningEmulators, records: readonly Pick<ExportRecord, 'id'>[]) {
  const entries = emulators.ledger('dynamics');
  return new Map(
    records.map((r) => {
      const documentNumber = documentNumberFor(r.id);
      return [
        r.id,
        entries.filter(
          (e) =>
            (e.documentNumber === documentNumber || e.description.startsWith(documentNumber)) &&
            e.accountNumber !== DEMO_DYNAMICS_BALANCING_ACCOUNT,
        ).length,
      ];
    }),
  );
}

/** True when every record was posted exactly once. */
export function eachPostedOnce(
  emulators: RunningEmulators,
  records: readonly Pick<ExportRecord, 'id'>[],
): boolean {
  return [...postedCounts(emulators, records).values()].every((n) => n === 1);
}

/** A raw client for requests copied from MS Learn: a token, then `api(path, init)` under `/api/v2.0/`. */
export async function rawClient(emulators: RunningEmulators) {
  const c = emulators.connections.dynamics;
  const token = await fetch(c.tokenUrl, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: c.clientId,
      client_secret: c.clientSecret,
      scope: 'https://api.businesscentral.dynamics.com/.default',
    }),
  }).then((r) => r.json() as Promise<{ access_token: string }>);
  const api = async (
    path: string,
    init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
  ) => {
    const response = await fetch(`${c.baseUrl}/api/v2.0/${path}`, {
      method: init.method ?? 'GET',
      headers: {
        authorization: `Bearer ${token.access_token}`,
        'content-type': 'application/json',
        ...init.headers,
      },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
    const text = await response.text();
    return {
      status: response.status,
      // biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON the emulator answers.
      body: text === '' ? undefined : (JSON.parse(text) as Record<string, any>),
    };
  };
  return { api, company: `companies(${c.companyId})` };
}
