-- Unverified postings (issue 22): see the PostgreSQL migration of the same number for the why.
CREATE TABLE `unverified_postings` (
	`id` text PRIMARY KEY NOT NULL,
	`organization_id` text NOT NULL REFERENCES `organizations`(`id`) ON DELETE CASCADE,
	`accounting_system` text NOT NULL CONSTRAINT "ck_unverified_postings_accounting_system" CHECK (accounting_system IN ('xledger', 'dynamics')),
	`record_id` text NOT NULL,
	`sync_log_id` text NOT NULL,
	`last_sync_log_id` text NOT NULL,
	`code` text NOT NULL,
	`reason` text NOT NULL,
	`first_seen_at` text NOT NULL,
	`last_seen_at` text NOT NULL,
	`resolved_at` text,
	`resolution` text,
	`resolved_by` text,
	`resolved_sync_log_id` text,
	CONSTRAINT "ck_unverified_postings_resolution" CHECK (resolution IN ('found', 'confirmed_unposted')),
	CONSTRAINT "ck_unverified_postings_resolved_together" CHECK ((resolved_at IS NULL) = (resolution IS NULL) AND (resolved_at IS NULL) = (resolved_sync_log_id IS NULL)),
	CONSTRAINT "ck_unverified_postings_confirmed_by" CHECK (resolution IS NULL OR resolution <> 'confirmed_unposted' OR resolved_by IS NOT NULL),
	CONSTRAINT "ck_unverified_postings_seen_order" CHECK (last_seen_at >= first_seen_at AND (resolved_at IS NULL OR resolved_at >= first_seen_at)),
	CONSTRAINT "ck_unverified_postings_text_bounded" CHECK (length(record_id) BETWEEN 1 AND 200 AND length(code) BETWEEN 1 AND 120 AND length(reason) <= 1000),
	CONSTRAINT "ck_unverified_postings_datetimes_canonical" CHECK (strftime('%Y-%m-%dT%H:%M:%fZ', first_seen_at) IS first_seen_at AND strftime('%Y-%m-%dT%H:%M:%fZ', last_seen_at) IS last_seen_at AND (resolved_at IS NULL OR strftime('%Y-%m-%dT%H:%M:%fZ', resolved_at) IS resolved_at))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `uq_unverified_postings_open_record` ON `unverified_postings` (`organization_id`, `record_id`) WHERE resolved_at IS NULL;
--> statement-breakpoint
CREATE INDEX `idx_unverified_postings_org_resolved` ON `unverified_postings` (`organization_id`, `resolved_at`);
--> statement-breakpoint
CREATE TRIGGER `trg_unverified_postings_immutable_when_resolved`
BEFORE UPDATE ON `unverified_postings`
FOR EACH ROW
WHEN OLD.resolved_at IS NOT NULL
BEGIN
	SELECT RAISE(ABORT, 'RECORD_IMMUTABLE: an unverified posting that was resolved can no longer change');
END;
--> statement-breakpoint
CREATE TABLE `ledger_request_totals` (
	`accounting_system` text PRIMARY KEY NOT NULL,
	`reads` integer NOT NULL,
	`writes` integer NOT NULL,
	CONSTRAINT "ck_ledger_request_totals_accounting_system" CHECK (accounting_system IN ('xledger', 'dynamics')),
	CONSTRAINT "ck_ledger_request_totals_non_negative" CHECK (reads >= 0 AND writes >= 0)
);
--> statement-breakpoint
CREATE TRIGGER `trg_accounting_sync_logs_count_ledger_requests`
AFTER UPDATE OF `status` ON `accounting_sync_logs`
FOR EACH ROW
WHEN NEW.status IN ('success', 'partial', 'failed') AND OLD.status NOT IN ('success', 'partial', 'failed')
	AND json_type(NEW.payload_summary, '$.ledgerRequests') = 'object'
BEGIN
	INSERT INTO `ledger_request_totals` (`accounting_system`, `reads`, `writes`)
	VALUES (
		NEW.accounting_system,
		COALESCE(json_extract(NEW.payload_summary, '$.ledgerRequests.reads'), 0),
		COALESCE(json_extract(NEW.payload_summary, '$.ledgerRequests.writes'), 0)
	)
	ON CONFLICT (`accounting_system`) DO UPDATE
		SET `reads` = `reads` + excluded.`reads`, `writes` = `writes` + excluded.`writes`;
END;
