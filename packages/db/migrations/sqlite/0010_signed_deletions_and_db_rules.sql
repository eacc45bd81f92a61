-- 0010: deletions are signed, and the database refuses what it still accepted (issue 23).
-- A deletion through syncLogs.delete carries the product's Ed25519 signature over its facts
-- (who, which link, when, why); a tombstone written by the database owner has none, and
-- audit.verify reports it. SQLite cannot add a CHECK to an existing table, so the new rules are
-- triggers whose messages name the same constraints as PostgreSQL's CHECKs.
ALTER TABLE `accounting_sync_log_deletions` ADD `signature` text
--> statement-breakpoint
ALTER TABLE `accounting_sync_log_deletions` ADD `key_id` text
--> statement-breakpoint
CREATE TRIGGER trg_deletions_deleted_via
BEFORE INSERT ON accounting_sync_log_deletions
FOR EACH ROW WHEN NEW.deleted_via IS NOT 'audit-log-service'
BEGIN
  SELECT RAISE(ABORT, 'CHECK constraint failed: ck_deletions_deleted_via');
END
--> statement-breakpoint
CREATE TRIGGER trg_deletions_signed_together
BEFORE INSERT ON accounting_sync_log_deletions
FOR EACH ROW WHEN (NEW.signature IS NULL) <> (NEW.key_id IS NULL)
BEGIN
  SELECT RAISE(ABORT, 'CHECK constraint failed: ck_deletions_signed_together');
END
--> statement-breakpoint
-- A NULL error_details is ck_failed_sync_retains_error_details' to report (0003).
-- The row rules below apply where a row becomes terminal: a terminal row is immutable anyway
-- (0001), and an active row's counts are held by ck_records_progress_within_total (0003).
-- A sync log is born pending: a row inserted already terminal would carry made-up counts and hashes.
CREATE TRIGGER trg_accounting_sync_logs_insert_pending
BEFORE INSERT ON accounting_sync_logs
FOR EACH ROW WHEN NEW.status IS NOT 'pending'
BEGIN
  SELECT RAISE(ABORT, 'INVALID_STATUS_TRANSITION: a sync log is created pending, never in another status');
END
--> statement-breakpoint
CREATE TRIGGER trg_accounting_sync_logs_within_total
BEFORE UPDATE ON accounting_sync_logs
FOR EACH ROW WHEN OLD.status IN ('pending', 'in_progress') AND NEW.status IN ('success', 'partial', 'failed')
  AND NEW.records_synced + NEW.records_failed > NEW.records_total
BEGIN
  SELECT RAISE(ABORT, 'CHECK constraint failed: ck_records_within_total');
END
--> statement-breakpoint
CREATE TRIGGER trg_accounting_sync_logs_error_details_shape
BEFORE UPDATE ON accounting_sync_logs
FOR EACH ROW WHEN OLD.status IN ('pending', 'in_progress') AND NEW.status IN ('failed', 'partial')
  AND NEW.error_details IS NOT NULL
  AND (COALESCE(json_type(NEW.error_details, '$.code'), '') <> 'text'
    OR COALESCE(json_type(NEW.error_details, '$.message'), '') <> 'text'
    OR json_extract(NEW.error_details, '$.code') = '')
BEGIN
  SELECT RAISE(ABORT, 'CHECK constraint failed: ck_error_details_code_and_message');
END
--> statement-breakpoint
CREATE TRIGGER trg_accounting_sync_logs_partial_counts_explained
BEFORE UPDATE ON accounting_sync_logs
FOR EACH ROW WHEN OLD.status IN ('pending', 'in_progress') AND NEW.status = 'partial'
  AND NEW.records_synced + NEW.records_failed <> NEW.records_total
  AND NOT EXISTS (SELECT 1 FROM json_each(NEW.error_details, '$.warnings') w
    WHERE json_extract(w.value, '$.rule') = 'records_count_consistency')
BEGIN
  SELECT RAISE(ABORT, 'CHECK constraint failed: ck_partial_counts_explained');
END
--> statement-breakpoint
-- A new sync is for the system the organization's accounting module books to (the domain's check
-- in planCreate): a raw insert for the other system would post nowhere the configuration names.
CREATE TRIGGER trg_accounting_sync_logs_system_matches_module
BEFORE INSERT ON accounting_sync_logs
FOR EACH ROW WHEN EXISTS (SELECT 1 FROM module_configurations m WHERE m.organization_id = NEW.organization_id
    AND m.module = 'admin-accounting' AND json_extract(m.config, '$.accountingSystem') IS NOT NULL
    AND json_extract(m.config, '$.accountingSystem') <> NEW.accounting_system)
BEGIN
  SELECT RAISE(ABORT, 'CHECK constraint failed: ck_accounting_system_matches_module');
END
