import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { DIALECTS } from '@meander/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../src/auth/tokens.js';
import { readApiEnv } from '../src/env.js';
import { DEFAULT_MAX_BATCH_SIZE, DEFAULT_WRITE_RATE_LIMIT } from '../src/rate-limit.js';
import { type RunningApi, startApiServer } from '../src/server.js';
import { type ApiFixture, createApiFixture, PERIOD, SECRET, type TrpcBody } from './fixtures.js';

type ErrorBody = Required<Pick<TrpcBody, 'error'>>['error'] & {
  data: TrpcBody['error'] extends infer E
    ? E extends { data: infer D }
      ? D & { retryAfterSeconds?: number }
      : never
    : never;
};

/** `n` calls of `path` as one tRPC batch: the URL and the body tRPC's batch links send. */
function batch(path: string, inputs: unknown[]): { url: string; body: string } {
  return {
    url: `/trpc/${inputs.map(() => path).join(',')}?batch=1`,
    body: JSON.stringify(Object.fromEntries(inputs.map((input, i) => [String(i), input]))),
  };
}

describe.each(DIALECTS)('tRPC batch size cap on %s', (dialect) => {
  let f: ApiFixture;
  beforeAll(async () => {
    f = await createApiFixture(dialect);
  });
  afterAll(async () => {
    await f?.drop();
  });

  const auth = (who: 'globalAdmin' | 'orgAdminOwn') => ({ authorization: `Bearer ${f.tokens[who]}` });

  it('refuses a batch of 600 organizations.create with a typed 400 and writes nothing', async () => {
    const before = (await f.db.organizations.list()).length;
    const { url, body } = batch(
      'organizations.create',
      Array.from({ length: 600 }, (_, i) => ({ name: `Batch org ${i}` })),
    );
    const res = await f.app.request(url, {
      method: 'POST',
      headers: { ...auth('globalAdmin'), 'content-type': 'application/json' },
      body,
    });
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: ErrorBody };
    expect(error.data).toMatchObject({
      code: 'BAD_REQUEST',
      httpStatus: 400,
      domainCode: 'VALIDATION_FAILED',
      issues: [{ rule: 'max_batch_size', severity: 'error', path: [] }],
    });
    expect(error.message).toContain(`at most ${DEFAULT_MAX_BATCH_SIZE} calls`);
    expect(error.message).toContain('600');
    expect((await f.db.organizations.list()).length).toBe(before);
  });

  it('refuses 700 overview queries in one GET, also with commas percent-encoded', async () => {
    const inputs = Array.from({ length: 700 }, () => ({}));
    const plain = batch('monitoring.overview', inputs).url;
    const encoded = plain.replaceAll(',', '%2C');
    for (const url of [plain, encoded]) {
      const res = await f.app.request(`${url}&input=${encodeURIComponent(JSON.stringify({}))}`, {
        headers: auth('globalAdmin'),
      });
      expect(res.status).toBe(400);
      const { error } = (await res.json()) as { error: ErrorBody };
      expect(error.data.issues[0]?.rule).toBe('max_batch_size');
    }
  });

  it('serves a batch at the cap, every call answered', async () => {
    const inputs = Array.from({ length: DEFAULT_MAX_BATCH_SIZE }, () => ({ organizationId: f.orgId }));
    const { url } = batch('syncLogs.list', inputs);
    const input = encodeURIComponent(
      JSON.stringify(Object.fromEntries(inputs.map((value, i) => [String(i), value]))),
    );
    const res = await f.app.request(`${url}&input=${input}`, { headers: auth('orgAdminOwn') });
    expect(res.status).toBe(200);
    const answers = (await res.json()) as TrpcBody[];
    expect(answers).toHaveLength(DEFAULT_MAX_BATCH_SIZE);
    expect(
      answers.every((a) => Array.isArray((a.result?.data as { items?: unknown[] } | undefined)?.items)),
    ).toBe(true);
  });

  it('takes its cap from the app options', async () => {
    const small = await createApiFixture(dialect, { maxBatchSize: 2 });
    try {
      const two = batch('organizations.create', [{ name: 'Two a' }, { name: 'Two b' }]);
      const three = batch('organizations.create', [
        { name: 'Three a' },
        { name: 'Three b' },
        { name: 'Three c' },
      ]);
      const post = (b: { url: string; body: string }) =>
        small.app.request(b.url, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${small.tokens.globalAdmin}`,
            'content-type': 'application/json',
          },
          body: b.body,
        });
      expect((await post(two)).status).toBe(200);
      expect((await post(three)).status).toBe(400);
      const names = (await small.db.organizations.list()).map((o) => o.name);
      expect(names.filter((n) => n.startsWith('Two '))).toHaveLength(2);
      expect(names.filter((n) => n.startsWith('Three '))).toHaveLength(0);
    } finally {
      await small.drop();
    }
  });
});

describe.each(DIALECTS)('per-principal write rate limit over HTTP on %s', (dialect) => {
  let f: ApiFixture;
  let api: RunningApi;
  const LIMIT = 3;
  beforeAll(async () => {
    f = await createApiFixture(dialect);
    api = await startApiServer({
      db: f.db,
      port: 0,
      jwtSecret: SECRET,
      writeRateLimit: { points: LIMIT, windowSeconds: 30 },
    });
  });
  afterAll(async () => {
    await api?.close();
    await f?.drop();
  });

  async function call(
    path: string,
    init: { token: string | null; input?: unknown; method?: 'GET' | 'POST'; batch?: boolean },
  ): Promise<{ status: number; retryAfter: string | null; body: unknown }> {
    const headers: Record<string, string> = init.token ? { authorization: `Bearer ${init.token}` } : {};
    const method = init.method ?? 'POST';
    const query = init.batch ? '?batch=1' : '';
    const res =
      method === 'POST'
        ? await fetch(`${api.url}/trpc/${path}${query}`, {
            method,
            headers: { ...headers, 'content-type': 'application/json' },
            body: JSON.stringify(init.input ?? {}),
          })
        : await fetch(
            `${api.url}/trpc/${path}?input=${encodeURIComponent(JSON.stringify(init.input ?? {}))}`,
            {
              headers,
            },
          );
    return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.json() };
  }

  it('answers 429 with Retry-After once a principal used its window, writes nothing more, and leaves others alone', async () => {
    const admin = await signToken({ sub: randomUUID(), role: 'global_admin' }, SECRET);
    const names = Array.from({ length: LIMIT + 2 }, (_, i) => `Limited ${dialect} ${i}`);
    const results = [];
    for (const name of names)
      results.push(await call('organizations.create', { token: admin, input: { name } }));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 429, 429]);
    const refused = results[LIMIT] as (typeof results)[number];
    const retryAfter = Number(refused.retryAfter);
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(30);
    expect((refused.body as { error: ErrorBody }).error.data).toMatchObject({
      code: 'TOO_MANY_REQUESTS',
      httpStatus: 429,
      domainCode: 'RATE_LIMITED',
      retryAfterSeconds: retryAfter,
    });
    const stored = (await f.db.organizations.list()).map((o) => o.name);
    expect(stored.filter((n) => n.startsWith(`Limited ${dialect}`)).sort()).toEqual(
      names.slice(0, LIMIT).sort(),
    );

    // Over the limit, even an invalid write is refused for the rate, not parsed.
    const invalid = await call('organizations.create', { token: admin, input: { name: '' } });
    expect(invalid.status).toBe(429);
    // Reads are not limited.
    const read = await call('monitoring.overview', { token: admin, method: 'GET' });
    expect(read.status).toBe(200);
    // Another principal (even with the same role) has its own window.
    const otherAdmin = await signToken({ sub: randomUUID(), role: 'global_admin' }, SECRET);
    expect(
      (await call('organizations.create', { token: otherAdmin, input: { name: `Other ${dialect}` } })).status,
    ).toBe(200);
    const service = await signToken({ sub: randomUUID(), role: 'service' }, SECRET);
    const created = await call('syncLogs.create', {
      token: service,
      input: {
        organizationId: f.otherOrgId,
        accountingSystem: 'xledger',
        syncType: 'api',
        recordsTotal: 1,
        ...PERIOD,
      },
    });
    expect(created.status).toBe(200);
  });

  it('counts every call of a batch: the calls over the limit get 429 and are not written', async () => {
    const admin = await signToken({ sub: randomUUID(), role: 'global_admin' }, SECRET);
    const names = Array.from({ length: LIMIT + 2 }, (_, i) => `Batched ${dialect} ${i}`);
    const res = await fetch(`${api.url}/trpc/${names.map(() => 'organizations.create').join(',')}?batch=1`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify(Object.fromEntries(names.map((name, i) => [String(i), { name }]))),
    });
    const answers = (await res.json()) as TrpcBody[];
    expect(answers.filter((a) => a.result)).toHaveLength(LIMIT);
    expect(answers.filter((a) => a.error?.data.httpStatus === 429)).toHaveLength(2);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const stored = (await f.db.organizations.list()).map((o) => o.name);
    expect(stored.filter((n) => n.startsWith(`Batched ${dialect}`))).toHaveLength(LIMIT);
  });

  it('an unauthenticated write is 401, not counted against anyone', async () => {
    expect((await call('organizations.create', { token: null, input: { name: 'Nobody' } })).status).toBe(401);
  });
});

/**
 * A POST over a real socket, its body sent either with a declared length or chunked (no length: the
 * server must count). The server may answer before it read the body; the answer is what counts.
 */
function postOverSocket(
  url: string,
  token: string,
  body: string,
  framing: 'content-length' | 'chunked',
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const headers: Record<string, string | number> = {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
    };
    if (framing === 'content-length') headers['content-length'] = Buffer.byteLength(body);
    // A fresh connection each time: the server closes one whose refused body it did not read.
    const req = request(url, { method: 'POST', headers, agent: false }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    if (framing === 'chunked') {
      for (let at = 0; at < body.length; at += 64 * 1024) req.write(body.slice(at, at + 64 * 1024));
      req.end();
    } else {
      req.end(body);
    }
  });
}

describe.each(DIALECTS)('request body limit over HTTP on %s', (dialect) => {
  let f: ApiFixture;
  let api: RunningApi;
  beforeAll(async () => {
    f = await createApiFixture(dialect);
    api = await startApiServer({ db: f.db, port: 0, jwtSecret: SECRET, writeRateLimit: false });
  });
  afterAll(async () => {
    await api?.close();
    await f?.drop();
  });

  const createUrl = () => `${api.url}/trpc/syncLogs.create`;
  const tooLarge = () =>
    JSON.stringify({
      organizationId: f.orgId,
      accountingSystem: 'xledger',
      syncType: 'api',
      recordsTotal: 1,
      ...PERIOD,
      idempotencyKey: 'x'.repeat(2 * 1024 * 1024),
    });

  it.each(['content-length', 'chunked'] as const)(
    'answers 413 to a body over 1 MiB sent with %s framing, and writes nothing',
    async (framing) => {
      const before = (await f.db.syncLogs.list({ organizationId: f.orgId })).items.length;
      const res = await postOverSocket(createUrl(), f.tokens.service as string, tooLarge(), framing);
      expect(res.status).toBe(413);
      expect(JSON.parse(res.body)).toMatchObject({
        error: {
          code: -32600,
          data: { code: 'PAYLOAD_TOO_LARGE', httpStatus: 413, domainCode: 'VALIDATION_FAILED' },
        },
      });
      expect((await f.db.syncLogs.list({ organizationId: f.orgId })).items.length).toBe(before);
    },
  );

  it.each(['content-length', 'chunked'] as const)(
    'reads and validates a body under the limit sent with %s framing',
    async (framing) => {
      // One organization per framing: each create leaves an active sync behind.
      const organizationId = framing === 'chunked' ? f.otherOrgId : f.orgId;
      const input = {
        organizationId,
        accountingSystem: 'xledger',
        syncType: 'api',
        recordsTotal: 3,
        ...PERIOD,
      };
      const res = await postOverSocket(
        createUrl(),
        f.tokens.service as string,
        JSON.stringify(input),
        framing,
      );
      expect(res.status).toBe(200);
      const created = (JSON.parse(res.body) as { result: { data: { id: string; recordsTotal: number } } })
        .result.data;
      expect(created.recordsTotal).toBe(3);
      expect((await f.db.syncLogs.get(created.id))?.organizationId).toBe(organizationId);
      const invalid = await postOverSocket(
        createUrl(),
        f.tokens.service as string,
        JSON.stringify({ ...input, recordsTotal: 'three' }),
        framing,
      );
      expect(invalid.status).toBe(400);
      expect(JSON.parse(invalid.body)).toMatchObject({
        error: {
          data: { domainCode: 'VALIDATION_FAILED', issues: [{ rule: 'schema', path: ['recordsTotal'] }] },
        },
      });
    },
  );
});

describe('request limits from the environment', () => {
  it('defaults to a small batch cap and a per-minute write limit; 0 turns the limit off', () => {
    const defaults = readApiEnv({ AUTH_JWT_SECRET: 'x'.repeat(32) });
    expect(defaults.maxBatchSize).toBe(DEFAULT_MAX_BATCH_SIZE);
    expect(defaults.writeRateLimit).toEqual(DEFAULT_WRITE_RATE_LIMIT);
    const tuned = readApiEnv({
      AUTH_JWT_SECRET: 'x'.repeat(32),
      TRPC_MAX_BATCH_SIZE: '5',
      API_WRITE_RATE_LIMIT: '10',
      API_WRITE_RATE_WINDOW_SECONDS: '1',
    });
    expect(tuned.maxBatchSize).toBe(5);
    expect(tuned.writeRateLimit).toEqual({ points: 10, windowSeconds: 1 });
    expect(readApiEnv({ AUTH_JWT_SECRET: 'x'.repeat(32), API_WRITE_RATE_LIMIT: '0' }).writeRateLimit).toBe(
      false,
    );
    expect(() => readApiEnv({ TRPC_MAX_BATCH_SIZE: '0' })).toThrow(/TRPC_MAX_BATCH_SIZE/);
  });
});
