import { MigrationInterface, QueryRunner } from "typeorm";

// Written by hand, without the name property: TypeORM takes the class name.
export class RolePermissions1704628800000 implements MigrationInterface {
    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TYPE "permission_scope" AS ENUM('global', 'org', 'own')`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP TYPE "permission_scope"`);
    }
}
