-- Rules the database holds itself, beyond CHECKs and indexes (drizzle-kit cannot express triggers).
-- immutable_on_terminal_status: a terminal row never changes. The terminal status and the chain seal
-- are written by the same UPDATE, so no legitimate write ever updates a terminal row.
CREATE TRIGGER trg_accounting_sync_logs_immutable_on_terminal
BEFORE UPDATE ON accounting_sync_logs
FOR EACH ROW WHEN OLD.status IN ('success', 'partial', 'failed')
BEGIN
  SELECT RAISE(ABORT, 'RECORD_IMMUTABLE: accounting_sync_logs row is in a terminal status');
END;
--> statement-breakpoint
-- A sync log is deleted only after its tombstone was written (same transaction in the store).
CREATE TRIGGER trg_accounting_sync_logs_delete_requires_tombstone
BEFORE DELETE ON accounting_sync_logs
FOR EACH ROW WHEN NOT EXISTS (SELECT 1 FROM accounting_sync_log_deletions d WHERE d.sync_log_id = OLD.id)
BEGIN
  SELECT RAISE(ABORT, 'TOMBSTONE_REQUIRED: write the deletion tombstone before deleting a sync log');
END;
--> statement-breakpoint
-- Tombstones are themselves audit evidence: append-only.
CREATE TRIGGER trg_accounting_sync_log_deletions_append_only_update
BEFORE UPDATE ON accounting_sync_log_deletions
BEGIN
  SELECT RAISE(ABORT, 'RECORD_IMMUTABLE: deletion tombstones are append-only');
END;
--> statement-breakpoint
CREATE TRIGGER trg_accounting_sync_log_deletions_append_only_delete
BEFORE DELETE ON accounting_sync_log_deletions
BEGIN
  SELECT RAISE(ABORT, 'RECORD_IMMUTABLE: deletion tombstones are append-only');
END;
