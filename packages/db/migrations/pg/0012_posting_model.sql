-- 0012: the posting model (issue 24, item 2). The adapters now post every line of a record with its
-- VAT and dimensions and credit the employee, so no record waits any more: posting_hold (0011) and
-- its CHECK go. A record held until now is exportable from here on, like every approved, not
-- withdrawn, unposted record.
ALTER TABLE "expense_records" DROP CONSTRAINT IF EXISTS "ck_expense_records_posting_hold";
--> statement-breakpoint
ALTER TABLE "expense_records" DROP COLUMN "posting_hold";
