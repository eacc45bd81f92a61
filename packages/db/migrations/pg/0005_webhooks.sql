-- Signed webhooks (issue 15): endpoints, an outbox the terminal status writes into (trigger, same
-- transaction), one delivery per event and endpoint, and each attempt's log.
CREATE TABLE "webhook_endpoints" (
	"id" uuid PRIMARY KEY NOT NULL,
	"organization_id" uuid NOT NULL REFERENCES "organizations"("id") ON DELETE CASCADE,
	"url" text NOT NULL,
	"events" jsonb NOT NULL,
	"secret_ciphertext" text NOT NULL,
	"created_by" uuid,
	"created_at" timestamp(3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "webhook_endpoints_organization_idx" ON "webhook_endpoints" ("organization_id");
--> statement-breakpoint
CREATE TABLE "webhook_outbox" (
	"id" uuid PRIMARY KEY NOT NULL,
	"organization_id" uuid NOT NULL,
	"event_type" text NOT NULL CONSTRAINT "ck_webhook_outbox_event_type" CHECK (event_type IN ('sync.succeeded', 'sync.partial', 'sync.failed', 'integration.health_changed', 'webhook.test')),
	"sync_log_id" uuid,
	"endpoint_id" uuid,
	"payload" jsonb,
	"created_at" timestamp(3) with time zone NOT NULL,
	"fanned_out_at" timestamp(3) with time zone
);
--> statement-breakpoint
CREATE INDEX "webhook_outbox_pending_idx" ON "webhook_outbox" ("created_at") WHERE fanned_out_at IS NULL;
--> statement-breakpoint
CREATE TABLE "webhook_deliveries" (
	"id" uuid PRIMARY KEY NOT NULL,
	"endpoint_id" uuid NOT NULL REFERENCES "webhook_endpoints"("id") ON DELETE CASCADE,
	"outbox_id" uuid NOT NULL,
	"organization_id" uuid NOT NULL,
	"event_type" text NOT NULL,
	"payload" jsonb NOT NULL,
	"status" text NOT NULL CONSTRAINT "ck_webhook_deliveries_status" CHECK (status IN ('pending', 'succeeded', 'failed')),
	"attempts" integer DEFAULT 0 NOT NULL CONSTRAINT "ck_webhook_deliveries_attempts" CHECK (attempts >= 0),
	"next_attempt_at" timestamp(3) with time zone,
	"locked_until" timestamp(3) with time zone,
	"last_status_code" integer,
	"last_error" text,
	"created_at" timestamp(3) with time zone NOT NULL,
	"completed_at" timestamp(3) with time zone
);
--> statement-breakpoint
CREATE UNIQUE INDEX "webhook_deliveries_outbox_endpoint_uq" ON "webhook_deliveries" ("outbox_id", "endpoint_id");
--> statement-breakpoint
CREATE INDEX "webhook_deliveries_due_idx" ON "webhook_deliveries" ("next_attempt_at") WHERE status = 'pending';
--> statement-breakpoint
CREATE INDEX "webhook_deliveries_endpoint_idx" ON "webhook_deliveries" ("endpoint_id", "created_at");
--> statement-breakpoint
CREATE TABLE "webhook_delivery_attempts" (
	"id" uuid PRIMARY KEY NOT NULL,
	"delivery_id" uuid NOT NULL REFERENCES "webhook_deliveries"("id") ON DELETE CASCADE,
	"attempt" integer NOT NULL,
	"attempted_at" timestamp(3) with time zone NOT NULL,
	"status_code" integer,
	"error" text,
	"duration_ms" integer NOT NULL,
	"next_retry_at" timestamp(3) with time zone
);
--> statement-breakpoint
CREATE INDEX "webhook_delivery_attempts_delivery_idx" ON "webhook_delivery_attempts" ("delivery_id", "attempt");
--> statement-breakpoint
-- The outbox row is written by the same UPDATE that makes a sync terminal, so no terminal status
-- exists without its event and no event exists for a rolled-back status.
CREATE FUNCTION accounting_sync_logs_webhook_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO webhook_outbox (id, organization_id, event_type, sync_log_id, created_at)
  VALUES (
    gen_random_uuid(),
    NEW.organization_id,
    CASE NEW.status WHEN 'success' THEN 'sync.succeeded' WHEN 'partial' THEN 'sync.partial' ELSE 'sync.failed' END,
    NEW.id,
    clock_timestamp()
  );
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER trg_accounting_sync_logs_webhook_outbox
AFTER UPDATE OF status ON accounting_sync_logs
FOR EACH ROW
WHEN (NEW.status IN ('success', 'partial', 'failed') AND OLD.status NOT IN ('success', 'partial', 'failed'))
EXECUTE FUNCTION accounting_sync_logs_webhook_outbox();
