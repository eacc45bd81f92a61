-- 0010: deletions are signed, and the database refuses what it still accepted (issue 23).
-- A deletion through syncLogs.delete carries the product's Ed25519 signature over its facts
-- (who, which link, when, why); a tombstone written by the database owner has none, and
-- audit.verify reports it.
ALTER TABLE "accounting_sync_log_deletions" ADD COLUMN "signature" text;
--> statement-breakpoint
ALTER TABLE "accounting_sync_log_deletions" ADD COLUMN "key_id" text;
--> statement-breakpoint
ALTER TABLE "accounting_sync_log_deletions" ADD CONSTRAINT "ck_deletions_deleted_via" CHECK (deleted_via = 'audit-log-service');
--> statement-breakpoint
ALTER TABLE "accounting_sync_log_deletions" ADD CONSTRAINT "ck_deletions_signed_together" CHECK ((signature IS NULL) = (key_id IS NULL));
--> statement-breakpoint
ALTER TABLE "accounting_sync_logs" ADD CONSTRAINT "ck_records_within_total" CHECK (records_synced::bigint + records_failed <= records_total);
--> statement-breakpoint
ALTER TABLE "accounting_sync_logs" ADD CONSTRAINT "ck_error_details_code_and_message" CHECK (status NOT IN ('failed', 'partial') OR error_details IS NULL OR COALESCE(jsonb_typeof(error_details -> 'code') = 'string' AND jsonb_typeof(error_details -> 'message') = 'string' AND error_details ->> 'code' <> '', false));
--> statement-breakpoint
ALTER TABLE "accounting_sync_logs" ADD CONSTRAINT "ck_partial_counts_explained" CHECK (status <> 'partial' OR records_synced::bigint + records_failed = records_total OR COALESCE(error_details -> 'warnings' @> '[{"rule": "records_count_consistency"}]'::jsonb, false));
--> statement-breakpoint
-- A sync log is born pending: a row inserted already terminal would carry made-up counts and hashes.
CREATE FUNCTION accounting_sync_logs_insert_pending() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status <> 'pending' THEN
    RAISE EXCEPTION 'INVALID_STATUS_TRANSITION: a sync log is created pending, never %', NEW.status
      USING ERRCODE = 'MS003';
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER trg_accounting_sync_logs_insert_pending
BEFORE INSERT ON accounting_sync_logs
FOR EACH ROW EXECUTE FUNCTION accounting_sync_logs_insert_pending();
--> statement-breakpoint
-- A new sync is for the system the organization's accounting module books to (the domain's check
-- in planCreate): a raw insert for the other system would post nowhere the configuration names.
CREATE FUNCTION accounting_sync_logs_system_matches_module() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM module_configurations m WHERE m.organization_id = NEW.organization_id
      AND m.module = 'admin-accounting' AND m.config ->> 'accountingSystem' IS NOT NULL
      AND m.config ->> 'accountingSystem' <> NEW.accounting_system) THEN
    RAISE EXCEPTION 'CHECK constraint failed: ck_accounting_system_matches_module'
      USING ERRCODE = '23514', CONSTRAINT = 'ck_accounting_system_matches_module';
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER trg_accounting_sync_logs_system_matches_module
BEFORE INSERT ON accounting_sync_logs
FOR EACH ROW EXECUTE FUNCTION accounting_sync_logs_system_matches_module();
