-- 0013: reversal (issue 24). A reversal is its own sync; the first reversal of a sync names it in
-- `reverses_sync_log_id` (re-syncs of a reversal carry it in their payload summary only), and the
-- unique index refuses a second reversal of the same sync whatever raced past the store. A record
-- a success or partial sync posted stays unchangeable, except for one update: its release (the
-- posting sync cleared and its posting round one up, nothing else changed) once a reversal of its
-- posting sync exists. The round names the record's open posting in the ledger: a record exported
-- again after its reversal is posted under its next round's key, not read back as its first posting.
-- Numbered 0013: 0012 is left to the export stream's change (branch feed).
ALTER TABLE `accounting_sync_logs` ADD `reverses_sync_log_id` text;
--> statement-breakpoint
CREATE UNIQUE INDEX `uq_accounting_sync_logs_one_reversal` ON `accounting_sync_logs` (`reverses_sync_log_id`) WHERE reverses_sync_log_id IS NOT NULL;
--> statement-breakpoint
ALTER TABLE `expense_records` ADD `posting_round` integer DEFAULT 1 NOT NULL CONSTRAINT "ck_expense_records_posting_round" CHECK (posting_round >= 1);
--> statement-breakpoint
CREATE INDEX `idx_expense_records_posted_by` ON `expense_records` (`posted_by_sync_log_id`, `id`) WHERE posted_by_sync_log_id IS NOT NULL;
--> statement-breakpoint
-- A reversal reverses a success or partial sync of its own organization, and is named at insert only.
CREATE TRIGGER trg_accounting_sync_logs_reversal_of_posted
BEFORE INSERT ON accounting_sync_logs
FOR EACH ROW WHEN NEW.reverses_sync_log_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM accounting_sync_logs s
  WHERE s.id = NEW.reverses_sync_log_id AND s.organization_id = NEW.organization_id AND s.status IN ('success', 'partial'))
BEGIN
  SELECT RAISE(ABORT, 'SYNC_NOT_REVERSIBLE: only a success or partial sync of the same organization can be reversed');
END
--> statement-breakpoint
CREATE TRIGGER trg_accounting_sync_logs_reversal_fixed
BEFORE UPDATE OF reverses_sync_log_id ON accounting_sync_logs
FOR EACH ROW WHEN NEW.reverses_sync_log_id IS NOT OLD.reverses_sync_log_id
BEGIN
  SELECT RAISE(ABORT, 'RECORD_IMMUTABLE: what a reversal reverses never changes');
END
--> statement-breakpoint
DROP TRIGGER trg_expense_records_posted_unchangeable;
--> statement-breakpoint
CREATE TRIGGER trg_expense_records_posted_unchangeable
BEFORE UPDATE ON expense_records
WHEN OLD.posted_by_sync_log_id IS NOT NULL AND NOT (
  NEW.posted_by_sync_log_id IS NULL AND NEW.posting_round IS OLD.posting_round + 1
  AND NEW.id IS OLD.id AND NEW.organization_id IS OLD.organization_id AND NEW.kind IS OLD.kind
  AND NEW.currency IS OLD.currency AND NEW.booking_date IS OLD.booking_date
  AND NEW.approval_state IS OLD.approval_state AND NEW.description IS OLD.description
  AND NEW.version IS OLD.version AND NEW.employee_number IS OLD.employee_number
  AND NEW.receipt_url IS OLD.receipt_url AND NEW.content_hash IS OLD.content_hash
  AND NEW.updated_at IS OLD.updated_at AND NEW.withdrawn_at IS OLD.withdrawn_at
  AND EXISTS (SELECT 1 FROM accounting_sync_logs s WHERE s.reverses_sync_log_id = OLD.posted_by_sync_log_id))
BEGIN
  SELECT RAISE(ABORT, 'RECORD_ALREADY_POSTED: a posted expense record cannot change');
END
--> statement-breakpoint
-- The round moves only with a release, by one: whatever else changes a record leaves it alone.
CREATE TRIGGER trg_expense_records_posting_round_moves_on_release
BEFORE UPDATE OF posting_round ON expense_records
WHEN NEW.posting_round IS NOT OLD.posting_round AND NOT (
  OLD.posted_by_sync_log_id IS NOT NULL AND NEW.posted_by_sync_log_id IS NULL
  AND NEW.posting_round IS OLD.posting_round + 1)
BEGIN
  SELECT RAISE(ABORT, 'RECORD_IMMUTABLE: a posting round moves only when a reversal releases the record');
END
