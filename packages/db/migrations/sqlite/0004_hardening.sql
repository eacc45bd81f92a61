-- Signed checkpoints: the product's Ed25519 signature over an organization's chain head
-- {organizationId, seq, hash, count, at}. Kept outside the sync-log tables and append-only.
-- No foreign key to organizations: a checkpoint must outlive whatever it vouches for.
-- SQLite has no TRUNCATE: `DELETE FROM accounting_sync_logs` without WHERE runs the row trigger
-- trg_accounting_sync_logs_delete_requires_tombstone for every row (SQLite's truncate optimisation
-- is off for tables with triggers), so it is refused like a single delete.
CREATE TABLE `audit_checkpoints` (
	`organization_id` text NOT NULL,
	`seq` integer NOT NULL,
	`hash` text NOT NULL,
	`count` integer NOT NULL,
	`at` text NOT NULL,
	`signature` text NOT NULL,
	`public_key` text NOT NULL,
	`key_id` text NOT NULL,
	PRIMARY KEY(`organization_id`, `seq`, `key_id`),
	CONSTRAINT "ck_audit_checkpoints_non_negative" CHECK(seq >= 0 AND count >= 0 AND count <= seq)
);
--> statement-breakpoint
CREATE TRIGGER trg_audit_checkpoints_append_only_update
BEFORE UPDATE ON audit_checkpoints
BEGIN
  SELECT RAISE(ABORT, 'RECORD_IMMUTABLE: audit checkpoints are append-only');
END;
--> statement-breakpoint
CREATE TRIGGER trg_audit_checkpoints_append_only_delete
BEFORE DELETE ON audit_checkpoints
BEGIN
  SELECT RAISE(ABORT, 'RECORD_IMMUTABLE: audit checkpoints are append-only');
END;
