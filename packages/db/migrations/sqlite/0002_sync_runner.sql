-- Who drives a sync: this product's worker, or an external runner that recorded it through
-- syncLogs.create. ADD COLUMN keeps the table (and its triggers) in place, unlike a table rebuild.
ALTER TABLE `accounting_sync_logs` ADD COLUMN `runner` text DEFAULT 'worker' NOT NULL CONSTRAINT "ck_accounting_sync_logs_runner" CHECK (runner IN ('worker', 'external'));
