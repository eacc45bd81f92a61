-- 0015: where a traced request's trace goes on (issue 27): the W3C traceparent of the API span that
-- recorded a pending sync, read once by the worker that runs it so its spans join the same trace.
-- Beside the sync log rather than in it: observability is not audit evidence, so nothing here is
-- sealed, exported or shown. Written only while tracing is on; the worker takes its row at the start.
CREATE TABLE "sync_trace_parents" (
  "sync_log_id" uuid PRIMARY KEY REFERENCES "accounting_sync_logs"("id") ON DELETE CASCADE,
  "traceparent" text NOT NULL CHECK (length(traceparent) <= 128)
);
