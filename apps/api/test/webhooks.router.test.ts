import type { Dialect } from '@meander/db';
import { webhookStoreFor } from '@meander/db';
import { DIALECTS } from '@meander/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiFixture, createApiFixture } from './fixtures.js';

interface Created {
  id: string;
  organizationId: string;
  url: string;
  events: string[];
  secret: string;
}

describe.each(DIALECTS)('webhooks.* on %s', (dialect: Dialect) => {
  let f: ApiFixture;
  beforeAll(async () => {
    f = await createApiFixture(dialect);
  });
  afterAll(async () => f.drop());

  it('creates an endpoint, shows the secret once and stores it only sealed', async () => {
    const res = await f.mutate(
      'webhooks.create',
      { organizationId: f.orgId, url: 'https://hooks.example.com/meander', events: ['sync.failed'] },
      'orgAdminOwn',
    );
    expect(res.status).toBe(200);
    const created = res.body.result?.data as Created;
    expect(created).toMatchObject({ organizationId: f.orgId, events: ['sync.failed'] });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);

    const stored = await webhookStoreFor(f.db).getEndpoint(created.id);
    expect(stored?.secretCiphertext).toMatch(/^v2\./);
    expect(stored?.secretCiphertext).not.toContain(created.secret.slice(6));

    const list = await f.query('webhooks.list', { organizationId: f.orgId }, 'orgAdminOwn');
    expect(list.body.result?.data).toEqual([
      expect.objectContaining({ id: created.id, url: 'https://hooks.example.com/meander' }),
    ]);
    expect(JSON.stringify(list.body)).not.toContain('secret');
  });

  it('stores the URL parsed: a bidi override is percent-encoded, a look-alike host shown in punycode', async () => {
    const res = await f.mutate(
      'webhooks.create',
      { organizationId: f.orgId, url: 'https://\u0435xample.com/\u202Ekooh' },
      'orgAdminOwn',
    );
    const created = res.body.result?.data as Created;
    expect(created.url).toBe('https://xn--xample-2of.com/%E2%80%AEkooh');
    const list = await f.query('webhooks.list', { organizationId: f.orgId }, 'orgAdminOwn');
    expect(JSON.stringify(list.body)).not.toMatch(/\u202E|\u0435/);
  });

  it('defaults to every event and queues a signed test event', async () => {
    const res = await f.mutate(
      'webhooks.create',
      { organizationId: f.orgId, url: 'https://a.example.com/h' },
      'globalAdmin',
    );
    const created = res.body.result?.data as Created;
    expect(created.events).toEqual([
      'sync.succeeded',
      'sync.partial',
      'sync.failed',
      'integration.health_changed',
    ]);
    const test = await f.mutate('webhooks.test', { id: created.id }, 'orgAdminOwn');
    expect(test.body.result?.data).toMatchObject({ endpointId: created.id, queued: true });
    const outbox = await webhookStoreFor(f.db).pendingOutbox(100);
    expect(outbox.filter((o) => o.endpointId === created.id).map((o) => o.eventType)).toEqual([
      'webhook.test',
    ]);
    const deliveries = await f.query('webhooks.deliveries', { id: created.id }, 'orgAdminOwn');
    expect(deliveries.body.result?.data).toEqual([]);
  });

  it.each([
    ['ftp://example.com/x', /http\(s\)/],
    ['http://127.0.0.1:8080/x', /WEBHOOK_ALLOWED_HOSTS/],
    ['http://localhost/x', /WEBHOOK_ALLOWED_HOSTS/],
    ['http://169.254.169.254/latest/meta-data', /private/],
    ['http://[::1]/x', /private/],
    ['http://10.1.2.3/x', /private/],
    ['https://user:pw@example.com/x', /credentials/],
  ])('refuses %s with a typed validation error and writes nothing', async (url, message) => {
    const before = (await webhookStoreFor(f.db).listEndpoints(f.orgId)).length;
    const res = await f.mutate('webhooks.create', { organizationId: f.orgId, url }, 'orgAdminOwn');
    expect(res.status).toBe(400);
    expect(res.body.error?.data.domainCode).toBe('VALIDATION_FAILED');
    expect(res.body.error?.data.issues[0]?.path).toEqual(['url']);
    expect(res.body.error?.message).toMatch(message);
    expect((await webhookStoreFor(f.db).listEndpoints(f.orgId)).length).toBe(before);
  });

  it('keeps organizations apart: another org admin gets FORBIDDEN or NOT_FOUND, a service FORBIDDEN', async () => {
    const res = await f.mutate(
      'webhooks.create',
      { organizationId: f.orgId, url: 'https://b.example.com/h' },
      'orgAdminOwn',
    );
    const id = (res.body.result?.data as Created | undefined)?.id ?? '';
    expect(
      (
        await f.mutate(
          'webhooks.create',
          { organizationId: f.orgId, url: 'https://c.example.com' },
          'orgAdminOther',
        )
      ).body.error?.data.domainCode,
    ).toBe('FORBIDDEN');
    expect(
      (await f.query('webhooks.list', { organizationId: f.orgId }, 'orgAdminOther')).body.error?.data
        .domainCode,
    ).toBe('FORBIDDEN');
    for (const path of ['webhooks.test', 'webhooks.delete']) {
      expect((await f.mutate(path, { id }, 'orgAdminOther')).body.error?.data.domainCode).toBe('NOT_FOUND');
    }
    expect((await f.query('webhooks.deliveries', { id }, 'orgAdminOther')).body.error?.data.domainCode).toBe(
      'NOT_FOUND',
    );
    expect(
      (await f.query('webhooks.list', { organizationId: f.orgId }, 'service')).body.error?.data.domainCode,
    ).toBe('FORBIDDEN');
    expect((await f.query('webhooks.list', { organizationId: f.orgId }, 'none')).status).toBe(401);

    const del = await f.mutate('webhooks.delete', { id }, 'orgAdminOwn');
    expect(del.body.result?.data).toEqual({ id, deleted: true });
    expect(await webhookStoreFor(f.db).getEndpoint(id)).toBeNull();
  });
});
