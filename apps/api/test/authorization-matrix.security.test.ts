import { randomUUID } from 'node:crypto';
import { DIALECTS } from '@meander/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiFixture,
  createApiFixture,
  dataOf,
  EVERYONE,
  failure,
  PERIOD,
  type Who,
} from './fixtures.js';

type Expect = 200 | 401 | 403 | 404;
interface Case {
  path: string;
  kind: 'query' | 'mutation';
  /** Fresh state for one call; returns the input. */
  setup: (f: ApiFixture) => Promise<unknown>;
  allowed: Who[];
  /** What a denied principal gets (401 for no token is implied). */
  denied?: Partial<Record<Who, Expect>>;
}

/** Fail whatever is active in the organization, so the next sync may start. */
async function freeOrganization(f: ApiFixture, organizationId: string): Promise<void> {
  const active = await f.db.syncLogs.getActive(organizationId);
  if (active) await f.db.syncLogs.fail({ id: active.id, errorDetails: failure() });
}

async function pending(f: ApiFixture): Promise<string> {
  await freeOrganization(f, f.orgId);
  const { syncLog } = await f.db.syncLogs.create(
    {
      organizationId: f.orgId,
      accountingSystem: 'xledger',
      syncType: 'api',
      recordsTotal: 1,
      ...PERIOD,
    },
    { runner: 'external' },
  );
  return syncLog.id;
}
async function running(f: ApiFixture): Promise<string> {
  const id = await pending(f);
  await f.db.syncLogs.start(id);
  return id;
}
async function partial(f: ApiFixture): Promise<string> {
  const id = await running(f);
  await f.db.syncLogs.complete({ id, recordsSynced: 0, recordsFailed: 1, errorDetails: failure(['rec-1']) });
  return id;
}

function anExpenseRecord() {
  return {
    id: randomUUID(),
    version: 1,
    kind: 'expense_claim',
    employeeNumber: 'E001',
    bookingDate: '2026-10-05',
    currency: 'NOK',
    lines: [{ account: '7140', amountMinor: 100, vatCode: 'ZERO', vatAmountMinor: 0 }],
  };
}
async function storedExpenseRecord(f: ApiFixture): Promise<string> {
  const record = anExpenseRecord();
  await f.db.expenseRecords.upsert(f.orgId, [record]);
  return record.id;
}

const ADMINS: Who[] = ['orgAdminOwn', 'globalAdmin', 'globalAdminViaAudit'];
const READERS: Who[] = [...ADMINS, 'service'];

const CASES: Case[] = [
  {
    path: 'organizations.create',
    kind: 'mutation',
    setup: async () => ({ name: `Org ${Math.random()}` }),
    allowed: ['globalAdmin', 'globalAdminViaAudit'],
  },
  {
    path: 'organizations.configureAccounting',
    kind: 'mutation',
    setup: async (f) => ({ organizationId: f.disabledOrgId, enabled: false, accountingSystem: 'xledger' }),
    allowed: ['globalAdmin', 'globalAdminViaAudit'],
  },
  {
    path: 'organizations.list',
    kind: 'query',
    setup: async () => undefined,
    allowed: [...READERS, 'orgAdminOther'],
  },
  {
    path: 'organizations.get',
    kind: 'query',
    setup: async (f) => ({ id: f.orgId }),
    allowed: READERS,
    denied: { orgAdminOther: 404 },
  },
  {
    path: 'syncLogs.list',
    kind: 'query',
    setup: async (f) => ({ organizationId: f.orgId }),
    allowed: READERS,
  },
  {
    path: 'syncLogs.get',
    kind: 'query',
    setup: async (f) => ({ id: await partial(f) }),
    allowed: READERS,
    denied: { orgAdminOther: 404 },
  },
  {
    path: 'syncLogs.create',
    kind: 'mutation',
    setup: async (f) => {
      await freeOrganization(f, f.orgId);
      return {
        organizationId: f.orgId,
        accountingSystem: 'xledger',
        syncType: 'api',
        recordsTotal: 1,
        ...PERIOD,
      };
    },
    allowed: ['service'],
  },
  {
    path: 'syncLogs.start',
    kind: 'mutation',
    setup: async (f) => ({ id: await pending(f) }),
    allowed: ['service'],
  },
  {
    path: 'syncLogs.reportProgress',
    kind: 'mutation',
    setup: async (f) => ({ id: await running(f), recordsSynced: 1, recordsFailed: 0 }),
    allowed: ['service'],
  },
  {
    path: 'syncLogs.complete',
    kind: 'mutation',
    setup: async (f) => ({ id: await running(f), recordsSynced: 1, recordsFailed: 0 }),
    allowed: ['service'],
  },
  {
    path: 'syncLogs.fail',
    kind: 'mutation',
    setup: async (f) => ({ id: await running(f), errorDetails: failure() }),
    allowed: ['service'],
  },
  {
    path: 'syncLogs.delete',
    kind: 'mutation',
    setup: async (f) => ({
      id: await partial(f),
      reason: 'Data subject request 7',
      legalBasis: 'data_subject_request',
    }),
    allowed: ['globalAdminViaAudit'],
  },
  {
    path: 'syncs.startExport',
    kind: 'mutation',
    setup: async (f) => {
      await freeOrganization(f, f.orgId);
      return { organizationId: f.orgId, ...PERIOD };
    },
    allowed: ADMINS,
  },
  {
    path: 'syncs.push',
    kind: 'mutation',
    setup: async (f) => {
      await freeOrganization(f, f.orgId);
      return { organizationId: f.orgId, idempotencyKey: `k-${Math.random()}`, ...PERIOD };
    },
    allowed: [...ADMINS, 'service'],
  },
  {
    path: 'expenseRecords.upsert',
    kind: 'mutation',
    setup: async (f) => ({ organizationId: f.orgId, records: [anExpenseRecord()] }),
    allowed: ['service'],
  },
  {
    path: 'expenseRecords.withdraw',
    kind: 'mutation',
    setup: async (f) => ({ organizationId: f.orgId, ids: [await storedExpenseRecord(f)] }),
    allowed: ['service'],
  },
  {
    path: 'expenseRecords.list',
    kind: 'query',
    setup: async (f) => ({ organizationId: f.orgId }),
    allowed: ADMINS,
  },
  {
    path: 'expenseRecords.get',
    kind: 'query',
    setup: async (f) => ({ id: await storedExpenseRecord(f) }),
    allowed: ADMINS,
    denied: { orgAdminOther: 404 },
  },
  { path: 'resync.plan', kind: 'query', setup: async (f) => ({ organizationId: f.orgId }), allowed: READERS },
  {
    path: 'resync.start',
    kind: 'mutation',
    setup: async (f) => ({ syncLogId: await partial(f) }),
    allowed: ADMINS,
    denied: { orgAdminOther: 404 },
  },
  {
    path: 'syncs.reverse',
    kind: 'mutation',
    setup: async (f) => ({ syncLogId: await partial(f), reason: 'Wrong period' }),
    allowed: ADMINS,
    denied: { orgAdminOther: 404 },
  },
  {
    path: 'syncs.reversalOf',
    kind: 'query',
    setup: async (f) => ({ syncLogId: await partial(f) }),
    allowed: READERS,
    denied: { orgAdminOther: 404 },
  },
  {
    path: 'monitoring.overview',
    kind: 'query',
    setup: async (f) => ({ organizationId: f.orgId }),
    allowed: READERS,
  },
  {
    path: 'audit.verify',
    kind: 'query',
    setup: async (f) => ({ organizationId: f.orgId }),
    allowed: READERS,
  },
  {
    path: 'audit.evidence',
    kind: 'query',
    setup: async (f) => ({
      organizationId: f.orgId,
      from: '2000-01-01T00:00:00.000Z',
      to: '2100-01-01T00:00:00.000Z',
    }),
    allowed: READERS,
  },
];

describe.each(DIALECTS)('authorization matrix on %s', (dialect) => {
  let f: ApiFixture;
  beforeAll(async () => {
    f = await createApiFixture(dialect);
  });
  afterAll(async () => {
    await f?.drop();
  });

  const cells = CASES.flatMap((c) => EVERYONE.map((who) => [c.path, who, c] as const));
  it.each(cells)('%s as %s', async (_path, who, c) => {
    const input = await c.setup(f);
    const res = c.kind === 'query' ? await f.query(c.path, input, who) : await f.mutate(c.path, input, who);
    const expected: Expect = who === 'none' ? 401 : c.allowed.includes(who) ? 200 : (c.denied?.[who] ?? 403);
    expect({ status: res.status, domainCode: res.body.error?.data.domainCode ?? null }).toEqual({
      status: expected,
      domainCode:
        expected === 200
          ? null
          : expected === 401
            ? 'UNAUTHENTICATED'
            : expected === 403
              ? 'FORBIDDEN'
              : 'NOT_FOUND',
    });
  });

  it('never shows an org admin another organization’s rows in a list', async () => {
    await partial(f);
    const res = await f.query('syncLogs.list', {}, 'orgAdminOther');
    expect(res.status).toBe(200);
    const items = dataOf<{ items: { organizationId: string }[] }>(res).items;
    expect(items.every((i) => i.organizationId === f.otherOrgId)).toBe(true);
    const overview = await f.query('monitoring.overview', {}, 'orgAdminOther');
    expect(
      dataOf<{ organizationId: string }[]>(overview).every((e) => e.organizationId === f.otherOrgId),
    ).toBe(true);
  });
});
