CREATE TABLE "accounting_sync_log_deletions" (
	"sync_log_id" uuid PRIMARY KEY NOT NULL,
	"organization_id" uuid NOT NULL,
	"deleted_by" uuid NOT NULL,
	"deleted_via" text NOT NULL,
	"deleted_at" timestamp(3) with time zone NOT NULL,
	"reason" text NOT NULL,
	"legal_basis" text NOT NULL,
	"chain_seq" integer,
	"chain_hash" text,
	"prev_hash" text,
	"redacted_row" jsonb NOT NULL,
	CONSTRAINT "ck_deletions_legal_basis" CHECK (legal_basis IN ('compliance', 'data_subject_request'))
);
--> statement-breakpoint
CREATE TABLE "accounting_sync_logs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"organization_id" uuid NOT NULL,
	"accounting_system" text NOT NULL,
	"sync_type" text NOT NULL,
	"status" text NOT NULL,
	"triggered_by" uuid,
	"period_start" timestamp(3) with time zone NOT NULL,
	"period_end" timestamp(3) with time zone NOT NULL,
	"records_total" integer NOT NULL,
	"records_synced" integer NOT NULL,
	"records_failed" integer NOT NULL,
	"payload_summary" jsonb,
	"error_details" jsonb,
	"external_reference_id" text,
	"started_at" timestamp(3) with time zone NOT NULL,
	"completed_at" timestamp(3) with time zone,
	"created_at" timestamp(3) with time zone NOT NULL,
	"idempotency_key" text,
	"heartbeat_at" timestamp(3) with time zone,
	"claimed_by" text,
	"chain_seq" integer,
	"prev_hash" text,
	"chain_hash" text,
	CONSTRAINT "ck_accounting_sync_logs_status" CHECK (status IN ('pending', 'in_progress', 'success', 'partial', 'failed')),
	CONSTRAINT "ck_accounting_sync_logs_accounting_system" CHECK (accounting_system IN ('xledger', 'dynamics')),
	CONSTRAINT "ck_accounting_sync_logs_sync_type" CHECK (sync_type IN ('scheduled', 'manual', 'api')),
	CONSTRAINT "ck_records_counts_non_negative" CHECK (records_total >= 0 AND records_synced >= 0 AND records_failed >= 0),
	CONSTRAINT "ck_period_end_after_period_start" CHECK (period_end > period_start),
	CONSTRAINT "ck_completed_at_after_started_at" CHECK (completed_at IS NULL OR completed_at >= started_at),
	CONSTRAINT "ck_completed_at_null_while_active" CHECK ((status IN ('pending', 'in_progress')) = (completed_at IS NULL)),
	CONSTRAINT "ck_sealed_exactly_when_terminal" CHECK ((chain_hash IS NULL) = (status IN ('pending', 'in_progress')))
);
--> statement-breakpoint
CREATE TABLE "expense_records" (
	"id" uuid PRIMARY KEY NOT NULL,
	"organization_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"amount_minor" bigint NOT NULL,
	"currency" text NOT NULL,
	"booking_date" text NOT NULL,
	"account" text NOT NULL,
	"approval_state" text NOT NULL,
	"description" text,
	CONSTRAINT "ck_expense_records_kind" CHECK (kind IN ('expense_claim', 'reimbursement')),
	CONSTRAINT "ck_expense_records_approval_state" CHECK (approval_state IN ('draft', 'submitted', 'approved', 'rejected'))
);
--> statement-breakpoint
CREATE TABLE "module_configurations" (
	"organization_id" uuid NOT NULL,
	"module" text NOT NULL,
	"enabled" boolean NOT NULL,
	"config" jsonb,
	"updated_at" timestamp(3) with time zone NOT NULL,
	CONSTRAINT "module_configurations_organization_id_module_pk" PRIMARY KEY("organization_id","module")
);
--> statement-breakpoint
CREATE TABLE "organizations" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp(3) with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "accounting_sync_logs" ADD CONSTRAINT "accounting_sync_logs_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "expense_records" ADD CONSTRAINT "expense_records_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "module_configurations" ADD CONSTRAINT "module_configurations_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "idx_accounting_sync_log_deletions_org_seq" ON "accounting_sync_log_deletions" USING btree ("organization_id","chain_seq");--> statement-breakpoint
CREATE INDEX "idx_accounting_sync_logs_org_started" ON "accounting_sync_logs" USING btree ("organization_id","started_at");--> statement-breakpoint
CREATE INDEX "idx_accounting_sync_logs_org_status" ON "accounting_sync_logs" USING btree ("organization_id","status");--> statement-breakpoint
CREATE INDEX "idx_accounting_sync_logs_triggered_by" ON "accounting_sync_logs" USING btree ("triggered_by");--> statement-breakpoint
CREATE INDEX "idx_accounting_sync_logs_period" ON "accounting_sync_logs" USING btree ("organization_id","period_start","period_end");--> statement-breakpoint
CREATE INDEX "idx_accounting_sync_logs_status" ON "accounting_sync_logs" USING btree ("status");--> statement-breakpoint
CREATE UNIQUE INDEX "uq_accounting_sync_logs_one_active_per_org" ON "accounting_sync_logs" USING btree ("organization_id") WHERE status IN ('pending', 'in_progress');--> statement-breakpoint
CREATE UNIQUE INDEX "uq_accounting_sync_logs_idempotency_key" ON "accounting_sync_logs" USING btree ("organization_id","idempotency_key") WHERE idempotency_key IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "uq_accounting_sync_logs_chain_seq" ON "accounting_sync_logs" USING btree ("organization_id","chain_seq");--> statement-breakpoint
CREATE INDEX "idx_expense_records_org_state_date" ON "expense_records" USING btree ("organization_id","approval_state","booking_date","id");