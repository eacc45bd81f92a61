-- Signed checkpoints: the product's Ed25519 signature over an organization's chain head
-- {organizationId, seq, hash, count, at}. Kept outside the sync-log tables and append-only, so a
-- checkpoint, once written, is evidence against a later truncated, shortened or recomputed chain.
-- No foreign key to organizations: a checkpoint must outlive whatever it vouches for.
CREATE TABLE "audit_checkpoints" (
	"organization_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"hash" text NOT NULL,
	"count" integer NOT NULL,
	"at" timestamp (3) with time zone NOT NULL,
	"signature" text NOT NULL,
	"public_key" text NOT NULL,
	"key_id" text NOT NULL,
	CONSTRAINT "audit_checkpoints_organization_id_seq_key_id_pk" PRIMARY KEY("organization_id","seq","key_id"),
	CONSTRAINT "ck_audit_checkpoints_non_negative" CHECK (seq >= 0 AND count >= 0 AND count <= seq)
);
--> statement-breakpoint
CREATE FUNCTION audit_checkpoints_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'RECORD_IMMUTABLE: audit checkpoints are append-only' USING ERRCODE = 'MS001';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER trg_audit_checkpoints_append_only
BEFORE UPDATE OR DELETE ON audit_checkpoints
FOR EACH ROW EXECUTE FUNCTION audit_checkpoints_append_only();
--> statement-breakpoint
-- TRUNCATE skips row triggers, so the tombstone and append-only rules need a statement trigger too.
-- It also fires for tables reached by TRUNCATE … CASCADE.
CREATE FUNCTION meander_refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'RECORD_IMMUTABLE: % is audit evidence and cannot be truncated', TG_TABLE_NAME
    USING ERRCODE = 'MS001';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER trg_accounting_sync_logs_refuse_truncate
BEFORE TRUNCATE ON accounting_sync_logs
FOR EACH STATEMENT EXECUTE FUNCTION meander_refuse_truncate();
--> statement-breakpoint
CREATE TRIGGER trg_accounting_sync_log_deletions_refuse_truncate
BEFORE TRUNCATE ON accounting_sync_log_deletions
FOR EACH STATEMENT EXECUTE FUNCTION meander_refuse_truncate();
--> statement-breakpoint
CREATE TRIGGER trg_audit_checkpoints_refuse_truncate
BEFORE TRUNCATE ON audit_checkpoints
FOR EACH STATEMENT EXECUTE FUNCTION meander_refuse_truncate();
