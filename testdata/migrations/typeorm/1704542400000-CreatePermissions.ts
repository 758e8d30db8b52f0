import { MigrationInterface, QueryRunner } from "typeorm";

export class CreatePermissions1704542400000 implements MigrationInterface {
    name = 'CreatePermissions1704542400000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "permissions" ("id" SERIAL NOT NULL, "resource" text NOT NULL, "action" text NOT NULL, CONSTRAINT "PK_permissions" PRIMARY KEY ("id"))`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP TABLE "permissions"`);
    }
}
