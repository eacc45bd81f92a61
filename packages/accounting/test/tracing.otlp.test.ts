import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, propagation, trace } from '@opentelemetry/api';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { startTracing } from '../src/telemetry/sdk.js';
import { inSpan, tracingActive } from '../src/telemetry/tracing.js';

describe('startTracing', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });
  afterAll(() => {
    trace.disable();
    context.disable();
    propagation.disable();
  });

  it('starts nothing without an OTLP endpoint', async () => {
    vi.stubEnv('OTEL_EXPORTER_OTLP_ENDPOINT', undefined);
    vi.stubEnv('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', undefined);
    expect(await startTracing('meander-test')).toBeNull();
    expect(tracingActive()).toBe(false);
  });

  it('exports spans over OTLP http/protobuf to OTEL_EXPORTER_OTLP_ENDPOINT, flushed on stop', async () => {
    const received: { url: string | undefined; type: string | undefined; bytes: number }[] = [];
    const collector = createServer((req: IncomingMessage, res) => {
      let bytes = 0;
      req.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
      req.on('end', () => {
        received.push({ url: req.url, type: req.headers['content-type'], bytes });
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const { port } = collector.address() as AddressInfo;
    try {
      vi.stubEnv('OTEL_EXPORTER_OTLP_ENDPOINT', `http://127.0.0.1:${port}`);
      const stop = await startTracing('meander-test');
      expect(stop).not.toBeNull();
      expect(tracingActive()).toBe(true);
      await inSpan('probe', {}, async () => undefined);
      await stop?.();
      expect(tracingActive()).toBe(false);
      expect(received).toHaveLength(1);
      expect(received[0]).toMatchObject({ url: '/v1/traces', type: 'application/x-protobuf' });
      expect(received[0]?.bytes).toBeGreaterThan(0);
    } finally {
      await new Promise((resolve) => collector.close(resolve));
    }
  });
});
