import { setTracingActive } from './tracing.js';

/** Stops the exporter after flushing what it holds. */
export type StopTracing = () => Promise<void>;

/**
 * Start exporting traces over OTLP (http/protobuf) when `OTEL_EXPORTER_OTLP_ENDPOINT` (or
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set; the exporter and the batch processor read the
 * other standard `OTEL_*` variables themselves. Otherwise nothing is loaded or started and null
 * comes back. The SDK is imported only here, so an untraced process never loads it.
 */
export async function startTracing(serviceName: string): Promise<StopTracing | null> {
  const env = process.env;
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT && !env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return null;
  const [{ NodeTracerProvider, BatchSpanProcessor }, { OTLPTraceExporter }, { resourceFromAttributes }] =
    await Promise.all([
      import('@opentelemetry/sdk-trace-node'),
      import('@opentelemetry/exporter-trace-otlp-proto'),
      import('@opentelemetry/resources'),
    ]);
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME ?? serviceName }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  // Registers the provider, the AsyncLocalStorage context manager and the W3C propagator.
  provider.register();
  setTracingActive(true);
  return async () => {
    setTracingActive(false);
    await provider.shutdown();
  };
}
