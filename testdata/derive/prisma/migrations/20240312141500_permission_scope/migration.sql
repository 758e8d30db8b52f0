-- CreateEnum
CREATE TYPE "permission_scope" AS ENUM ('global', 'org', 'own');

-- AlterTable
ALTER TABLE "role_permissions" DROP CONSTRAINT "role_permissions_pkey",
ADD COLUMN     "scope" "permission_scope" NOT NULL DEFAULT 'global',
ADD CONSTRAINT "role_permissions_pkey" PRIMARY KEY ("role_id", "permission_id", "scope");
