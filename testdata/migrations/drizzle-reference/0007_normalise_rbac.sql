CREATE TYPE "public"."permission_scope" AS ENUM('global', 'org', 'own');--> statement-breakpoint
ALTER TABLE "role_permissions" ADD COLUMN "permission_id" integer;--> statement-breakpoint
ALTER TABLE "role_permissions" ADD COLUMN "scope" "permission_scope" DEFAULT 'global' NOT NULL;--> statement-breakpoint
-- Backfill: each (resource, permission) row points at its permissions row.
UPDATE "role_permissions" AS rp SET "permission_id" = p."id"
FROM "permissions" AS p
WHERE p."resource" = rp."resource" AND p."action" = rp."permission";--> statement-breakpoint
ALTER TABLE "role_permissions" ALTER COLUMN "permission_id" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "role_permissions" DROP CONSTRAINT "role_permissions_role_id_resource_permission_pk";--> statement-breakpoint
ALTER TABLE "role_permissions" DROP COLUMN "resource";--> statement-breakpoint
ALTER TABLE "role_permissions" DROP COLUMN "permission";--> statement-breakpoint
ALTER TABLE "role_permissions" ADD CONSTRAINT "role_permissions_role_id_permission_id_scope_pk" PRIMARY KEY("role_id","permission_id","scope");--> statement-breakpoint
ALTER TABLE "role_permissions" ADD CONSTRAINT "role_permissions_permission_id_permissions_id_fk" FOREIGN KEY ("permission_id") REFERENCES "public"."permissions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "role_permissions_permission_id_idx" ON "role_permissions" USING btree ("permission_id");
