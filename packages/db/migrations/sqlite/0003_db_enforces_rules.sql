-- 0003: the database refuses what the domain refuses, JSON columns hold JSON objects, list paging has
-- an immutable key, and every sealed row names its chain recipe. SQLite cannot add a CHECK to a table,
-- so accounting_sync_logs, its tombstones and module_configurations are rebuilt (nothing references
-- them by foreign key); organizations is referenced, so its new rules are triggers.
-- Rows are copied deliberately: datetimes to the canonical text (the store reads them canonical
-- already, so chain hashes do not change), JSON strings unwrapped to the object they hold. A row the
-- new rules refuse fails the migration rather than being altered silently.
DROP TRIGGER trg_accounting_sync_logs_immutable_on_terminal
--> statement-breakpoint
DROP TRIGGER trg_accounting_sync_logs_delete_requires_tombstone
--> statement-breakpoint
DROP TRIGGER trg_accounting_sync_log_deletions_append_only_update
--> statement-breakpoint
DROP TRIGGER trg_accounting_sync_log_deletions_append_only_delete
--> statement-breakpoint
CREATE TABLE `accounting_sync_log_deletions_0003` (
	`sync_log_id` text PRIMARY KEY NOT NULL,
	`organization_id` text NOT NULL,
	`deleted_by` text NOT NULL,
	`deleted_via` text NOT NULL,
	`deleted_at` text NOT NULL,
	`reason` text NOT NULL,
	`legal_basis` text NOT NULL,
	`chain_seq` integer,
	`chain_hash` text,
	`prev_hash` text,
	`redacted_row` text NOT NULL,
	CONSTRAINT "ck_deletions_legal_basis" CHECK(legal_basis IN ('compliance', 'data_subject_request')),
	CONSTRAINT "ck_deletions_redacted_row_object" CHECK(CASE WHEN json_valid(redacted_row) THEN json_type(redacted_row) = 'object' ELSE 0 END),
	CONSTRAINT "ck_deletions_deleted_at_canonical" CHECK(strftime('%Y-%m-%dT%H:%M:%fZ', deleted_at) IS deleted_at)
)
--> statement-breakpoint
INSERT INTO `accounting_sync_log_deletions_0003` (sync_log_id, organization_id, deleted_by, deleted_via, deleted_at, reason, legal_basis, chain_seq, chain_hash, prev_hash, redacted_row)
SELECT sync_log_id, organization_id, deleted_by, deleted_via, COALESCE(strftime('%Y-%m-%dT%H:%M:%fZ', deleted_at), deleted_at), reason, legal_basis, chain_seq, chain_hash, prev_hash, CASE WHEN json_valid(redacted_row) AND json_type(redacted_row) = 'text' THEN json_extract(redacted_row, '$') ELSE redacted_row END FROM `accounting_sync_log_deletions`
--> statement-breakpoint
DROP TABLE `accounting_sync_log_deletions`
--> statement-breakpoint
ALTER TABLE `accounting_sync_log_deletions_0003` RENAME TO `accounting_sync_log_deletions`
--> statement-breakpoint
CREATE INDEX `idx_accounting_sync_log_deletions_org_seq` ON `accounting_sync_log_deletions` (`organization_id`,`chain_seq`)
--> statement-breakpoint
CREATE TRIGGER trg_accounting_sync_log_deletions_append_only_update
BEFORE UPDATE ON accounting_sync_log_deletions
BEGIN
  SELECT RAISE(ABORT, 'RECORD_IMMUTABLE: deletion tombstones are append-only');
END
--> statement-breakpoint
CREATE TRIGGER trg_accounting_sync_log_deletions_append_only_delete
BEFORE DELETE ON accounting_sync_log_deletions
BEGIN
  SELECT RAISE(ABORT, 'RECORD_IMMUTABLE: deletion tombstones are append-only');
END
--> statement-breakpoint
CREATE TABLE `module_configurations_0003` (
	`organization_id` text NOT NULL,
	`module` text NOT NULL,
	`enabled` integer NOT NULL,
	`config` text,
	`updated_at` text NOT NULL,
	PRIMARY KEY(`organization_id`, `module`),
	FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "ck_module_configurations_config_object" CHECK(config IS NULL OR (CASE WHEN json_valid(config) THEN json_type(config) = 'object' ELSE 0 END)),
	CONSTRAINT "ck_module_configurations_enabled_boolean" CHECK(enabled IN (0, 1))
)
--> statement-breakpoint
INSERT INTO `module_configurations_0003` (organization_id, module, enabled, config, updated_at)
SELECT organization_id, module, enabled, CASE WHEN json_valid(config) AND json_type(config) = 'text' THEN json_extract(config, '$') WHEN json_valid(config) AND json_type(config) = 'null' THEN NULL ELSE config END, updated_at FROM `module_configurations`
--> statement-breakpoint
DROP TABLE `module_configurations`
--> statement-breakpoint
ALTER TABLE `module_configurations_0003` RENAME TO `module_configurations`
--> statement-breakpoint
CREATE TABLE `accounting_sync_logs_0003` (
	`id` text PRIMARY KEY NOT NULL,
	`organization_id` text NOT NULL,
	`accounting_system` text NOT NULL,
	`sync_type` text NOT NULL,
	`status` text NOT NULL,
	`triggered_by` text,
	`period_start` text NOT NULL,
	`period_end` text NOT NULL,
	`records_total` integer NOT NULL,
	`records_synced` integer NOT NULL,
	`records_failed` integer NOT NULL,
	`payload_summary` text,
	`error_details` text,
	`external_reference_id` text,
	`started_at` text NOT NULL,
	`completed_at` text,
	`created_at` text NOT NULL,
	`idempotency_key` text,
	`heartbeat_at` text,
	`claimed_by` text,
	`chain_seq` integer,
	`prev_hash` text,
	`chain_hash` text,
	`runner` text DEFAULT 'worker' NOT NULL,
	`chain_recipe` integer DEFAULT 1 NOT NULL,
	FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE restrict,
	CONSTRAINT "ck_accounting_sync_logs_status" CHECK(status IN ('pending', 'in_progress', 'success', 'partial', 'failed')),
	CONSTRAINT "ck_accounting_sync_logs_accounting_system" CHECK(accounting_system IN ('xledger', 'dynamics')),
	CONSTRAINT "ck_accounting_sync_logs_sync_type" CHECK(sync_type IN ('scheduled', 'manual', 'api')),
	CONSTRAINT "ck_accounting_sync_logs_runner" CHECK(runner IN ('worker', 'external')),
	CONSTRAINT "ck_records_counts_non_negative" CHECK(records_total >= 0 AND records_synced >= 0 AND records_failed >= 0),
	CONSTRAINT "ck_period_end_after_period_start" CHECK(period_end > period_start),
	CONSTRAINT "ck_completed_at_after_started_at" CHECK(completed_at IS NULL OR completed_at >= started_at),
	CONSTRAINT "ck_completed_at_null_while_active" CHECK((status IN ('pending', 'in_progress')) = (completed_at IS NULL)),
	CONSTRAINT "ck_sealed_exactly_when_terminal" CHECK((chain_hash IS NULL) = (status IN ('pending', 'in_progress'))),
	CONSTRAINT "ck_accounting_sync_logs_payload_summary_object" CHECK(payload_summary IS NULL OR (CASE WHEN json_valid(payload_summary) THEN json_type(payload_summary) = 'object' ELSE 0 END)),
	CONSTRAINT "ck_accounting_sync_logs_error_details_object" CHECK(error_details IS NULL OR (CASE WHEN json_valid(error_details) THEN json_type(error_details) = 'object' ELSE 0 END)),
	CONSTRAINT "ck_failed_sync_retains_error_details" CHECK(status NOT IN ('failed', 'partial') OR error_details IS NOT NULL),
	CONSTRAINT "ck_records_count_consistency" CHECK(status <> 'success' OR (records_failed = 0 AND records_synced = records_total)),
	CONSTRAINT "ck_triggered_by_matches_sync_type" CHECK((sync_type <> 'manual' OR triggered_by IS NOT NULL) AND (sync_type <> 'scheduled' OR triggered_by IS NULL)),
	CONSTRAINT "ck_records_progress_within_total" CHECK(status NOT IN ('pending', 'in_progress') OR records_synced + records_failed <= records_total),
	CONSTRAINT "ck_accounting_sync_logs_chain_recipe" CHECK(chain_recipe IN (1)),
	CONSTRAINT "ck_records_counts_integer" CHECK(typeof(records_total) = 'integer' AND records_total <= 2147483647 AND typeof(records_synced) = 'integer' AND records_synced <= 2147483647 AND typeof(records_failed) = 'integer' AND records_failed <= 2147483647),
	CONSTRAINT "ck_accounting_sync_logs_datetimes_canonical" CHECK(strftime('%Y-%m-%dT%H:%M:%fZ', period_start) IS period_start AND strftime('%Y-%m-%dT%H:%M:%fZ', period_end) IS period_end AND strftime('%Y-%m-%dT%H:%M:%fZ', started_at) IS started_at AND (completed_at IS NULL OR strftime('%Y-%m-%dT%H:%M:%fZ', completed_at) IS completed_at) AND strftime('%Y-%m-%dT%H:%M:%fZ', created_at) IS created_at AND (heartbeat_at IS NULL OR strftime('%Y-%m-%dT%H:%M:%fZ', heartbeat_at) IS heartbeat_at))
)
--> statement-breakpoint
INSERT INTO `accounting_sync_logs_0003` (id, organization_id, accounting_system, sync_type, status, triggered_by, period_start, period_end, records_total, records_synced, records_failed, payload_summary, error_details, external_reference_id, started_at, completed_at, created_at, idempotency_key, heartbeat_at, claimed_by, chain_seq, prev_hash, chain_hash, runner, chain_recipe)
SELECT id, organization_id, accounting_system, sync_type, status, triggered_by, COALESCE(strftime('%Y-%m-%dT%H:%M:%fZ', period_start), period_start), COALESCE(strftime('%Y-%m-%dT%H:%M:%fZ', period_end), period_end), records_total, records_synced, records_failed, CASE WHEN json_valid(payload_summary) AND json_type(payload_summary) = 'text' THEN json_extract(payload_summary, '$') WHEN json_valid(payload_summary) AND json_type(payload_summary) = 'null' THEN NULL ELSE payload_summary END, CASE WHEN json_valid(error_details) AND json_type(error_details) = 'text' THEN json_extract(error_details, '$') WHEN json_valid(error_details) AND json_type(error_details) = 'null' THEN NULL ELSE error_details END, external_reference_id, COALESCE(strftime('%Y-%m-%dT%H:%M:%fZ', started_at), started_at), COALESCE(strftime('%Y-%m-%dT%H:%M:%fZ', completed_at), completed_at), COALESCE(strftime('%Y-%m-%dT%H:%M:%fZ', created_at), created_at), idempotency_key, COALESCE(strftime('%Y-%m-%dT%H:%M:%fZ', heartbeat_at), heartbeat_at), claimed_by, chain_seq, prev_hash, chain_hash, runner, 1 FROM `accounting_sync_logs`
--> statement-breakpoint
DROP TABLE `accounting_sync_logs`
--> statement-breakpoint
ALTER TABLE `accounting_sync_logs_0003` RENAME TO `accounting_sync_logs`
--> statement-breakpoint
CREATE INDEX `idx_accounting_sync_logs_org_started` ON `accounting_sync_logs` (`organization_id`,`started_at`)
--> statement-breakpoint
CREATE INDEX `idx_accounting_sync_logs_org_status` ON `accounting_sync_logs` (`organization_id`,`status`)
--> statement-breakpoint
CREATE INDEX `idx_accounting_sync_logs_triggered_by` ON `accounting_sync_logs` (`triggered_by`)
--> statement-breakpoint
CREATE INDEX `idx_accounting_sync_logs_period` ON `accounting_sync_logs` (`organization_id`,`period_start`,`period_end`)
--> statement-breakpoint
CREATE INDEX `idx_accounting_sync_logs_status` ON `accounting_sync_logs` (`status`)
--> statement-breakpoint
CREATE UNIQUE INDEX `uq_accounting_sync_logs_one_active_per_org` ON `accounting_sync_logs` (`organization_id`) WHERE status IN ('pending', 'in_progress')
--> statement-breakpoint
CREATE UNIQUE INDEX `uq_accounting_sync_logs_idempotency_key` ON `accounting_sync_logs` (`organization_id`,`idempotency_key`) WHERE idempotency_key IS NOT NULL
--> statement-breakpoint
CREATE UNIQUE INDEX `uq_accounting_sync_logs_chain_seq` ON `accounting_sync_logs` (`organization_id`,`chain_seq`)
--> statement-breakpoint
CREATE INDEX `idx_accounting_sync_logs_org_created` ON `accounting_sync_logs` (`organization_id`,`created_at`,`id`)
--> statement-breakpoint
-- immutable_on_terminal_status (as in 0001).
CREATE TRIGGER trg_accounting_sync_logs_immutable_on_terminal
BEFORE UPDATE ON accounting_sync_logs
FOR EACH ROW WHEN OLD.status IN ('success', 'partial', 'failed')
BEGIN
  SELECT RAISE(ABORT, 'RECORD_IMMUTABLE: accounting_sync_logs row is in a terminal status');
END
--> statement-breakpoint
CREATE TRIGGER trg_accounting_sync_logs_delete_requires_tombstone
BEFORE DELETE ON accounting_sync_logs
FOR EACH ROW WHEN NOT EXISTS (SELECT 1 FROM accounting_sync_log_deletions d WHERE d.sync_log_id = OLD.id)
BEGIN
  SELECT RAISE(ABORT, 'TOMBSTONE_REQUIRED: write the deletion tombstone before deleting a sync log');
END
--> statement-breakpoint
-- valid_status_transition: only the domain's STATUS_TRANSITIONS. A terminal OLD row is left to the
-- immutability trigger, so its error stays RECORD_IMMUTABLE whatever order SQLite fires them in.
CREATE TRIGGER trg_accounting_sync_logs_valid_transition
BEFORE UPDATE OF status ON accounting_sync_logs
FOR EACH ROW WHEN OLD.status IN ('pending', 'in_progress') AND NEW.status IS NOT OLD.status
  AND NOT ((OLD.status = 'pending' AND NEW.status IN ('in_progress', 'failed'))
    OR (OLD.status = 'in_progress' AND NEW.status IN ('success', 'partial', 'failed')))
BEGIN
  SELECT RAISE(ABORT, 'INVALID_STATUS_TRANSITION: the status machine does not allow this move');
END
--> statement-breakpoint
-- Progress of an active sync never goes back (records_progress_bounded).
CREATE TRIGGER trg_accounting_sync_logs_progress_monotonic
BEFORE UPDATE OF records_synced, records_failed ON accounting_sync_logs
FOR EACH ROW WHEN OLD.status IN ('pending', 'in_progress') AND NEW.status IN ('pending', 'in_progress')
  AND (NEW.records_synced < OLD.records_synced OR NEW.records_failed < OLD.records_failed)
BEGIN
  SELECT RAISE(ABORT, 'RECORDS_PROGRESS_DECREASED: an active sync reported fewer records than before');
END
--> statement-breakpoint
-- Canonical (lower-case) UUIDs on every new row. A trigger, not a CHECK: rows sealed before 0003 keep
-- the id text they were hashed with (SQLite stored triggered_by as given), so they are copied as they are.
CREATE TRIGGER trg_accounting_sync_logs_uuid_canonical
BEFORE INSERT ON accounting_sync_logs
FOR EACH ROW WHEN NOT (NEW.id GLOB '[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]' AND NEW.organization_id GLOB '[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]'
  AND (NEW.triggered_by IS NULL OR NEW.triggered_by GLOB '[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]'))
BEGIN
  SELECT RAISE(ABORT, 'UUID_NOT_CANONICAL: sync log ids are lower-case canonical UUIDs');
END
--> statement-breakpoint
-- accounting_module_must_be_enabled. An unknown organization is left to the foreign key.
CREATE TRIGGER trg_accounting_sync_logs_require_enabled_module
BEFORE INSERT ON accounting_sync_logs
FOR EACH ROW WHEN NEW.status IN ('pending', 'in_progress')
  AND EXISTS (SELECT 1 FROM organizations o WHERE o.id = NEW.organization_id)
  AND NOT EXISTS (SELECT 1 FROM module_configurations m WHERE m.organization_id = NEW.organization_id
    AND m.module = 'admin-accounting' AND m.enabled = 1)
BEGIN
  SELECT RAISE(ABORT, 'ACCOUNTING_MODULE_DISABLED: the organization has the admin-accounting module disabled');
END
--> statement-breakpoint
-- Organizations are referenced by three tables, so a rebuild is off the table: new rows are checked
-- by trigger instead (PostgreSQL's uuid type only ever stores the canonical form).
CREATE TRIGGER trg_organizations_uuid_canonical
BEFORE INSERT ON organizations
FOR EACH ROW WHEN NOT (NEW.id GLOB '[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]')
BEGIN
  SELECT RAISE(ABORT, 'UUID_NOT_CANONICAL: organization ids are lower-case canonical UUIDs');
END
--> statement-breakpoint
CREATE TRIGGER trg_module_configurations_uuid_canonical
BEFORE INSERT ON module_configurations
FOR EACH ROW WHEN NOT (NEW.organization_id GLOB '[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]')
BEGIN
  SELECT RAISE(ABORT, 'UUID_NOT_CANONICAL: organization ids are lower-case canonical UUIDs');
END
