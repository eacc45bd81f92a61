-- 0007: an attempt is owned through a lease with a fencing token. `lease_epoch` grows with every
-- claim in the organization (a successor's epoch is always higher than every earlier one);
-- `lease_expires_at` is renewed by the holder's heartbeat. The holder proves the lease (same epoch,
-- still in_progress, not expired) before every ledger write; the reaper fails a sync only after its
-- lease expired. Hand-written: drizzle-kit cannot express the triggers.
ALTER TABLE `accounting_sync_logs` ADD COLUMN `lease_epoch` integer;
--> statement-breakpoint
ALTER TABLE `accounting_sync_logs` ADD COLUMN `lease_expires_at` text;
--> statement-breakpoint
-- Attempts running while this migration applies get the first epoch and the default lease
-- (SYNC_STALE_AFTER_SECONDS, 120 s) from their last sign of life.
UPDATE accounting_sync_logs SET lease_epoch = 1,
  lease_expires_at = strftime('%Y-%m-%dT%H:%M:%fZ', COALESCE(heartbeat_at, started_at), '+120 seconds')
  WHERE status = 'in_progress';
--> statement-breakpoint
CREATE INDEX `idx_accounting_sync_logs_org_epoch` ON `accounting_sync_logs` (`organization_id`,`lease_epoch`);
--> statement-breakpoint
-- lease_held_while_running (see the PostgreSQL migration): one trigger per statement kind, since
-- SQLite's triggers cannot branch on TG_OP. Terminal rows are left to the immutability trigger.
CREATE TRIGGER trg_accounting_sync_logs_lease_insert
BEFORE INSERT ON accounting_sync_logs
WHEN (NEW.status = 'pending' AND (NEW.lease_epoch IS NOT NULL OR NEW.lease_expires_at IS NOT NULL))
  OR (NEW.status = 'in_progress' AND (NEW.lease_epoch IS NULL OR typeof(NEW.lease_epoch) <> 'integer'
    OR NEW.lease_epoch <= 0 OR NEW.lease_expires_at IS NULL
    OR strftime('%Y-%m-%dT%H:%M:%fZ', NEW.lease_expires_at) IS NOT NEW.lease_expires_at
    OR EXISTS (SELECT 1 FROM accounting_sync_logs e
      WHERE e.organization_id = NEW.organization_id AND e.lease_epoch >= NEW.lease_epoch)))
BEGIN
  SELECT RAISE(ABORT, 'LEASE_REQUIRED: an in_progress sync log needs a positive lease_epoch above the organization''s earlier ones and a canonical lease_expires_at; a pending one holds no lease');
END;
--> statement-breakpoint
CREATE TRIGGER trg_accounting_sync_logs_lease_required
BEFORE UPDATE ON accounting_sync_logs
WHEN (OLD.status = 'pending' AND NEW.status = 'pending'
    AND (NEW.lease_epoch IS NOT NULL OR NEW.lease_expires_at IS NOT NULL))
  OR (OLD.status IN ('pending', 'in_progress') AND NEW.status = 'in_progress'
    AND (NEW.lease_epoch IS NULL OR typeof(NEW.lease_epoch) <> 'integer' OR NEW.lease_epoch <= 0
      OR NEW.lease_expires_at IS NULL
      OR strftime('%Y-%m-%dT%H:%M:%fZ', NEW.lease_expires_at) IS NOT NEW.lease_expires_at))
BEGIN
  SELECT RAISE(ABORT, 'LEASE_REQUIRED: an in_progress sync log needs a positive lease_epoch and a canonical lease_expires_at; a pending one holds no lease');
END;
--> statement-breakpoint
CREATE TRIGGER trg_accounting_sync_logs_lease_epoch_grows
BEFORE UPDATE ON accounting_sync_logs
WHEN (OLD.status = 'in_progress' AND NEW.status = 'in_progress' AND NEW.lease_epoch IS NOT OLD.lease_epoch)
  OR (OLD.status = 'pending' AND NEW.status = 'in_progress' AND EXISTS (
    SELECT 1 FROM accounting_sync_logs e
    WHERE e.organization_id = NEW.organization_id AND e.id <> NEW.id AND e.lease_epoch >= NEW.lease_epoch))
BEGIN
  SELECT RAISE(ABORT, 'LEASE_EPOCH_NOT_GROWING: a claim''s epoch exceeds every earlier epoch of the organization and never changes while it runs');
END;
