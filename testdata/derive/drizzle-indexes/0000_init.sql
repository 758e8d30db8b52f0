CREATE SCHEMA "auth";
--> statement-breakpoint
CREATE TYPE "public"."permission_scope" AS ENUM('own', 'team', 'global');--> statement-breakpoint
CREATE TABLE "auth"."users" (
	"id" serial PRIMARY KEY NOT NULL,
	"email" text NOT NULL,
	"name" text,
	"profile" jsonb,
	CONSTRAINT "users_email_unique" UNIQUE("email")
);
--> statement-breakpoint
CREATE TABLE "role_permissions" (
	"role_id" integer NOT NULL,
	"resource" text NOT NULL,
	"permission" text NOT NULL,
	CONSTRAINT "role_permissions_role_id_resource_permission_pk" PRIMARY KEY("role_id","resource","permission")
);
--> statement-breakpoint
CREATE TABLE "roles" (
	"id" serial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	CONSTRAINT "roles_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "user_roles" (
	"user_id" integer NOT NULL,
	"role_id" integer NOT NULL,
	"scope" "permission_scope" DEFAULT 'own' NOT NULL,
	CONSTRAINT "user_roles_user_id_role_id_pk" PRIMARY KEY("user_id","role_id")
);
--> statement-breakpoint
ALTER TABLE "role_permissions" ADD CONSTRAINT "role_permissions_role_id_roles_id_fk" FOREIGN KEY ("role_id") REFERENCES "public"."roles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_roles" ADD CONSTRAINT "user_roles_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "auth"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_roles" ADD CONSTRAINT "user_roles_role_id_roles_id_fk" FOREIGN KEY ("role_id") REFERENCES "public"."roles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "users_profile_gin" ON "auth"."users" USING gin ("profile");--> statement-breakpoint
CREATE INDEX "users_email_hash" ON "auth"."users" USING hash ("email");--> statement-breakpoint
CREATE INDEX "users_name_desc" ON "auth"."users" USING btree ("name" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "users_name_nulls_first" ON "auth"."users" USING btree ("name" NULLS FIRST);--> statement-breakpoint
CREATE INDEX "users_name_pattern" ON "auth"."users" USING btree ("name" text_pattern_ops);--> statement-breakpoint
CREATE UNIQUE INDEX "users_lower_email" ON "auth"."users" USING btree (lower("email"));--> statement-breakpoint
CREATE INDEX "role_permissions_resource_idx" ON "role_permissions" USING btree ("resource" DESC NULLS LAST,"permission");