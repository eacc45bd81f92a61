-- 0011: expense records as Meander's expense system hands them over (issue 24, intake). One current
-- version per record id (the primary key stays `id`): an upsert replaces the row and its lines under
-- a higher version. The net amount and account move to expense_record_lines (1–50 lines per record);
-- every existing record becomes one line (its account and amount, VAT ZERO, no VAT), a demo employee
-- E001…E010 and version 1. Hand-written: drizzle-kit cannot express the triggers or the data move.
ALTER TABLE `expense_records` ADD `version` integer DEFAULT 1 NOT NULL CONSTRAINT "ck_expense_records_version_positive" CHECK(version >= 1);
--> statement-breakpoint
ALTER TABLE `expense_records` ADD `employee_number` text DEFAULT 'E001' NOT NULL;
--> statement-breakpoint
ALTER TABLE `expense_records` ADD `receipt_url` text CONSTRAINT "ck_expense_records_receipt_url_https" CHECK(receipt_url IS NULL OR receipt_url LIKE 'https://%');
--> statement-breakpoint
ALTER TABLE `expense_records` ADD `posting_hold` text CONSTRAINT "ck_expense_records_posting_hold" CHECK(posting_hold IS NULL OR posting_hold IN ('multiple_lines', 'vat', 'dimensions'));
--> statement-breakpoint
-- Migrated rows never came through the intake: the store compares a re-sent version 1 with their
-- stored content instead of a hash (see expense-record-upsert.ts).
ALTER TABLE `expense_records` ADD `content_hash` text DEFAULT 'legacy-0011' NOT NULL;
--> statement-breakpoint
ALTER TABLE `expense_records` ADD `updated_at` text DEFAULT '1970-01-01T00:00:00.000Z' NOT NULL;
--> statement-breakpoint
ALTER TABLE `expense_records` ADD `withdrawn_at` text;
--> statement-breakpoint
ALTER TABLE `expense_records` ADD `posted_by_sync_log_id` text CONSTRAINT "ck_expense_records_posted_not_withdrawn" CHECK(posted_by_sync_log_id IS NULL OR withdrawn_at IS NULL) CONSTRAINT "ck_expense_records_posted_is_approved" CHECK(posted_by_sync_log_id IS NULL OR approval_state = 'approved');
--> statement-breakpoint
UPDATE `expense_records` SET `updated_at` = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),
  `employee_number` = 'E' || substr('00' || (((o.n - 1) % 10) + 1), -3)
FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM `expense_records`) AS o
WHERE `expense_records`.id = o.id;
--> statement-breakpoint
CREATE TABLE `expense_record_lines` (
	`record_id` text NOT NULL,
	`line_no` integer NOT NULL,
	`account` text NOT NULL,
	`amount_minor` integer NOT NULL,
	`vat_code` text NOT NULL,
	`vat_amount_minor` integer NOT NULL,
	`department` text,
	`project` text,
	`cost_centre` text,
	PRIMARY KEY(`record_id`, `line_no`),
	FOREIGN KEY (`record_id`) REFERENCES `expense_records`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "ck_expense_record_lines_amount_positive" CHECK(amount_minor > 0),
	CONSTRAINT "ck_expense_record_lines_vat_non_negative" CHECK(vat_amount_minor >= 0),
	CONSTRAINT "ck_expense_record_lines_vat_code" CHECK(vat_code IN ('HIGH', 'MEDIUM', 'LOW', 'ZERO', 'EXEMPT')),
	CONSTRAINT "ck_expense_record_lines_line_no" CHECK(line_no >= 1 AND line_no <= 50)
);
--> statement-breakpoint
-- A legacy amount that is not positive cannot become a line (a line's net amount is > 0): such a
-- record is withdrawn, never exported again, rather than posted with a sign the intake refuses.
UPDATE `expense_records` SET `withdrawn_at` = `updated_at` WHERE `amount_minor` <= 0;
--> statement-breakpoint
INSERT INTO `expense_record_lines` (`record_id`, `line_no`, `account`, `amount_minor`, `vat_code`, `vat_amount_minor`)
SELECT `id`, 1, `account`, `amount_minor`, 'ZERO', 0 FROM `expense_records` WHERE `amount_minor` > 0;
--> statement-breakpoint
ALTER TABLE `expense_records` DROP COLUMN `amount_minor`;
--> statement-breakpoint
ALTER TABLE `expense_records` DROP COLUMN `account`;
--> statement-breakpoint
CREATE TRIGGER trg_expense_records_posted_unchangeable
BEFORE UPDATE ON expense_records
WHEN OLD.posted_by_sync_log_id IS NOT NULL
BEGIN
  SELECT RAISE(ABORT, 'RECORD_ALREADY_POSTED: a posted expense record cannot change');
END
--> statement-breakpoint
CREATE TRIGGER trg_expense_records_posted_undeletable
BEFORE DELETE ON expense_records
WHEN OLD.posted_by_sync_log_id IS NOT NULL
BEGIN
  SELECT RAISE(ABORT, 'RECORD_ALREADY_POSTED: a posted expense record cannot be deleted');
END
--> statement-breakpoint
CREATE TRIGGER trg_expense_records_version_not_lower
BEFORE UPDATE ON expense_records
WHEN NEW.version < OLD.version
BEGIN
  SELECT RAISE(ABORT, 'VERSION_NOT_NEWER: an expense record version never goes down');
END
--> statement-breakpoint
CREATE TRIGGER trg_expense_records_one_payload_per_version
BEFORE UPDATE ON expense_records
WHEN NEW.version = OLD.version AND NEW.content_hash <> OLD.content_hash AND OLD.content_hash <> 'legacy-0011'
BEGIN
  SELECT RAISE(ABORT, 'VERSION_PAYLOAD_CONFLICT: one version of an expense record has one payload');
END
--> statement-breakpoint
CREATE TRIGGER trg_expense_record_lines_posted_insert
BEFORE INSERT ON expense_record_lines
WHEN (SELECT posted_by_sync_log_id FROM expense_records WHERE id = NEW.record_id) IS NOT NULL
BEGIN
  SELECT RAISE(ABORT, 'RECORD_ALREADY_POSTED: a posted expense record cannot change');
END
--> statement-breakpoint
CREATE TRIGGER trg_expense_record_lines_posted_update
BEFORE UPDATE ON expense_record_lines
WHEN (SELECT posted_by_sync_log_id FROM expense_records WHERE id = OLD.record_id) IS NOT NULL
BEGIN
  SELECT RAISE(ABORT, 'RECORD_ALREADY_POSTED: a posted expense record cannot change');
END
--> statement-breakpoint
CREATE TRIGGER trg_expense_record_lines_posted_delete
BEFORE DELETE ON expense_record_lines
WHEN (SELECT posted_by_sync_log_id FROM expense_records WHERE id = OLD.record_id) IS NOT NULL
BEGIN
  SELECT RAISE(ABORT, 'RECORD_ALREADY_POSTED: a posted expense record cannot change');
END
