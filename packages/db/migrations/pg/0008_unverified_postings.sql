-- Unverified postings (issue 22): a posting the ledger accepted but no read-back found. It may be in
-- the ledger, so the worker never sends it again until a read-back finds it or an operator confirms
-- it is not there. One open row per organization and record (partial unique index); a resolution
-- and its time come together; a resolved row never changes again (trigger, SQLSTATE MS001).
CREATE TABLE "unverified_postings" (
	"id" uuid PRIMARY KEY NOT NULL,
	"organization_id" uuid NOT NULL REFERENCES "organizations"("id") ON DELETE CASCADE,
	"accounting_system" text NOT NULL CONSTRAINT "ck_unverified_postings_accounting_system" CHECK (accounting_system IN ('xledger', 'dynamics')),
	"record_id" text NOT NULL,
	"sync_log_id" uuid NOT NULL,
	"last_sync_log_id" uuid NOT NULL,
	"code" text NOT NULL,
	"reason" text NOT NULL,
	"first_seen_at" timestamp(3) with time zone NOT NULL,
	"last_seen_at" timestamp(3) with time zone NOT NULL,
	"resolved_at" timestamp(3) with time zone,
	"resolution" text,
	"resolved_by" uuid,
	"resolved_sync_log_id" uuid,
	CONSTRAINT "ck_unverified_postings_resolution" CHECK (resolution IN ('found', 'confirmed_unposted')),
	CONSTRAINT "ck_unverified_postings_resolved_together" CHECK ((resolved_at IS NULL) = (resolution IS NULL) AND (resolved_at IS NULL) = (resolved_sync_log_id IS NULL)),
	CONSTRAINT "ck_unverified_postings_confirmed_by" CHECK (resolution IS NULL OR resolution <> 'confirmed_unposted' OR resolved_by IS NOT NULL),
	CONSTRAINT "ck_unverified_postings_seen_order" CHECK (last_seen_at >= first_seen_at AND (resolved_at IS NULL OR resolved_at >= first_seen_at)),
	CONSTRAINT "ck_unverified_postings_text_bounded" CHECK (length(record_id) BETWEEN 1 AND 200 AND length(code) BETWEEN 1 AND 120 AND length(reason) <= 1000)
);
--> statement-breakpoint
CREATE UNIQUE INDEX "uq_unverified_postings_open_record" ON "unverified_postings" ("organization_id", "record_id") WHERE resolved_at IS NULL;
--> statement-breakpoint
CREATE INDEX "idx_unverified_postings_org_resolved" ON "unverified_postings" ("organization_id", "resolved_at");
--> statement-breakpoint
CREATE FUNCTION unverified_postings_refuse_resolved_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.resolved_at IS NOT NULL THEN
    RAISE EXCEPTION 'RECORD_IMMUTABLE: unverified posting % was resolved (%) and can no longer change', OLD.id, OLD.resolution
      USING ERRCODE = 'MS001';
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER trg_unverified_postings_immutable_when_resolved
BEFORE UPDATE ON unverified_postings
FOR EACH ROW EXECUTE FUNCTION unverified_postings_refuse_resolved_update();
--> statement-breakpoint
-- API cost (issue 22 item 9): every sync that ends adds the ledger requests its payload summary
-- records to its system's totals, in the same statement as its terminal status, so /metrics reads
-- one row per system however many syncs there are, and a deleted sync never lowers the counter.
CREATE TABLE "ledger_request_totals" (
	"accounting_system" text PRIMARY KEY NOT NULL,
	"reads" bigint NOT NULL,
	"writes" bigint NOT NULL,
	CONSTRAINT "ck_ledger_request_totals_accounting_system" CHECK (accounting_system IN ('xledger', 'dynamics')),
	CONSTRAINT "ck_ledger_request_totals_non_negative" CHECK (reads >= 0 AND writes >= 0)
);
--> statement-breakpoint
CREATE FUNCTION accounting_sync_logs_count_ledger_requests() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO ledger_request_totals (accounting_system, reads, writes)
  VALUES (
    NEW.accounting_system,
    COALESCE((NEW.payload_summary -> 'ledgerRequests' ->> 'reads')::bigint, 0),
    COALESCE((NEW.payload_summary -> 'ledgerRequests' ->> 'writes')::bigint, 0)
  )
  ON CONFLICT (accounting_system) DO UPDATE
    SET reads = ledger_request_totals.reads + EXCLUDED.reads,
        writes = ledger_request_totals.writes + EXCLUDED.writes;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER trg_accounting_sync_logs_count_ledger_requests
AFTER UPDATE OF status ON accounting_sync_logs
FOR EACH ROW
WHEN (NEW.status IN ('success', 'partial', 'failed') AND OLD.status NOT IN ('success', 'partial', 'failed')
  AND jsonb_typeof(NEW.payload_summary -> 'ledgerRequests') = 'object')
EXECUTE FUNCTION accounting_sync_logs_count_ledger_requests();
