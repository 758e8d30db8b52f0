-- A drizzle-kit migration: its journal table in schema drizzle, uuid
-- defaults, pgEnum, identity columns (drizzle's integer().generatedAlwaysAsIdentity()),
-- an index built with .using('btree', t.createdAt.desc().nullsLast()), a
-- partial unique index (.where(sql`...`)), a hash index and a
-- composite primary key.
-- schemas: public
-- mutate index-mismatch: DROP INDEX audit_created_at_idx; CREATE INDEX audit_created_at_idx ON audit_log USING btree (created_at DESC);
-- mutate index-mismatch: DROP INDEX sessions_token_idx; CREATE INDEX sessions_token_idx ON sessions USING btree (token);
CREATE SCHEMA drizzle;
CREATE TABLE drizzle.__drizzle_migrations (
    id serial PRIMARY KEY,
    hash text NOT NULL,
    created_at bigint
);
CREATE TYPE "public"."member_role" AS ENUM('owner', 'admin', 'member');
CREATE TABLE "users" (
    "id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
    "email" varchar(320) NOT NULL,
    "deleted_at" timestamp,
    CONSTRAINT "users_email_unique" UNIQUE("email")
);
CREATE TABLE "teams" (
    "id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "teams_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
    "name" text NOT NULL
);
CREATE TABLE "members" (
    "team_id" integer NOT NULL,
    "user_id" uuid NOT NULL,
    "role" "member_role" DEFAULT 'member' NOT NULL,
    CONSTRAINT "members_team_id_user_id_pk" PRIMARY KEY("team_id","user_id")
);
CREATE TABLE "sessions" (
    "token" text PRIMARY KEY NOT NULL,
    "user_id" uuid NOT NULL
);
CREATE TABLE "audit_log" (
    "id" bigserial PRIMARY KEY NOT NULL,
    "actor_id" uuid,
    "action" text NOT NULL,
    "created_at" timestamp with time zone DEFAULT now() NOT NULL
);
ALTER TABLE "members" ADD CONSTRAINT "members_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE cascade ON UPDATE no action;
ALTER TABLE "members" ADD CONSTRAINT "members_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;
CREATE INDEX "audit_created_at_idx" ON "audit_log" USING btree ("created_at" DESC NULLS LAST);
CREATE INDEX "audit_actor_idx" ON "audit_log" USING btree ("actor_id","created_at");
CREATE UNIQUE INDEX "users_live_email_idx" ON "users" USING btree (lower("email")) WHERE "users"."deleted_at" is null;
CREATE INDEX "sessions_token_idx" ON "sessions" USING hash ("token");
CREATE INDEX "members_user_idx" ON "members" USING btree ("user_id");
