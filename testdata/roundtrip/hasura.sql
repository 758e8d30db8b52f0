-- A Hasura project: its hdb_catalog schema, enum tables (a text primary
-- key Hasura reads as an enum), the set_current_timestamp_updated_at
-- trigger, uuid primary keys from gen_random_uuid(), and foreign keys with
-- ON UPDATE CASCADE ON DELETE RESTRICT, Hasura's console default.
-- schemas: public, hdb_catalog
-- mutate missing-foreign-key: ALTER TABLE public.user_roles DROP CONSTRAINT user_roles_role_fkey;
-- mutate index-mismatch: DROP INDEX hdb_catalog.hdb_event_log_fetch_events; CREATE INDEX hdb_event_log_fetch_events ON hdb_catalog.event_log (locked, next_retry_at, created_at) WHERE delivered = false;
CREATE SCHEMA hdb_catalog;
CREATE TABLE hdb_catalog.hdb_version (
    hasura_uuid uuid DEFAULT gen_random_uuid() PRIMARY KEY,
    version text NOT NULL,
    upgraded_on timestamptz NOT NULL,
    cli_state jsonb NOT NULL DEFAULT '{}'::jsonb,
    console_state jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE TABLE hdb_catalog.hdb_metadata (
    id integer PRIMARY KEY,
    metadata json NOT NULL,
    resource_version integer NOT NULL DEFAULT 1 UNIQUE
);
CREATE TABLE hdb_catalog.event_log (
    id text DEFAULT gen_random_uuid() PRIMARY KEY,
    schema_name text NOT NULL,
    table_name text NOT NULL,
    trigger_name text NOT NULL,
    payload jsonb NOT NULL,
    delivered boolean NOT NULL DEFAULT false,
    error boolean NOT NULL DEFAULT false,
    tries integer NOT NULL DEFAULT 0,
    created_at timestamp DEFAULT now(),
    locked timestamptz NULL,
    next_retry_at timestamp,
    archived boolean NOT NULL DEFAULT false
);
CREATE INDEX event_log_trigger_name_idx ON hdb_catalog.event_log (trigger_name);
CREATE INDEX hdb_event_log_fetch_events ON hdb_catalog.event_log (locked NULLS FIRST, next_retry_at NULLS FIRST, created_at)
    WHERE delivered = 'f' AND error = 'f' AND archived = 'f';

CREATE FUNCTION public.set_current_timestamp_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  _new record;
BEGIN
  _new := NEW;
  _new."updated_at" = NOW();
  RETURN _new;
END;
$$;
CREATE TABLE public.role (
    value text PRIMARY KEY,
    comment text
);
COMMENT ON TABLE public.role IS 'enum table: the roles a user can have';
INSERT INTO public.role (value, comment) VALUES ('user', 'a user'), ('editor', 'an editor'), ('admin', 'an admin');
CREATE TABLE public.users (
    id uuid DEFAULT gen_random_uuid() NOT NULL PRIMARY KEY,
    email text NOT NULL UNIQUE,
    created_at timestamptz DEFAULT now() NOT NULL,
    updated_at timestamptz DEFAULT now() NOT NULL
);
CREATE TRIGGER set_public_users_updated_at BEFORE UPDATE ON public.users
    FOR EACH ROW EXECUTE PROCEDURE public.set_current_timestamp_updated_at();
CREATE TABLE public.user_roles (
    id uuid DEFAULT gen_random_uuid() NOT NULL PRIMARY KEY,
    user_id uuid NOT NULL,
    role text NOT NULL,
    UNIQUE (user_id, role)
);
ALTER TABLE ONLY public.user_roles ADD CONSTRAINT user_roles_role_fkey FOREIGN KEY (role) REFERENCES public.role(value) ON UPDATE CASCADE ON DELETE RESTRICT;
ALTER TABLE ONLY public.user_roles ADD CONSTRAINT user_roles_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON UPDATE CASCADE ON DELETE CASCADE;
