import { createHash } from 'node:crypto';
import {
  type Context,
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';

/**
 * Whether this process exports traces. Off by default: every helper here then returns at once,
 * so an untraced process pays one boolean test per call and starts no SDK.
 */
let active = false;

/** Turn tracing on or off for this process (by {@link startTracing}, or a test with its own provider). */
export function setTracingActive(on: boolean): void {
  active = on;
}

export function tracingActive(): boolean {
  return active;
}

/** The tracer every Meander span comes from (the API's no-op tracer until a provider is registered). */
function meanderTracer(): Tracer {
  return trace.getTracer('meander');
}

/** The W3C `traceparent` of the active span, or null when nothing is being traced. */
export function activeTraceParent(): string | null {
  if (!active) return null;
  const span = trace.getActiveSpan();
  if (!span?.isRecording()) return null;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent ?? null;
}

/** The context a stored `traceparent` names: its spans' parent (the root context for none). */
export function contextOfTraceParent(traceparent: string | null): Context {
  return traceparent ? propagation.extract(ROOT_CONTEXT, { traceparent }) : ROOT_CONTEXT;
}

/** Run `body` in a new active span, ending it (with an error status for a throw) when `body` settles. */
export function inSpan<T>(
  name: string,
  options: { kind?: SpanKind; attributes?: Record<string, string | number | boolean>; parent?: Context },
  body: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = options.parent ?? context.active();
  return meanderTracer().startActiveSpan(
    name,
    {
      kind: options.kind ?? SpanKind.INTERNAL,
      ...(options.attributes ? { attributes: options.attributes } : {}),
    },
    parent,
    async (span) => {
      try {
        return await body(span);
      } catch (error) {
        span.recordException(error instanceof Error ? error : String(error));
        span.setStatus({ code: SpanStatusCode.ERROR });
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

/**
 * Sends of each distinct request under one parent span (a sync): how `attempt` is told. The retry
 * loops repeat whole steps, so "the same method, URL and body sent again under the same parent" is
 * what a retry looks like from here. Weak: a parent's map goes with it.
 */
const sendsByParent = new WeakMap<object, Map<string, number>>();

function attemptOf(request: { method: string; url: string; body?: string | undefined }): number {
  const parent = trace.getActiveSpan();
  if (!parent) return 1;
  let sends = sendsByParent.get(parent);
  if (!sends) {
    sends = new Map();
    sendsByParent.set(parent, sends);
  }
  const key = createHash('sha256')
    .update(`${request.method} ${request.url}\n`)
    .update(request.body ?? '')
    .digest('base64');
  const attempt = (sends.get(key) ?? 0) + 1;
  sends.set(key, attempt);
  return attempt;
}

/**
 * One ledger HTTP request as a client span (method, host, status, attempt), child of whatever is
 * active — the worker's sync span. Not traced: `send` runs as is.
 */
export function traceLedgerRequest<R extends { status: number }>(
  request: { method: string; url: string; body?: string | undefined; write: boolean },
  send: () => Promise<R>,
): Promise<R> {
  if (!active) return send();
  const url = new URL(request.url);
  const attributes = {
    'http.request.method': request.method,
    'server.address': url.hostname,
    'server.port': Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
    'meander.ledger.write': request.write,
    'meander.ledger.attempt': attemptOf(request),
  };
  return inSpan(`ledger ${request.method}`, { kind: SpanKind.CLIENT, attributes }, async (span) => {
    const response = await send();
    span.setAttribute('http.response.status_code', response.status);
    if (response.status >= 400) span.setStatus({ code: SpanStatusCode.ERROR });
    return response;
  });
}
