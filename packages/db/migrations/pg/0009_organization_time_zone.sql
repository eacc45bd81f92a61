-- Each organization keeps its books in one IANA time zone: scheduled periods and the CLI's calendar
-- days are computed in it. The database holds the shape (the runtime's Intl database, which the
-- domain asks, holds the names). Existing organizations take the zone of their schedule, else UTC.
ALTER TABLE "organizations" ADD COLUMN "time_zone" text DEFAULT 'UTC' NOT NULL;
--> statement-breakpoint
UPDATE "organizations" o SET "time_zone" = m."config" -> 'schedule' ->> 'timezone'
FROM "module_configurations" m
WHERE m."organization_id" = o."id" AND m."module" = 'admin-accounting'
  AND jsonb_typeof(m."config" -> 'schedule' -> 'timezone') = 'string'
  AND (m."config" -> 'schedule' ->> 'timezone') ~ '^[A-Za-z0-9_/+-]{1,64}$';
--> statement-breakpoint
ALTER TABLE "organizations" ADD CONSTRAINT "ck_organizations_time_zone" CHECK ("time_zone" ~ '^[A-Za-z0-9_/+-]{1,64}$');
