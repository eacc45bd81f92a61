-- 0015: where a traced request's trace goes on (issue 27): the W3C traceparent of the API span that
-- recorded a pending sync, read once by the worker that runs it so its spans join the same trace.
-- Beside the sync log rather than in it: observability is not audit evidence, so nothing here is
-- sealed, exported or shown. Written only while tracing is on; the worker takes its row at the start.
-- No foreign key to the sync log: a referenced table cannot be truncated on PostgreSQL, and that
-- refusal would pre-empt the audit trigger's own ("cannot be truncated", with its reason). A row
-- whose pending sync was deleted before any worker took it is never read again.
CREATE TABLE "sync_trace_parents" (
  "sync_log_id" uuid PRIMARY KEY,
  "traceparent" text NOT NULL CHECK (length(traceparent) <= 128)
);
