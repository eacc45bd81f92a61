-- Each organization keeps its books in one IANA time zone: scheduled periods and the CLI's calendar
-- days are computed in it. The database holds the shape (the runtime's Intl database, which the
-- domain asks, holds the names). Existing organizations take the zone of their schedule, else UTC.
ALTER TABLE `organizations` ADD `time_zone` text DEFAULT 'UTC' NOT NULL CONSTRAINT "ck_organizations_time_zone" CHECK (length(`time_zone`) BETWEEN 1 AND 64 AND `time_zone` NOT GLOB '*[^A-Za-z0-9_/+-]*');
--> statement-breakpoint
UPDATE `organizations` SET `time_zone` = (
  SELECT json_extract(m.`config`, '$.schedule.timezone') FROM `module_configurations` m
  WHERE m.`organization_id` = `organizations`.`id` AND m.`module` = 'admin-accounting'
    AND json_valid(m.`config`) AND json_type(m.`config`, '$.schedule.timezone') = 'text'
) WHERE EXISTS (
  SELECT 1 FROM `module_configurations` m
  WHERE m.`organization_id` = `organizations`.`id` AND m.`module` = 'admin-accounting'
    AND json_valid(m.`config`) AND json_type(m.`config`, '$.schedule.timezone') = 'text'
    AND length(json_extract(m.`config`, '$.schedule.timezone')) BETWEEN 1 AND 64
    AND json_extract(m.`config`, '$.schedule.timezone') NOT GLOB '*[^A-Za-z0-9_/+-]*'
);
