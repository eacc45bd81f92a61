-- 0007: an attempt is owned through a lease with a fencing token. `lease_epoch` grows with every
-- claim in the organization (a successor's epoch is always higher than every earlier one);
-- `lease_expires_at` is renewed by the holder's heartbeat. The holder proves the lease (same epoch,
-- still in_progress, not expired) before every ledger write; the reaper fails a sync only after its
-- lease expired. Hand-written: drizzle-kit cannot express the trigger.
ALTER TABLE "accounting_sync_logs" ADD COLUMN "lease_epoch" integer;
--> statement-breakpoint
ALTER TABLE "accounting_sync_logs" ADD COLUMN "lease_expires_at" timestamp (3) with time zone;
--> statement-breakpoint
-- Attempts running while this migration applies get the first epoch and the default lease
-- (SYNC_STALE_AFTER_SECONDS, 120 s) from their last sign of life.
UPDATE accounting_sync_logs SET lease_epoch = 1,
  lease_expires_at = COALESCE(heartbeat_at, started_at) + interval '120 seconds'
  WHERE status = 'in_progress';
--> statement-breakpoint
CREATE INDEX "idx_accounting_sync_logs_org_epoch" ON "accounting_sync_logs" USING btree ("organization_id","lease_epoch");
--> statement-breakpoint
-- lease_held_while_running: a pending row holds no lease; a claim (pending → in_progress, or an
-- in_progress insert) takes a positive epoch above every earlier epoch of the organization and an
-- expiry; a running attempt keeps its epoch. Other moves are left to the status machine's and the
-- immutability triggers, so their refusals keep their own codes.
CREATE FUNCTION accounting_sync_logs_lease() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  old_status text := CASE WHEN TG_OP = 'UPDATE' THEN OLD.status END;
BEGIN
  IF NEW.status = 'pending' AND (old_status IS NULL OR old_status = 'pending')
    AND (NEW.lease_epoch IS NOT NULL OR NEW.lease_expires_at IS NOT NULL) THEN
    RAISE EXCEPTION 'LEASE_REQUIRED: a pending sync log holds no lease' USING ERRCODE = 'MS006';
  END IF;
  IF NEW.status = 'in_progress' AND (old_status IS NULL OR old_status IN ('pending', 'in_progress'))
    AND (NEW.lease_epoch IS NULL OR NEW.lease_epoch <= 0 OR NEW.lease_expires_at IS NULL) THEN
    RAISE EXCEPTION 'LEASE_REQUIRED: an in_progress sync log needs a positive lease_epoch and a lease_expires_at'
      USING ERRCODE = 'MS006';
  END IF;
  IF old_status = 'in_progress' AND NEW.status = 'in_progress' AND NEW.lease_epoch IS DISTINCT FROM OLD.lease_epoch THEN
    RAISE EXCEPTION 'LEASE_EPOCH_NOT_GROWING: the epoch of a running attempt never changes' USING ERRCODE = 'MS006';
  END IF;
  IF NEW.status = 'in_progress' AND (old_status IS NULL OR old_status = 'pending') AND EXISTS (
    SELECT 1 FROM accounting_sync_logs e
    WHERE e.organization_id = NEW.organization_id AND e.id <> NEW.id AND e.lease_epoch >= NEW.lease_epoch
  ) THEN
    RAISE EXCEPTION 'LEASE_EPOCH_NOT_GROWING: a claim''s epoch must exceed every earlier epoch of organization %',
      NEW.organization_id USING ERRCODE = 'MS006';
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER trg_accounting_sync_logs_lease
BEFORE INSERT OR UPDATE ON accounting_sync_logs
FOR EACH ROW EXECUTE FUNCTION accounting_sync_logs_lease();
