-- The service keeps when each version was reached: it upgrades
-- golang-migrate's own table, which exists before this file runs.
ALTER TABLE schema_migrations ADD COLUMN applied_at timestamptz NOT NULL DEFAULT now();
