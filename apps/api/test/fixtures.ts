import { randomUUID } from 'node:crypto';
import type { Database, Dialect } from '@meander/db';
import { createTestDatabase, type TestDatabase } from '@meander/db/testing';
import { type AppDeps, createApp } from '../src/app.js';
import { signToken, type TokenClaims } from '../src/auth/tokens.js';

export const SECRET = 'test-secret-0123456789abcdef';

/** The principals of the authorization matrix. */
export type Who =
  | 'none'
  | 'orgAdminOwn'
  | 'orgAdminOther'
  | 'globalAdmin'
  | 'globalAdminViaAudit'
  | 'service';
export const EVERYONE: Who[] = [
  'none',
  'orgAdminOwn',
  'orgAdminOther',
  'globalAdmin',
  'globalAdminViaAudit',
  'service',
];

export interface ApiFixture {
  t: TestDatabase;
  db: Database;
  app: ReturnType<typeof createApp>['app'];
  orgId: string;
  otherOrgId: string;
  disabledOrgId: string;
  users: Record<Exclude<Who, 'none'>, string>;
  tokens: Record<Who, string | null>;
  /** POST a mutation; returns status and parsed body. */
  mutate(path: string, input: unknown, who: Who): Promise<{ status: number; body: TrpcBody }>;
  /** GET a query; returns status and parsed body. */
  query(path: string, input: unknown, who: Who): Promise<{ status: number; body: TrpcBody }>;
  drop(): Promise<void>;
}

export interface TrpcBody {
  result?: { data: unknown };
  error?: {
    message: string;
    data: {
      code: string;
      httpStatus: number;
      domainCode: string | null;
      issues: { rule: string; severity: string; path: (string | number)[]; message: string }[];
    };
  };
}

export async function createApiFixture(
  dialect: Dialect,
  appOptions: Partial<Omit<AppDeps, 'db' | 'jwtSecret'>> = {},
): Promise<ApiFixture> {
  const t = await createTestDatabase(dialect);
  const db = t.db;
  const org = await db.organizations.create({ name: 'Nordlys AS' });
  const other = await db.organizations.create({ name: 'Fjordvik Consulting' });
  const disabled = await db.organizations.create({ name: 'Stille Drift AS' });
  for (const [o, enabled] of [
    [org, true],
    [other, true],
    [disabled, false],
  ] as const) {
    await db.organizations.configureAccounting({
      organizationId: o.id,
      enabled,
      config: {
        accountingSystem: 'xledger',
        schedule: { cron: '0 2 * * *', timezone: 'Europe/Oslo' },
        connection: { baseUrl: 'http://127.0.0.1:9/xledger/graphql', apiToken: 'x' },
      },
    });
  }
  await db.expenseRecords.insertMany(
    Array.from({ length: 12 }, (_, i) => ({
      organizationId: org.id,
      kind: 'expense_claim' as const,
      amountMinor: 1_000 + i,
      currency: 'NOK',
      bookingDate: `2026-10-${String(i + 1).padStart(2, '0')}`,
      account: '7100',
      approvalState: i < 10 ? ('approved' as const) : ('draft' as const),
    })),
  );
  const users = {
    orgAdminOwn: randomUUID(),
    orgAdminOther: randomUUID(),
    globalAdmin: randomUUID(),
    globalAdminViaAudit: randomUUID(),
    service: randomUUID(),
  };
  const claims: Record<Exclude<Who, 'none'>, TokenClaims> = {
    orgAdminOwn: { sub: users.orgAdminOwn, role: 'org_admin', org: org.id },
    orgAdminOther: { sub: users.orgAdminOther, role: 'org_admin', org: other.id },
    globalAdmin: { sub: users.globalAdmin, role: 'global_admin' },
    globalAdminViaAudit: { sub: users.globalAdminViaAudit, role: 'global_admin', via: 'audit-log-service' },
    service: { sub: users.service, role: 'service' },
  };
  const tokens = { none: null } as Record<Who, string | null>;
  for (const [who, c] of Object.entries(claims)) tokens[who as Who] = await signToken(c, SECRET);
  // The app's database handle signs a checkpoint after every seal; fixtures seal through it too.
  const { app, inner } = createApp({
    db,
    jwtSecret: SECRET,
    progressPollMs: 20,
    // Behaviour tests write far faster than any person; the limiter still runs on every mutation,
    // and request-limits.http.test.ts tests it at its real size.
    writeRateLimit: { points: 1_000_000, windowSeconds: 60 },
    ...appOptions,
  });

  const headers = (who: Who, json: boolean): Record<string, string> => ({
    ...(json ? { 'content-type': 'application/json' } : {}),
    ...(tokens[who] ? { authorization: `Bearer ${tokens[who]}` } : {}),
  });
  const read = async (res: Response) => ({ status: res.status, body: (await res.json()) as TrpcBody });
  return {
    t,
    db: inner.db,
    app,
    orgId: org.id,
    otherOrgId: other.id,
    disabledOrgId: disabled.id,
    users,
    tokens,
    mutate: async (path, input, who) =>
      read(
        await app.request(`/trpc/${path}`, {
          method: 'POST',
          headers: headers(who, true),
          body: JSON.stringify(input),
        }),
      ),
    query: async (path, input, who) =>
      read(
        await app.request(
          `/trpc/${path}${input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`}`,
          { headers: headers(who, false) },
        ),
      ),
    drop: () => t.drop(),
  };
}

export const PERIOD = {
  periodStart: '2026-10-01T00:00:00.000Z',
  periodEnd: '2026-10-31T23:59:59.999Z',
} as const;

export const failure = (recordIds: string[] = []) => ({
  code: 'REJECTED',
  message: 'Rejected by the ledger',
  category: 'validation' as const,
  retryable: false,
  recordFailures: recordIds.map((recordId) => ({
    recordId,
    code: 'ACCOUNT_CLOSED',
    reason: 'Account closed',
  })),
});

/** The `data` of a successful tRPC answer (throws with the error when there is none). */
export function dataOf<T = Record<string, unknown>>(res: { status: number; body: TrpcBody }): T {
  if (!res.body.result)
    throw new Error(`expected success, got ${res.status}: ${JSON.stringify(res.body.error)}`);
  return res.body.result.data as T;
}
