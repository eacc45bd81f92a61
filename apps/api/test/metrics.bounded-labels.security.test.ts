import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeOf } from '../src/app.js';
import { Metrics } from '../src/metrics.js';
import { type ApiFixture, createApiFixture } from './fixtures.js';

/** Series of one metric family in a Prometheus text exposition. */
function seriesOf(text: string, family: string): string[] {
  return text.split('\n').filter((line) => line.startsWith(`${family}{`));
}

// The outside probe (issue 23): 20,000 unauthenticated requests to distinct `/trpc/<name>` paths
// made 20,001 metric series and grew the API by 100 MB. Labels now come from the router.
describe('metric labels are bounded', () => {
  let f: ApiFixture;
  beforeAll(async () => {
    f = await createApiFixture('sqlite');
  });
  afterAll(async () => {
    await f?.drop();
  });

  it('labels a known procedure by name, anything else by one fixed label', () => {
    expect(routeOf('/trpc/syncLogs.list')).toBe('/trpc/syncLogs.list');
    expect(routeOf('/trpc/syncLogs.lists')).toBe('/trpc/unknown');
    expect(routeOf('/trpc/syncLogs.list,syncLogs.get')).toBe('/trpc/(batch)');
    expect(routeOf('/trpc/')).toBe('/trpc/unknown');
    expect(routeOf('/sync-logs/abc/rejections.csv')).toBe('/sync-logs/:id/rejections.csv');
    expect(routeOf('/anything/else')).toBe('other');
  });

  it('keeps the series count put under 10,000 distinct unknown paths', async () => {
    const before = await (await f.app.request('/metrics')).text();
    await f.app.request('/trpc/probe-0');
    const warmed = seriesOf(await (await f.app.request('/metrics')).text(), 'meander_http_requests_total');
    for (let i = 1; i <= 10_000; i += 1) {
      const path = i % 2 === 0 ? `/trpc/probe-${i}` : `/trpc/probe-${i},other-${i}`;
      await f.app.request(path);
    }
    const after = await (await f.app.request('/metrics')).text();
    const series = seriesOf(after, 'meander_http_requests_total');
    // Warmed up: the unknown and batch labels may appear once each, never once per path.
    expect(series.length).toBeLessThanOrEqual(warmed.length + 1);
    expect(series.some((s) => s.includes('probe-'))).toBe(false);
    expect(after.length).toBeLessThan(before.length + 2_000);
    const unknown = series.find((s) => s.includes('route="/trpc/unknown"'));
    expect(unknown).toBeDefined();
    expect(Number(unknown?.split(' ').at(-1))).toBeGreaterThanOrEqual(5_001);
  });

  it('keeps every label in its closed set, whatever procedure, type, code, method or status is counted', async () => {
    const metrics = new Metrics();
    metrics.countProcedure('syncLogs.list', 'query', 'OK');
    metrics.countHttp('GET', '/healthz', 200);
    metrics.countProcedure('probe-0', 'probe', 'PROBE_0');
    metrics.countHttp('PROBE', '/healthz', 1_000);
    const series = async () => {
      const text = await metrics.render(f.db, 120);
      return [
        ...seriesOf(text, 'meander_trpc_requests_total'),
        ...seriesOf(text, 'meander_http_requests_total'),
      ];
    };
    const warmed = await series();
    for (let i = 1; i <= 5_000; i += 1) {
      metrics.countProcedure(`probe-${i}`, `type-${i}`, `CODE_${i}`);
      metrics.countHttp(`PROBE${i}`, '/healthz', 1_000 + i);
    }
    const after = await series();
    expect(after.length).toBe(warmed.length);
    expect(after.some((s) => /probe|type-|CODE_|PROBE/.test(s))).toBe(false);
    expect(after).toContain('meander_trpc_requests_total{procedure="other",type="other",code="other"} 5001');
    expect(after).toContain(
      'meander_http_requests_total{method="other",route="/healthz",status="other"} 5001',
    );
    expect(after).toContain(
      'meander_trpc_requests_total{procedure="syncLogs.list",type="query",code="OK"} 1',
    );
  });
});
