-- Signed webhooks (issue 15): endpoints, an outbox the terminal status writes into (trigger, same
-- transaction), one delivery per event and endpoint, and each attempt's log.
CREATE TABLE `webhook_endpoints` (
	`id` text PRIMARY KEY NOT NULL,
	`organization_id` text NOT NULL REFERENCES `organizations`(`id`) ON DELETE CASCADE,
	`url` text NOT NULL,
	`events` text NOT NULL,
	`secret_ciphertext` text NOT NULL,
	`created_by` text,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `webhook_endpoints_organization_idx` ON `webhook_endpoints` (`organization_id`);
--> statement-breakpoint
CREATE TABLE `webhook_outbox` (
	`id` text PRIMARY KEY NOT NULL,
	`organization_id` text NOT NULL,
	`event_type` text NOT NULL CONSTRAINT "ck_webhook_outbox_event_type" CHECK (event_type IN ('sync.succeeded', 'sync.partial', 'sync.failed', 'integration.health_changed', 'webhook.test')),
	`sync_log_id` text,
	`endpoint_id` text,
	`payload` text,
	`created_at` text NOT NULL,
	`fanned_out_at` text
);
--> statement-breakpoint
CREATE INDEX `webhook_outbox_pending_idx` ON `webhook_outbox` (`created_at`) WHERE fanned_out_at IS NULL;
--> statement-breakpoint
CREATE TABLE `webhook_deliveries` (
	`id` text PRIMARY KEY NOT NULL,
	`endpoint_id` text NOT NULL REFERENCES `webhook_endpoints`(`id`) ON DELETE CASCADE,
	`outbox_id` text NOT NULL,
	`organization_id` text NOT NULL,
	`event_type` text NOT NULL,
	`payload` text NOT NULL,
	`status` text NOT NULL CONSTRAINT "ck_webhook_deliveries_status" CHECK (status IN ('pending', 'succeeded', 'failed')),
	`attempts` integer DEFAULT 0 NOT NULL CONSTRAINT "ck_webhook_deliveries_attempts" CHECK (attempts >= 0),
	`next_attempt_at` text,
	`locked_until` text,
	`last_status_code` integer,
	`last_error` text,
	`created_at` text NOT NULL,
	`completed_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `webhook_deliveries_outbox_endpoint_uq` ON `webhook_deliveries` (`outbox_id`, `endpoint_id`);
--> statement-breakpoint
CREATE INDEX `webhook_deliveries_due_idx` ON `webhook_deliveries` (`next_attempt_at`) WHERE status = 'pending';
--> statement-breakpoint
CREATE INDEX `webhook_deliveries_endpoint_idx` ON `webhook_deliveries` (`endpoint_id`, `created_at`);
--> statement-breakpoint
CREATE TABLE `webhook_delivery_attempts` (
	`id` text PRIMARY KEY NOT NULL,
	`delivery_id` text NOT NULL REFERENCES `webhook_deliveries`(`id`) ON DELETE CASCADE,
	`attempt` integer NOT NULL,
	`attempted_at` text NOT NULL,
	`status_code` integer,
	`error` text,
	`duration_ms` integer NOT NULL,
	`next_retry_at` text
);
--> statement-breakpoint
CREATE INDEX `webhook_delivery_attempts_delivery_idx` ON `webhook_delivery_attempts` (`delivery_id`, `attempt`);
--> statement-breakpoint
-- The outbox row is written by the same UPDATE that makes a sync terminal, so no terminal status
-- exists without its event and no event exists for a rolled-back status.
CREATE TRIGGER `trg_accounting_sync_logs_webhook_outbox`
AFTER UPDATE OF `status` ON `accounting_sync_logs`
FOR EACH ROW
WHEN NEW.status IN ('success', 'partial', 'failed') AND OLD.status NOT IN ('success', 'partial', 'failed')
BEGIN
	INSERT INTO `webhook_outbox` (`id`, `organization_id`, `event_type`, `sync_log_id`, `created_at`)
	VALUES (
		lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || substr(lower(hex(randomblob(2))), 2) || '-' ||
			substr('89ab', 1 + (abs(random()) % 4), 1) || substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6))),
		NEW.organization_id,
		CASE NEW.status WHEN 'success' THEN 'sync.succeeded' WHEN 'partial' THEN 'sync.partial' ELSE 'sync.failed' END,
		NEW.id,
		strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
	);
END;
