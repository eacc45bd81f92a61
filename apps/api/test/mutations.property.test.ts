import { DIALECTS } from '@meander/db/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiFixture, createApiFixture, PERIOD, type Who } from './fixtures.js';

/** Random values of every JSON shape, plus near-misses of the valid ones. */
const anything = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(
    '',
    'null',
    '2026-13-45T99:00:00Z',
    '00000000-0000-0000-0000-000000000000',
    '\u0000',
    '💥',
    '-1',
    'x'.repeat(5_000),
  ),
  fc.integer({ min: -2_147_483_649, max: 2_147_483_649 }),
  fc.double(),
);

const MUTATIONS: { path: string; who: Who; valid: (f: ApiFixture) => Record<string, unknown> }[] = [
  {
    path: 'syncLogs.create',
    who: 'service',
    valid: (f) => ({
      organizationId: f.otherOrgId,
      accountingSystem: 'xledger',
      syncType: 'api',
      recordsTotal: 1,
      ...PERIOD,
    }),
  },
  {
    path: 'syncLogs.complete',
    who: 'service',
    valid: () => ({ id: crypto.randomUUID(), recordsSynced: 1, recordsFailed: 0 }),
  },
  {
    path: 'syncLogs.fail',
    who: 'service',
    valid: () => ({
      id: crypto.randomUUID(),
      errorDetails: { code: 'X', message: 'x', category: 'unknown', retryable: false },
    }),
  },
  {
    path: 'syncLogs.reportProgress',
    who: 'service',
    valid: () => ({ id: crypto.randomUUID(), recordsSynced: 1, recordsFailed: 0 }),
  },
  {
    path: 'syncs.push',
    who: 'service',
    valid: (f) => ({ organizationId: f.otherOrgId, idempotencyKey: 'k', ...PERIOD }),
  },
  {
    path: 'syncs.startExport',
    who: 'globalAdmin',
    valid: (f) => ({ organizationId: f.otherOrgId, ...PERIOD }),
  },
  {
    path: 'syncLogs.delete',
    who: 'globalAdminViaAudit',
    valid: () => ({ id: crypto.randomUUID(), reason: 'why not', legalBasis: 'compliance' }),
  },
  { path: 'organizations.create', who: 'globalAdmin', valid: () => ({ name: 'Org' }) },
];

async function rowCount(f: ApiFixture): Promise<number> {
  const all = await f.db.syncLogs.list({ limit: 200 });
  return all.items.length;
}

describe.each(DIALECTS)('random and malformed input on %s', (dialect) => {
  let f: ApiFixture;
  beforeAll(async () => {
    f = await createApiFixture(dialect);
  });
  afterAll(async () => {
    await f?.drop();
  });

  it.each(MUTATIONS)(
    '$path answers a typed 4xx or success, never a 5xx, and writes only on success',
    async ({ path, who, valid }) => {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            anything,
            // A valid input with one field replaced or one extra field added.
            fc
              .tuple(fc.string({ maxLength: 20 }), anything)
              .map(([key, value]) => ({ ...valid(f), [key]: value })),
            fc
              .tuple(fc.constantFrom(...Object.keys(valid(f))), anything)
              .map(([key, value]) => ({ ...valid(f), [key]: value })),
          ),
          async (input) => {
            const before = await rowCount(f);
            const res = await f.mutate(path, input, who);
            expect(res.status).toBeLessThan(500);
            if (res.status >= 400) {
              expect(res.body.error?.data.domainCode).toEqual(expect.any(String));
              expect(await rowCount(f)).toBe(before);
            }
            // Keep the organization free for the next run.
            const active = await f.db.syncLogs.getActive(f.otherOrgId);
            if (active)
              await f.db.syncLogs.fail({
                id: active.id,
                errorDetails: { code: 'RESET', message: 'reset', category: 'unknown', retryable: false },
              });
          },
        ),
        { numRuns: 60 },
      );
    },
  );
});
