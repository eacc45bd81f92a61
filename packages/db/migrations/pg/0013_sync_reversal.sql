-- 0013: reversal (issue 24). A reversal is its own sync; the first reversal of a sync names it in
-- `reverses_sync_log_id` (re-syncs of a reversal carry it in their payload summary only), and the
-- unique index refuses a second reversal of the same sync whatever raced past the store. A record
-- a success or partial sync posted stays unchangeable, except for one update: its release (the
-- posting sync cleared and its posting round one up, nothing else changed) once a reversal of its
-- posting sync exists. The round names the record's open posting in the ledger: a record exported
-- again after its reversal is posted under its next round's key, not read back as its first posting.
-- Numbered 0013: 0012 is left to the export stream's change (branch feed).
ALTER TABLE "accounting_sync_logs" ADD COLUMN "reverses_sync_log_id" uuid;
--> statement-breakpoint
CREATE UNIQUE INDEX "uq_accounting_sync_logs_one_reversal" ON "accounting_sync_logs" USING btree ("reverses_sync_log_id") WHERE reverses_sync_log_id IS NOT NULL;
--> statement-breakpoint
ALTER TABLE "expense_records" ADD COLUMN "posting_round" integer DEFAULT 1 NOT NULL CONSTRAINT "ck_expense_records_posting_round" CHECK (posting_round >= 1);
--> statement-breakpoint
CREATE INDEX "idx_expense_records_posted_by" ON "expense_records" USING btree ("posted_by_sync_log_id", "id") WHERE posted_by_sync_log_id IS NOT NULL;
--> statement-breakpoint
-- A reversal reverses a success or partial sync of its own organization, and is named at insert only.
CREATE FUNCTION accounting_sync_logs_reversal_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    IF NEW.reverses_sync_log_id IS DISTINCT FROM OLD.reverses_sync_log_id THEN
      RAISE EXCEPTION 'RECORD_IMMUTABLE: what reversal % reverses never changes', OLD.id USING ERRCODE = 'MS001';
    END IF;
    RETURN NEW;
  END IF;
  IF NEW.reverses_sync_log_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM accounting_sync_logs s
      WHERE s.id = NEW.reverses_sync_log_id AND s.organization_id = NEW.organization_id
        AND s.status IN ('success', 'partial')) THEN
    RAISE EXCEPTION 'SYNC_NOT_REVERSIBLE: sync % is no success or partial sync of organization %',
      NEW.reverses_sync_log_id, NEW.organization_id USING ERRCODE = 'MS014';
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER trg_accounting_sync_logs_reversal_guard
BEFORE INSERT OR UPDATE ON accounting_sync_logs
FOR EACH ROW EXECUTE FUNCTION accounting_sync_logs_reversal_guard();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION expense_records_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.posted_by_sync_log_id IS NOT NULL AND NOT (
      TG_OP = 'UPDATE' AND NEW.posted_by_sync_log_id IS NULL AND NEW.posting_round = OLD.posting_round + 1
      AND (to_jsonb(NEW) - 'posted_by_sync_log_id' - 'posting_round')
        = (to_jsonb(OLD) - 'posted_by_sync_log_id' - 'posting_round')
      AND EXISTS (SELECT 1 FROM accounting_sync_logs s WHERE s.reverses_sync_log_id = OLD.posted_by_sync_log_id)) THEN
    RAISE EXCEPTION 'RECORD_ALREADY_POSTED: expense record % was posted by sync %', OLD.id, OLD.posted_by_sync_log_id
      USING ERRCODE = 'MS011';
  END IF;
  -- The round moves only with a release, by one: whatever else changes a record leaves it alone.
  IF TG_OP = 'UPDATE' AND NEW.posting_round <> OLD.posting_round AND NOT (OLD.posted_by_sync_log_id IS NOT NULL
      AND NEW.posted_by_sync_log_id IS NULL AND NEW.posting_round = OLD.posting_round + 1) THEN
    RAISE EXCEPTION 'RECORD_IMMUTABLE: the posting round of expense record % moves only when a reversal releases it',
      OLD.id USING ERRCODE = 'MS001';
  END IF;
  IF TG_OP = 'UPDATE' AND NEW.version < OLD.version THEN
    RAISE EXCEPTION 'VERSION_NOT_NEWER: expense record % is at version %', OLD.id, OLD.version USING ERRCODE = 'MS012';
  END IF;
  IF TG_OP = 'UPDATE' AND NEW.version = OLD.version AND NEW.content_hash <> OLD.content_hash
     AND OLD.content_hash <> 'legacy-0011' THEN
    RAISE EXCEPTION 'VERSION_PAYLOAD_CONFLICT: expense record % version % has another payload', OLD.id, OLD.version
      USING ERRCODE = 'MS013';
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END;
$$;
