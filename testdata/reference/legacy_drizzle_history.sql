-- The history drizzle-orm's migrator leaves on the legacy reference database
-- (testdata/reference/legacy.sql): migrations 0000 to 0006 of
-- testdata/migrations/drizzle-reference ran, 0007_normalise_rbac did not.
-- hash is the SHA-256 of each file, created_at the journal's "when", as the
-- migrator writes them; a check against the folder reports a changed file as
-- migration-modified, so this file cannot silently drift from the folder.
CREATE SCHEMA IF NOT EXISTS drizzle;
CREATE TABLE IF NOT EXISTS drizzle.__drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint);
INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES
('5faad52a5375bc60e58b540ce9716587af3e8f1803d7837e29ed06a4f0ea93b5', 1704456000000),
('33c0094444b2c90e99b6c7f8019b7904f8dee7ac81e5cce8d1ede6221a4553d4', 1704542400000),
('33e368de7431db86555a005dbbeb3a25642ca83153a4035eea167d329d1802b1', 1704628800000),
('1c13854ec55675c2a4d2ea1820abcd7e9bcefd8bbe055f650e1d39662cc518e0', 1704715200000),
('be226fb5b0413c7231b8877cc1443bf721094ffef44337bf21b7fb6dd72d4a43', 1704801600000),
('0894d8c20f0b5951b781fdce13e5988144026c757989527596d794cf1fefd95f', 1704888000000),
('35b4c6d9b7d2b034c71f50a804b49729534debcd347c11502d4cafe2f1f7ad7e', 1704974400000);
