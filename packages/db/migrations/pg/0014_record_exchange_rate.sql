-- 0014: the record's own exchange rate (issue 24, foreign currency): local-currency units per one
-- unit of the record's currency, as the decimal text the intake took ("11.4835"): text rather than
-- numeric so both dialects keep exactly what was sent. NULL for a record without one (every record
-- before this migration). The CHECK is the domain's EXCHANGE_RATE_PATTERN, and not zero.
ALTER TABLE "expense_records" ADD COLUMN "exchange_rate" text;
--> statement-breakpoint
ALTER TABLE "expense_records" ADD CONSTRAINT "ck_expense_records_exchange_rate" CHECK (exchange_rate IS NULL OR (exchange_rate ~ '^(0|[1-9][0-9]{0,8})(\.[0-9]{1,6})?$' AND exchange_rate ~ '[1-9]'));
