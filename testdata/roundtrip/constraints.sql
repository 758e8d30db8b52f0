-- Constraints and how they are checked: a DEFERRABLE INITIALLY DEFERRED
-- primary key and unique key (the swap-positions pattern), a DEFERRABLE
-- (immediate) foreign key, a foreign key added NOT VALID, CHECK
-- constraints NO INHERIT and NOT VALID, a deferrable exclusion
-- constraint, a unique constraint with INCLUDE, and a unique constraint
-- NULLS NOT DISTINCT (PostgreSQL 15 only).
-- schemas: public
-- mutate foreign-key-mismatch: ALTER TABLE memberships VALIDATE CONSTRAINT memberships_team_fk;
-- mutate missing-unique: ALTER TABLE positions DROP CONSTRAINT positions_slot_key; ALTER TABLE positions ADD CONSTRAINT positions_slot_key UNIQUE (team_id, slot);
-- mutate primary-key-mismatch: ALTER TABLE positions DROP CONSTRAINT positions_pkey CASCADE; ALTER TABLE positions ADD PRIMARY KEY (id);
-- mutate foreign-key-mismatch: ALTER TABLE memberships ALTER CONSTRAINT memberships_user_fk NOT DEFERRABLE;
-- mutate index-mismatch: ALTER TABLE shifts DROP CONSTRAINT shifts_no_overlap; ALTER TABLE shifts ADD CONSTRAINT shifts_no_overlap EXCLUDE USING gist (during WITH &&);
CREATE TABLE teams (id bigint PRIMARY KEY, name text NOT NULL);
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);
CREATE TABLE positions (
    id bigint,
    team_id bigint NOT NULL REFERENCES teams (id),
    slot integer NOT NULL,
    CONSTRAINT positions_pkey PRIMARY KEY (id) DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT positions_slot_key UNIQUE (team_id, slot) DEFERRABLE INITIALLY DEFERRED
);
CREATE TABLE memberships (
    user_id bigint NOT NULL,
    team_id bigint NOT NULL,
    role text NOT NULL CONSTRAINT memberships_role_check CHECK (role IN ('member', 'admin')) NO INHERIT,
    weight integer,
    PRIMARY KEY (user_id, team_id),
    CONSTRAINT memberships_user_fk FOREIGN KEY (user_id) REFERENCES users (id) DEFERRABLE,
    CONSTRAINT memberships_code_key UNIQUE (team_id, role) INCLUDE (weight)
);
ALTER TABLE memberships ADD CONSTRAINT memberships_team_fk FOREIGN KEY (team_id) REFERENCES teams (id) NOT VALID;
ALTER TABLE memberships ADD CONSTRAINT memberships_weight_check CHECK (weight > 0) NOT VALID;
CREATE TABLE shifts (
    id bigint PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES users (id),
    during tstzrange NOT NULL,
    CONSTRAINT shifts_no_overlap EXCLUDE USING gist (during WITH &&) WHERE (user_id IS NOT NULL) DEFERRABLE INITIALLY DEFERRED
);
DO $$
BEGIN
    IF current_setting('server_version_num')::int >= 150000 THEN
        EXECUTE 'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE NULLS NOT DISTINCT (email)';
    END IF;
END
$$;
