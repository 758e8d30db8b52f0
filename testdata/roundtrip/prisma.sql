-- A Prisma schema as prisma migrate writes it: quoted PascalCase tables,
-- text ids (cuid), timestamp(3), enums, an implicit many-to-many table
-- "_RoleToUser" with its "_AB_unique" index and "_B_index", @@unique and
-- @@index with sort order, ON UPDATE CASCADE foreign keys, and the
-- _prisma_migrations table.
-- schemas: public
-- mutate missing-unique-index: DROP INDEX "_RoleToUser_AB_unique";
-- mutate index-mismatch: DROP INDEX "Permission_resource_action_idx"; CREATE INDEX "Permission_resource_action_idx" ON "Permission" ("resource", "action");
CREATE TYPE "Scope" AS ENUM ('OWN', 'TEAM', 'ALL');
CREATE TABLE "_prisma_migrations" (
    "id" varchar(36) NOT NULL,
    "checksum" varchar(64) NOT NULL,
    "finished_at" timestamp with time zone,
    "migration_name" varchar(255) NOT NULL,
    "logs" text,
    "rolled_back_at" timestamp with time zone,
    "started_at" timestamp with time zone NOT NULL DEFAULT now(),
    "applied_steps_count" integer NOT NULL DEFAULT 0,
    PRIMARY KEY ("id")
);
CREATE TABLE "User" (
    "id" text NOT NULL,
    "email" text NOT NULL,
    "name" text,
    "createdAt" timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" timestamp(3) NOT NULL,
    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);
CREATE TABLE "Role" (
    "id" serial NOT NULL,
    "name" text NOT NULL,
    CONSTRAINT "Role_pkey" PRIMARY KEY ("id")
);
CREATE TABLE "Permission" (
    "id" serial NOT NULL,
    "roleId" integer NOT NULL,
    "resource" text NOT NULL,
    "action" text NOT NULL,
    "scope" "Scope" NOT NULL DEFAULT 'OWN',
    CONSTRAINT "Permission_pkey" PRIMARY KEY ("id")
);
CREATE TABLE "_RoleToUser" (
    "A" integer NOT NULL,
    "B" text NOT NULL
);
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");
CREATE UNIQUE INDEX "Role_name_key" ON "Role"("name");
CREATE UNIQUE INDEX "Permission_roleId_resource_action_key" ON "Permission"("roleId", "resource", "action");
CREATE INDEX "Permission_resource_action_idx" ON "Permission"("resource" ASC, "action" DESC);
CREATE UNIQUE INDEX "_RoleToUser_AB_unique" ON "_RoleToUser"("A", "B");
CREATE INDEX "_RoleToUser_B_index" ON "_RoleToUser"("B");
ALTER TABLE "Permission" ADD CONSTRAINT "Permission_roleId_fkey" FOREIGN KEY ("roleId") REFERENCES "Role"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "_RoleToUser" ADD CONSTRAINT "_RoleToUser_A_fkey" FOREIGN KEY ("A") REFERENCES "Role"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "_RoleToUser" ADD CONSTRAINT "_RoleToUser_B_fkey" FOREIGN KEY ("B") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;
