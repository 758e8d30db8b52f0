-- The extensions Debian's postgresql-contrib ships that applications use:
-- pg_trgm (gin and gist trigram indexes), citext (a case-insensitive
-- unique email), btree_gist (an exclusion constraint mixing = on an
-- integer and && on a range: no double booking), hstore (gin with the
-- default and gist opclasses), uuid-ossp (uuid_generate_v4 defaults).
-- schemas: public
-- mutate index-mismatch: DROP INDEX docs_title_trgm; CREATE INDEX docs_title_trgm ON docs USING gin (title gin_trgm_ops);
-- mutate index-mismatch: ALTER TABLE bookings DROP CONSTRAINT bookings_no_overlap; ALTER TABLE bookings ADD CONSTRAINT bookings_no_overlap EXCLUDE USING gist (room_id WITH =, during WITH -|-);
-- mutate index-mismatch: DROP INDEX docs_attrs_gin; CREATE INDEX docs_attrs_gin ON docs USING gist (attrs);
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS citext;
CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE EXTENSION IF NOT EXISTS hstore;
CREATE EXTENSION IF NOT EXISTS "uuid-ossp";
CREATE TABLE accounts (
    id uuid PRIMARY KEY DEFAULT uuid_generate_v4(),
    email citext NOT NULL UNIQUE,
    handle citext NOT NULL
);
CREATE INDEX accounts_handle_trgm ON accounts USING gin (handle gin_trgm_ops);
CREATE TABLE rooms (
    id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL
);
CREATE TABLE bookings (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    room_id integer NOT NULL REFERENCES rooms (id),
    booked_by uuid NOT NULL REFERENCES accounts (id),
    during tstzrange NOT NULL,
    CONSTRAINT bookings_no_overlap EXCLUDE USING gist (room_id WITH =, during WITH &&)
);
CREATE TABLE docs (
    id uuid PRIMARY KEY DEFAULT uuid_generate_v1mc(),
    owner_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    title text NOT NULL,
    attrs hstore NOT NULL DEFAULT ''::hstore
);
CREATE INDEX docs_title_trgm ON docs USING gist (title gist_trgm_ops);
CREATE INDEX docs_attrs_gin ON docs USING gin (attrs);
CREATE INDEX docs_attrs_gist ON docs USING gist (attrs gist_hstore_ops);
