CREATE TYPE "public"."permission_scope" AS ENUM('global', 'org', 'own');--> statement-breakpoint
ALTER TABLE "role_permissions" DROP CONSTRAINT "role_permissions_role_id_permission_id_pk";--> statement-breakpoint
ALTER TABLE "role_permissions" ADD COLUMN "scope" "permission_scope" DEFAULT 'global' NOT NULL;--> statement-breakpoint
ALTER TABLE "role_permissions" ADD CONSTRAINT "role_permissions_role_id_permission_id_scope_pk" PRIMARY KEY("role_id","permission_id","scope");
