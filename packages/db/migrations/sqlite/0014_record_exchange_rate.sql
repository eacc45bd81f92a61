-- 0014: the record's own exchange rate (issue 24, foreign currency): local-currency units per one
-- unit of the record's currency, as the decimal text the intake took ("11.4835"), never a REAL.
-- NULL for a record without one (every record before this migration). SQLite has no regular
-- expressions: the CHECK spells the domain's EXCHANGE_RATE_PATTERN out with GLOB — digits and at
-- most one point, no leading zero before a digit, at most 9 digits before the point and 6 after,
-- and some digit other than zero.
ALTER TABLE `expense_records` ADD `exchange_rate` text CONSTRAINT "ck_expense_records_exchange_rate" CHECK(exchange_rate IS NULL OR (typeof(exchange_rate) = 'text' AND exchange_rate GLOB '[0-9]*' AND exchange_rate NOT GLOB '*[^0-9.]*' AND exchange_rate NOT GLOB '*.*.*' AND exchange_rate NOT GLOB '*.' AND exchange_rate NOT GLOB '0[0-9]*' AND exchange_rate GLOB '*[1-9]*' AND (CASE WHEN instr(exchange_rate, '.') = 0 THEN length(exchange_rate) <= 9 ELSE instr(exchange_rate, '.') <= 10 AND length(exchange_rate) - instr(exchange_rate, '.') <= 6 END)));
