-- 0011: expense records as Meander's expense system hands them over (issue 24, intake). One current
-- version per record id (the primary key stays `id`): an upsert replaces the row and its lines under
-- a higher version. The net amount and account move to expense_record_lines (1–50 lines per record);
-- every existing record becomes one line (its account and amount, VAT ZERO, no VAT), a demo employee
-- E001…E010 and version 1. Hand-written: drizzle-kit cannot express the triggers or the data move.
ALTER TABLE "expense_records" ADD COLUMN "version" integer DEFAULT 1 NOT NULL;
--> statement-breakpoint
ALTER TABLE "expense_records" ADD COLUMN "employee_number" text DEFAULT 'E001' NOT NULL;
--> statement-breakpoint
ALTER TABLE "expense_records" ADD COLUMN "receipt_url" text;
--> statement-breakpoint
ALTER TABLE "expense_records" ADD COLUMN "posting_hold" text;
--> statement-breakpoint
-- Migrated rows never came through the intake: the store compares a re-sent version 1 with their
-- stored content instead of a hash (see expense-record-upsert.ts).
ALTER TABLE "expense_records" ADD COLUMN "content_hash" text DEFAULT 'legacy-0011' NOT NULL;
--> statement-breakpoint
ALTER TABLE "expense_records" ADD COLUMN "updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL;
--> statement-breakpoint
ALTER TABLE "expense_records" ADD COLUMN "withdrawn_at" timestamp(3) with time zone;
--> statement-breakpoint
ALTER TABLE "expense_records" ADD COLUMN "posted_by_sync_log_id" uuid;
--> statement-breakpoint
ALTER TABLE "expense_records" ALTER COLUMN "employee_number" DROP DEFAULT;
--> statement-breakpoint
ALTER TABLE "expense_records" ALTER COLUMN "content_hash" DROP DEFAULT;
--> statement-breakpoint
ALTER TABLE "expense_records" ALTER COLUMN "updated_at" DROP DEFAULT;
--> statement-breakpoint
UPDATE "expense_records" SET "employee_number" = 'E' || lpad((((o.n - 1) % 10) + 1)::text, 3, '0')
FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM "expense_records") AS o
WHERE "expense_records".id = o.id;
--> statement-breakpoint
-- A legacy amount that is not positive cannot become a line (a line's net amount is > 0): such a
-- record is withdrawn, never exported again, rather than posted with a sign the intake refuses.
UPDATE "expense_records" SET "withdrawn_at" = "updated_at" WHERE "amount_minor" <= 0;
--> statement-breakpoint
ALTER TABLE "expense_records" ADD CONSTRAINT "ck_expense_records_version_positive" CHECK (version >= 1);
--> statement-breakpoint
ALTER TABLE "expense_records" ADD CONSTRAINT "ck_expense_records_receipt_url_https" CHECK (receipt_url IS NULL OR receipt_url LIKE 'https://%');
--> statement-breakpoint
ALTER TABLE "expense_records" ADD CONSTRAINT "ck_expense_records_posting_hold" CHECK (posting_hold IS NULL OR posting_hold IN ('multiple_lines', 'vat', 'dimensions'));
--> statement-breakpoint
ALTER TABLE "expense_records" ADD CONSTRAINT "ck_expense_records_posted_not_withdrawn" CHECK (posted_by_sync_log_id IS NULL OR withdrawn_at IS NULL);
--> statement-breakpoint
ALTER TABLE "expense_records" ADD CONSTRAINT "ck_expense_records_posted_is_approved" CHECK (posted_by_sync_log_id IS NULL OR approval_state = 'approved');
--> statement-breakpoint
CREATE TABLE "expense_record_lines" (
	"record_id" uuid NOT NULL,
	"line_no" integer NOT NULL,
	"account" text NOT NULL,
	"amount_minor" bigint NOT NULL,
	"vat_code" text NOT NULL,
	"vat_amount_minor" bigint NOT NULL,
	"department" text,
	"project" text,
	"cost_centre" text,
	CONSTRAINT "expense_record_lines_record_id_line_no_pk" PRIMARY KEY("record_id","line_no"),
	CONSTRAINT "expense_record_lines_record_id_expense_records_id_fk" FOREIGN KEY ("record_id") REFERENCES "expense_records"("id") ON DELETE cascade ON UPDATE no action,
	CONSTRAINT "ck_expense_record_lines_amount_positive" CHECK (amount_minor > 0),
	CONSTRAINT "ck_expense_record_lines_vat_non_negative" CHECK (vat_amount_minor >= 0),
	CONSTRAINT "ck_expense_record_lines_vat_code" CHECK (vat_code IN ('HIGH', 'MEDIUM', 'LOW', 'ZERO', 'EXEMPT')),
	CONSTRAINT "ck_expense_record_lines_line_no" CHECK (line_no >= 1 AND line_no <= 50)
);
--> statement-breakpoint
INSERT INTO "expense_record_lines" ("record_id", "line_no", "account", "amount_minor", "vat_code", "vat_amount_minor")
SELECT "id", 1, "account", "amount_minor", 'ZERO', 0 FROM "expense_records" WHERE "amount_minor" > 0;
--> statement-breakpoint
ALTER TABLE "expense_records" DROP COLUMN "amount_minor";
--> statement-breakpoint
ALTER TABLE "expense_records" DROP COLUMN "account";
--> statement-breakpoint
CREATE FUNCTION expense_records_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.posted_by_sync_log_id IS NOT NULL THEN
    RAISE EXCEPTION 'RECORD_ALREADY_POSTED: expense record % was posted by sync %', OLD.id, OLD.posted_by_sync_log_id
      USING ERRCODE = 'MS011';
  END IF;
  IF TG_OP = 'UPDATE' AND NEW.version < OLD.version THEN
    RAISE EXCEPTION 'VERSION_NOT_NEWER: expense record % is at version %', OLD.id, OLD.version USING ERRCODE = 'MS012';
  END IF;
  IF TG_OP = 'UPDATE' AND NEW.version = OLD.version AND NEW.content_hash <> OLD.content_hash
     AND OLD.content_hash <> 'legacy-0011' THEN
    RAISE EXCEPTION 'VERSION_PAYLOAD_CONFLICT: expense record % version % has another payload', OLD.id, OLD.version
      USING ERRCODE = 'MS013';
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER trg_expense_records_guard
BEFORE UPDATE OR DELETE ON expense_records
FOR EACH ROW EXECUTE FUNCTION expense_records_guard();
--> statement-breakpoint
CREATE FUNCTION expense_record_lines_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  rid uuid := CASE WHEN TG_OP = 'INSERT' THEN NEW.record_id ELSE OLD.record_id END;
BEGIN
  IF EXISTS (SELECT 1 FROM expense_records r WHERE r.id = rid AND r.posted_by_sync_log_id IS NOT NULL) THEN
    RAISE EXCEPTION 'RECORD_ALREADY_POSTED: the lines of posted expense record % cannot change', rid
      USING ERRCODE = 'MS011';
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER trg_expense_record_lines_guard
BEFORE INSERT OR UPDATE OR DELETE ON expense_record_lines
FOR EACH ROW EXECUTE FUNCTION expense_record_lines_guard();
