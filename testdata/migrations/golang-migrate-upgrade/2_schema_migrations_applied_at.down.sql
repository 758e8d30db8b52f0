ALTER TABLE schema_migrations DROP COLUMN applied_at;
