-- 0003: the database refuses what the domain refuses, JSON columns hold objects, list paging has an
-- immutable key, and every sealed row names its chain recipe. Hand-written: drizzle-kit cannot express
-- the triggers, and the JSON conversion must touch sealed rows deliberately.
--
-- 1. JSON columns held JSON *strings* (the store wrote `${JSON.stringify(x)}::jsonb` and the driver
-- encoded again). Unwrap them into objects. Terminal rows and tombstones are immutable by trigger, so
-- the two triggers are switched off for this transaction only. The chain hash is computed over the
-- value the domain reads, which the store already parsed from the string, so every seal still verifies.
ALTER TABLE accounting_sync_logs DISABLE TRIGGER trg_accounting_sync_logs_immutable_on_terminal;
--> statement-breakpoint
UPDATE accounting_sync_logs SET payload_summary = (payload_summary #>> '{}')::jsonb WHERE jsonb_typeof(payload_summary) = 'string';
--> statement-breakpoint
UPDATE accounting_sync_logs SET error_details = (error_details #>> '{}')::jsonb WHERE jsonb_typeof(error_details) = 'string';
--> statement-breakpoint
UPDATE accounting_sync_logs SET payload_summary = NULL WHERE jsonb_typeof(payload_summary) = 'null';
--> statement-breakpoint
UPDATE accounting_sync_logs SET error_details = NULL WHERE jsonb_typeof(error_details) = 'null';
--> statement-breakpoint
ALTER TABLE accounting_sync_logs ENABLE TRIGGER trg_accounting_sync_logs_immutable_on_terminal;
--> statement-breakpoint
ALTER TABLE accounting_sync_log_deletions DISABLE TRIGGER trg_accounting_sync_log_deletions_append_only;
--> statement-breakpoint
UPDATE accounting_sync_log_deletions SET redacted_row = (redacted_row #>> '{}')::jsonb WHERE jsonb_typeof(redacted_row) = 'string';
--> statement-breakpoint
ALTER TABLE accounting_sync_log_deletions ENABLE TRIGGER trg_accounting_sync_log_deletions_append_only;
--> statement-breakpoint
UPDATE module_configurations SET config = (config #>> '{}')::jsonb WHERE jsonb_typeof(config) = 'string';
--> statement-breakpoint
UPDATE module_configurations SET config = NULL WHERE jsonb_typeof(config) = 'null';
--> statement-breakpoint
ALTER TABLE "accounting_sync_logs" ADD CONSTRAINT "ck_accounting_sync_logs_payload_summary_object" CHECK (payload_summary IS NULL OR jsonb_typeof(payload_summary) = 'object');
--> statement-breakpoint
ALTER TABLE "accounting_sync_logs" ADD CONSTRAINT "ck_accounting_sync_logs_error_details_object" CHECK (error_details IS NULL OR jsonb_typeof(error_details) = 'object');
--> statement-breakpoint
ALTER TABLE "accounting_sync_log_deletions" ADD CONSTRAINT "ck_deletions_redacted_row_object" CHECK (jsonb_typeof(redacted_row) = 'object');
--> statement-breakpoint
ALTER TABLE "module_configurations" ADD CONSTRAINT "ck_module_configurations_config_object" CHECK (config IS NULL OR jsonb_typeof(config) = 'object');
--> statement-breakpoint
-- 2. Rules of the domain, as CHECKs where one row decides them.
ALTER TABLE "accounting_sync_logs" ADD CONSTRAINT "ck_failed_sync_retains_error_details" CHECK (status NOT IN ('failed', 'partial') OR error_details IS NOT NULL);
--> statement-breakpoint
ALTER TABLE "accounting_sync_logs" ADD CONSTRAINT "ck_records_count_consistency" CHECK (status <> 'success' OR (records_failed = 0 AND records_synced = records_total));
--> statement-breakpoint
ALTER TABLE "accounting_sync_logs" ADD CONSTRAINT "ck_triggered_by_matches_sync_type" CHECK ((sync_type <> 'manual' OR triggered_by IS NOT NULL) AND (sync_type <> 'scheduled' OR triggered_by IS NULL));
--> statement-breakpoint
ALTER TABLE "accounting_sync_logs" ADD CONSTRAINT "ck_records_progress_within_total" CHECK (status NOT IN ('pending', 'in_progress') OR records_synced::bigint + records_failed <= records_total);
--> statement-breakpoint
-- 3. The chain recipe a row is (or will be) sealed with; see packages/db/README.md "The hash chain".
ALTER TABLE "accounting_sync_logs" ADD COLUMN "chain_recipe" integer DEFAULT 1 NOT NULL;
--> statement-breakpoint
ALTER TABLE "accounting_sync_logs" ADD CONSTRAINT "ck_accounting_sync_logs_chain_recipe" CHECK (chain_recipe IN (1));
--> statement-breakpoint
-- 4. syncLogs.list pages by (created_at, id): immutable, unlike started_at, which moves at start.
CREATE INDEX "idx_accounting_sync_logs_org_created" ON "accounting_sync_logs" USING btree ("organization_id","created_at","id");
--> statement-breakpoint
-- valid_status_transition: only the domain's STATUS_TRANSITIONS; and progress never goes back.
-- A terminal OLD row is left to the immutability trigger, so its error stays RECORD_IMMUTABLE.
CREATE FUNCTION accounting_sync_logs_valid_transition() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.status NOT IN ('pending', 'in_progress') THEN
    RETURN NEW;
  END IF;
  IF NEW.status IS DISTINCT FROM OLD.status AND (OLD.status, NEW.status) NOT IN (
    ('pending', 'in_progress'), ('pending', 'failed'),
    ('in_progress', 'success'), ('in_progress', 'partial'), ('in_progress', 'failed')
  ) THEN
    RAISE EXCEPTION 'INVALID_STATUS_TRANSITION: sync log % cannot move from % to %', OLD.id, OLD.status, NEW.status
      USING ERRCODE = 'MS003';
  END IF;
  IF NEW.status IN ('pending', 'in_progress')
    AND (NEW.records_synced < OLD.records_synced OR NEW.records_failed < OLD.records_failed) THEN
    RAISE EXCEPTION 'RECORDS_PROGRESS_DECREASED: sync log % reported fewer records than before', OLD.id
      USING ERRCODE = 'MS004';
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER trg_accounting_sync_logs_valid_transition
BEFORE UPDATE ON accounting_sync_logs
FOR EACH ROW EXECUTE FUNCTION accounting_sync_logs_valid_transition();
--> statement-breakpoint
-- accounting_module_must_be_enabled: no new active sync for an organization whose module is off.
-- An unknown organization is left to the foreign key (ORGANIZATION_NOT_FOUND).
CREATE FUNCTION accounting_sync_logs_require_enabled_module() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status IN ('pending', 'in_progress')
    AND EXISTS (SELECT 1 FROM organizations o WHERE o.id = NEW.organization_id)
    AND NOT EXISTS (SELECT 1 FROM module_configurations m WHERE m.organization_id = NEW.organization_id
      AND m.module = 'admin-accounting' AND m.enabled) THEN
    RAISE EXCEPTION 'ACCOUNTING_MODULE_DISABLED: organization % has the admin-accounting module disabled', NEW.organization_id
      USING ERRCODE = 'MS005';
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER trg_accounting_sync_logs_require_enabled_module
BEFORE INSERT ON accounting_sync_logs
FOR EACH ROW EXECUTE FUNCTION accounting_sync_logs_require_enabled_module();
