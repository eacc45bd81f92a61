import { randomUUID } from 'node:crypto';
import { setTracingActive } from '@meander/accounting';
import type { RunningEmulators } from '@meander/accounting/emulators';
import { createApp, signToken } from '@meander/api';
import { takeTraceParent } from '@meander/db';
import { createTestDatabase, DIALECTS, type TestDatabase } from '@meander/db/testing';
import type { SyncLog } from '@meander/domain';
import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/logger.js';
import { type RunningWorker, startWorker } from '../src/worker.js';
import {
  emulators,
  eventually,
  FAST_RETRIES,
  givenConnectedOrganization,
  PERIOD,
  terminal,
} from './fixtures.js';

const SECRET = 'tracing-test-secret-0123456789abcdef';

/** The span's parent span id (SDK 2.x keeps the whole parent context). */
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

describe.each(DIALECTS)(
  'one trace from the API request through the queue to the ledger, on %s',
  (dialect) => {
    const exporter = new InMemorySpanExporter();
    const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    let t: TestDatabase;
    let emu: RunningEmulators;
    let worker: RunningWorker | undefined;

    beforeAll(async () => {
      provider.register();
      t = await createTestDatabase(dialect);
      emu = await emulators();
    });
    afterEach(async () => {
      await worker?.stop();
      worker = undefined;
      setTracingActive(false);
      exporter.reset();
    });
    afterAll(async () => {
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
      await emu?.close();
      await t?.drop();
    });

    /** Record an export through the API (its app built now, so it sees whether tracing is on), then let a worker run it. */
    async function exportThroughApi(organizationId: string): Promise<SyncLog> {
      const { app } = createApp({ db: t.db, jwtSecret: SECRET, console: false });
      const token = await signToken({ sub: randomUUID(), role: 'global_admin' }, SECRET);
      const res = await app.request('/trpc/syncs.startExport', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ organizationId, ...PERIOD }),
      });
      expect(res.status).toBe(200);
      const { id } = ((await res.json()) as { result: { data: SyncLog } }).result.data;
      // Started after the request answered: the worker claims a row whose trace is already stored.
      worker = await startWorker({
        db: t.db,
        logger: silentLogger,
        batchSize: 2,
        pollMs: 20,
        adapterOptions: FAST_RETRIES,
        dispatchCron: '0 0 1 1 *',
        catchUpHours: 0,
        webhooks: false,
      });
      const done = await eventually(async () => terminal(await t.db.syncLogs.get(id)), 60_000);
      await emu.idle();
      return done;
    }

    it('parents the worker sync span on the API request span, and every ledger request on the sync span', async () => {
      setTracingActive(true);
      const org = await givenConnectedOrganization(t.db, emu, 'dynamics', 5);
      const before = emu.stats('dynamics');
      const done = await exportThroughApi(org.id);
      expect(done.status).toBe('success');
      const after = emu.stats('dynamics');
      const sent = after.requests - before.requests + (after.tokenRequests - before.tokenRequests);

      const spans = exporter.getFinishedSpans();
      const request = spans.filter((s) => s.name === 'POST /trpc/syncs.startExport');
      expect(request).toHaveLength(1);
      const api = request[0] as ReadableSpan;
      expect(api.kind).toBe(SpanKind.SERVER);
      const runs = spans.filter((s) => s.name === 'sync.run');
      expect(runs).toHaveLength(1);
      const run = runs[0] as ReadableSpan;
      expect(run.attributes['meander.sync_log.id']).toBe(done.id);
      expect(run.attributes['meander.sync.status']).toBe('success');
      const ledger = spans.filter((s) => s.name.startsWith('ledger '));

      const traceId = api.spanContext().traceId;
      expect(run.spanContext().traceId).toBe(traceId);
      expect(parentOf(run)).toBe(api.spanContext().spanId);
      expect(sent).toBeGreaterThan(0);
      expect(ledger).toHaveLength(sent);
      for (const span of ledger) {
        expect(span.spanContext().traceId).toBe(traceId);
        expect(parentOf(span)).toBe(run.spanContext().spanId);
        expect(span.kind).toBe(SpanKind.CLIENT);
        expect(['GET', 'POST', 'DELETE']).toContain(span.attributes['http.request.method']);
        expect(span.attributes['server.address']).toBe(new URL(emu.url).hostname);
        expect(Number(span.attributes['http.response.status_code'])).toBeLessThan(400);
        expect(span.attributes['meander.ledger.attempt']).toBeGreaterThanOrEqual(1);
      }
      // The trace was handed on once: a later attempt at the sync would start a trace of its own.
      expect(await takeTraceParent(t.db, done.id)).toBeNull();
    });

    it('records no span and stores no trace while tracing is off', async () => {
      const org = await givenConnectedOrganization(t.db, emu, 'xledger', 3);
      const done = await exportThroughApi(org.id);
      expect(done.status).toBe('success');
      expect(exporter.getFinishedSpans()).toHaveLength(0);
      expect(await takeTraceParent(t.db, done.id)).toBeNull();
    });
  },
);
