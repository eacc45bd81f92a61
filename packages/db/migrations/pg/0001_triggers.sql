-- Rules the database holds itself, beyond CHECKs and indexes (drizzle-kit cannot express triggers).
-- SQLSTATE MS001 = record immutable, MS002 = tombstone required; the store maps both to DomainErrors.
-- immutable_on_terminal_status: a terminal row never changes. The terminal status and the chain seal
-- are written by the same UPDATE, so no legitimate write ever updates a terminal row.
CREATE FUNCTION accounting_sync_logs_refuse_terminal_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.status IN ('success', 'partial', 'failed') THEN
    RAISE EXCEPTION 'RECORD_IMMUTABLE: sync log % is % and can no longer change', OLD.id, OLD.status
      USING ERRCODE = 'MS001';
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER trg_accounting_sync_logs_immutable_on_terminal
BEFORE UPDATE ON accounting_sync_logs
FOR EACH ROW EXECUTE FUNCTION accounting_sync_logs_refuse_terminal_update();
--> statement-breakpoint
CREATE FUNCTION accounting_sync_logs_require_tombstone() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM accounting_sync_log_deletions d WHERE d.sync_log_id = OLD.id) THEN
    RAISE EXCEPTION 'TOMBSTONE_REQUIRED: write the deletion tombstone before deleting sync log %', OLD.id
      USING ERRCODE = 'MS002';
  END IF;
  RETURN OLD;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER trg_accounting_sync_logs_delete_requires_tombstone
BEFORE DELETE ON accounting_sync_logs
FOR EACH ROW EXECUTE FUNCTION accounting_sync_logs_require_tombstone();
--> statement-breakpoint
CREATE FUNCTION accounting_sync_log_deletions_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'RECORD_IMMUTABLE: deletion tombstones are append-only' USING ERRCODE = 'MS001';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER trg_accounting_sync_log_deletions_append_only
BEFORE UPDATE OR DELETE ON accounting_sync_log_deletions
FOR EACH ROW EXECUTE FUNCTION accounting_sync_log_deletions_append_only();
