-- Domains and composite types: an email domain with a CHECK, a positive
-- integer domain, an enum, an array of the enum, a composite address type
-- used as a column, and indexes on a domain column and on a field of the
-- composite.
-- schemas: public
-- mutate type-mismatch: ALTER TABLE members ALTER COLUMN email TYPE text;
-- mutate index-mismatch: DROP INDEX members_city_idx; CREATE INDEX members_city_idx ON members (((home).city) DESC);
CREATE DOMAIN email AS text CHECK (VALUE ~ '^[^@]+@[^@]+$');
CREATE DOMAIN positive_int AS integer CHECK (VALUE > 0);
CREATE TYPE permission AS ENUM ('read', 'write', 'admin');
CREATE TYPE address AS (street text, city text, zip varchar(10));
CREATE TABLE members (
    id positive_int PRIMARY KEY,
    email email NOT NULL UNIQUE,
    permissions permission[] NOT NULL DEFAULT '{read}',
    home address
);
CREATE INDEX members_city_idx ON members (((home).city));
CREATE INDEX members_permissions_idx ON members USING gin (permissions);
CREATE INDEX members_email_pattern_idx ON members (email text_pattern_ops);
