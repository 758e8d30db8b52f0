-- A Rails app's db/structure.sql: bigint ids from sequences owned by the
-- column, timestamp(6) created_at/updated_at, schema_migrations and
-- ar_internal_metadata, pg_trgm in public, a btree and a gin_trgm_ops index
-- on users.email, partial indexes (soft delete), rolify's roles and
-- users_roles.
-- schemas: public
-- mutate index-mismatch: DROP INDEX index_users_on_email_trgm; CREATE INDEX index_users_on_email_trgm ON public.users USING gist (email gist_trgm_ops);
-- mutate index-mismatch: DROP INDEX index_users_on_deleted_at; CREATE INDEX index_users_on_deleted_at ON public.users USING btree (deleted_at);
-- mutate missing-index: DROP INDEX index_roles_on_resource;
SET statement_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
COMMENT ON EXTENSION pg_trgm IS 'text similarity measurement and index searching based on trigrams';
SET default_tablespace = '';
SET default_table_access_method = heap;

CREATE TABLE public.ar_internal_metadata (
    key character varying NOT NULL,
    value character varying,
    created_at timestamp(6) without time zone NOT NULL,
    updated_at timestamp(6) without time zone NOT NULL
);
CREATE TABLE public.schema_migrations (
    version character varying NOT NULL
);
CREATE TABLE public.users (
    id bigint NOT NULL,
    email character varying DEFAULT ''::character varying NOT NULL,
    encrypted_password character varying DEFAULT ''::character varying NOT NULL,
    reset_password_token character varying,
    confirmation_token character varying,
    deleted_at timestamp(6) without time zone,
    created_at timestamp(6) without time zone NOT NULL,
    updated_at timestamp(6) without time zone NOT NULL
);
CREATE SEQUENCE public.users_id_seq START WITH 1 INCREMENT BY 1 NO MINVALUE NO MAXVALUE CACHE 1;
ALTER SEQUENCE public.users_id_seq OWNED BY public.users.id;
CREATE TABLE public.roles (
    id bigint NOT NULL,
    name character varying,
    resource_type character varying,
    resource_id bigint,
    created_at timestamp(6) without time zone NOT NULL,
    updated_at timestamp(6) without time zone NOT NULL
);
CREATE SEQUENCE public.roles_id_seq START WITH 1 INCREMENT BY 1 NO MINVALUE NO MAXVALUE CACHE 1;
ALTER SEQUENCE public.roles_id_seq OWNED BY public.roles.id;
CREATE TABLE public.users_roles (
    user_id bigint,
    role_id bigint
);
ALTER TABLE ONLY public.users ALTER COLUMN id SET DEFAULT nextval('public.users_id_seq'::regclass);
ALTER TABLE ONLY public.roles ALTER COLUMN id SET DEFAULT nextval('public.roles_id_seq'::regclass);
ALTER TABLE ONLY public.ar_internal_metadata ADD CONSTRAINT ar_internal_metadata_pkey PRIMARY KEY (key);
ALTER TABLE ONLY public.schema_migrations ADD CONSTRAINT schema_migrations_pkey PRIMARY KEY (version);
ALTER TABLE ONLY public.users ADD CONSTRAINT users_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.roles ADD CONSTRAINT roles_pkey PRIMARY KEY (id);
CREATE UNIQUE INDEX index_users_on_email ON public.users USING btree (email) WHERE (deleted_at IS NULL);
CREATE INDEX index_users_on_email_trgm ON public.users USING gin (email public.gin_trgm_ops);
CREATE UNIQUE INDEX index_users_on_reset_password_token ON public.users USING btree (reset_password_token);
CREATE INDEX index_users_on_confirmation_token ON public.users USING btree (confirmation_token);
CREATE INDEX index_users_on_deleted_at ON public.users USING btree (deleted_at) WHERE (deleted_at IS NOT NULL);
CREATE INDEX index_roles_on_name_and_resource_type_and_resource_id ON public.roles USING btree (name, resource_type, resource_id);
CREATE INDEX index_roles_on_resource ON public.roles USING btree (resource_type, resource_id);
CREATE INDEX index_users_roles_on_role_id ON public.users_roles USING btree (role_id);
CREATE INDEX index_users_roles_on_user_id ON public.users_roles USING btree (user_id);
CREATE INDEX index_users_roles_on_user_id_and_role_id ON public.users_roles USING btree (user_id, role_id);
ALTER TABLE ONLY public.users_roles ADD CONSTRAINT fk_rails_4a41696df6 FOREIGN KEY (role_id) REFERENCES public.roles(id);
ALTER TABLE ONLY public.users_roles ADD CONSTRAINT fk_rails_eb7b4658f8 FOREIGN KEY (user_id) REFERENCES public.users(id);
SET search_path TO "$user", public;
INSERT INTO "schema_migrations" (version) VALUES ('20240101000000'), ('20240102000000');
