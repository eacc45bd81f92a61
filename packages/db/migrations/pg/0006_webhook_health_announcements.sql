-- The state last announced per organization and system is the latest integration.health_changed
-- event in the outbox. The health scan (every minute) and every sync's relay pass read it under a
-- lock; without this index that is a scan of every sync event ever written.
CREATE INDEX "webhook_outbox_health_idx" ON "webhook_outbox" ("organization_id", "created_at") WHERE event_type = 'integration.health_changed';
