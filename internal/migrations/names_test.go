package migrations

import (
	"strings"
	"testing"
)

// rowsInto renders an INSERT per value, as the tool writes its row.
func rowsInto(insert string, values ...string) string {
	var s strings.Builder
	for _, v := range values {
		s.WriteString(strings.Replace(insert, "?", v, 1) + ";\n")
	}
	return s.String()
}

func TestNodePgMigrate(t *testing.T) {
	// runner.ts ensureMigrationsTable, and migration.ts's insert.
	history := func(names ...string) string {
		return `CREATE TABLE "public"."pgmigrations" (id SERIAL PRIMARY KEY, name varchar(255) NOT NULL, run_on timestamp NOT NULL);
` + rowsInto(`INSERT INTO "public"."pgmigrations" (name, run_on) VALUES ('?', NOW())`, names...)
	}
	const r0, r1, r2 = "1704456000000_create-roles", "1704542400000_create-permissions", "1704628800000_role-permissions"
	runCases(t, Options{Dir: fixtures + "node-pg-migrate"}, []historyCase{
		{name: "in sync", setup: history(r0, r1, r2)},
		{
			name: "pending", setup: history(r0, r1),
			want: []string{"migration-pending error migration:" + r2},
			hint: "npx node-pg-migrate up -m ../../testdata/migrations/node-pg-migrate",
		},
		{
			name: "out of order", setup: history(r0, r2),
			want: []string{"migration-pending error migration:" + r1},
			hint: "Not run migration 1704542400000_create-permissions is preceding already run migration 1704628800000_role-permissions",
		},
		{
			name: "unknown", setup: history(r0, r1, r2, "1704715200000_other-branch"),
			want: []string{"migration-unknown warning migration:1704715200000_other-branch"},
		},
		{name: "history missing", want: []string{"migration-history-missing warning table:public.pgmigrations"}},
	})
}

func TestKnex(t *testing.T) {
	// table-creator.js's tables, as knex's PostgreSQL dialect renders them,
	// and Migrator.js's insert.
	history := func(names ...string) string {
		return `create table "knex_migrations" ("id" serial primary key, "name" varchar(255), "batch" integer, "migration_time" timestamptz);
create table "knex_migrations_lock" ("index" serial primary key, "is_locked" integer);
insert into "knex_migrations_lock" ("is_locked") values (0);
` + rowsInto(`insert into "knex_migrations" ("batch", "migration_time", "name") values (1, now(), '?')`, names...)
	}
	const r0, r1, r2 = "20240105120000_create_roles.js", "20240106120000_create_permissions.js", "20240107120000_role_permissions.js"
	runCases(t, Options{Dir: fixtures + "knex"}, []historyCase{
		{name: "in sync", setup: history(r0, r1, r2)},
		{
			name: "pending", setup: history(r0, r2),
			want: []string{"migration-pending error migration:20240106120000_create_permissions"},
			hint: "npx knex migrate:latest --migrations-directory ../../testdata/migrations/knex",
		},
		{
			name: "unknown", setup: history(r0, r1, r2, "20240108120000_other_branch.js"),
			want: []string{"migration-unknown warning migration:20240108120000_other_branch.js"},
			hint: "The migration directory is corrupt",
		},
		{name: "history missing", want: []string{"migration-history-missing warning table:knex_migrations"}},
	})
}

func TestSequelize(t *testing.T) {
	// SequelizeStorage's model, as Sequelize syncs it on PostgreSQL.
	history := func(names ...string) string {
		return `CREATE TABLE IF NOT EXISTS "SequelizeMeta" ("name" VARCHAR(255) NOT NULL UNIQUE , PRIMARY KEY ("name"));
` + rowsInto(`INSERT INTO "SequelizeMeta" ("name") VALUES ('?')`, names...)
	}
	const r0, r1, r2 = "20240105120000-create-roles.js", "20240106120000-create-permissions.js", "20240107120000-role-permissions.js"
	runCases(t, Options{Dir: fixtures + "sequelize"}, []historyCase{
		{name: "in sync", setup: history(r0, r1, r2)},
		{
			name: "pending", setup: history(r0, r1),
			want: []string{"migration-pending error migration:20240107120000-role-permissions"},
			hint: "npx sequelize-cli db:migrate --migrations-path ../../testdata/migrations/sequelize",
		},
		{
			name: "unknown", setup: history(r0, r1, r2, "20240108120000-other-branch.js"),
			want: []string{"migration-unknown warning migration:20240108120000-other-branch.js"},
		},
		{name: "history missing", want: []string{"migration-history-missing warning table:SequelizeMeta"}},
	})
}

func TestRails(t *testing.T) {
	// SchemaMigration#create_table and #create_version.
	history := func(versions ...string) string {
		return `CREATE TABLE "schema_migrations" ("version" character varying NOT NULL PRIMARY KEY);
` + rowsInto(`INSERT INTO "schema_migrations" ("version") VALUES ('?')`, versions...)
	}
	runCases(t, Options{Dir: fixtures + "rails/db/migrate"}, []historyCase{
		{name: "in sync", setup: history("20240105120000", "20240106120000", "20240107120000")},
		{
			name: "pending", setup: history("20240105120000", "20240107120000"),
			want: []string{"migration-pending error migration:20240106120000_create_permissions"},
			hint: "bin/rails db:migrate",
		},
		{
			name: "unknown", setup: history("20240105120000", "20240106120000", "20240107120000", "20240108120000"),
			want: []string{"migration-unknown warning migration:20240108120000"},
			hint: "NO FILE",
		},
		{name: "history missing", want: []string{"migration-history-missing warning table:schema_migrations"}},
	})
}

func TestDetectNameTools(t *testing.T) {
	for dir, want := range map[string]Tool{
		"node-pg-migrate": NodePgMigrate, "knex": Knex, "sequelize": Sequelize, "rails/db/migrate": Rails,
	} {
		got, err := Detect(fixtures + dir)
		if err != nil || got != want {
			t.Errorf("Detect(%s) = %q, %v; want %q", dir, got, err, want)
		}
	}
}

func TestTypeORM(t *testing.T) {
	// MigrationExecutor.createMigrationsTableIfNotExist on PostgreSQL, and its insert.
	history := func(rows ...string) string {
		return `CREATE TABLE "migrations" ("id" SERIAL NOT NULL, "timestamp" bigint NOT NULL, "name" character varying NOT NULL, CONSTRAINT "PK_8c82d7f526340ab734260ea46be" PRIMARY KEY ("id"));
` + rowsInto(`INSERT INTO "migrations"("timestamp", "name") VALUES (?)`, rows...)
	}
	const (
		r0 = "1704456000000, 'CreateRoles1704456000000'"
		r1 = "1704542400000, 'CreatePermissions1704542400000'"
		r2 = "1704628800000, 'RolePermissions1704628800000'"
	)
	runCases(t, Options{Dir: fixtures + "typeorm"}, []historyCase{
		{name: "in sync", setup: history(r0, r1, r2)},
		{
			name: "pending", setup: history(r0, r2),
			want: []string{"migration-pending error migration:CreatePermissions1704542400000"},
			hint: "npx typeorm migration:run",
		},
		{
			name: "unknown", setup: history(r0, r1, r2, "1704715200000, 'OtherBranch1704715200000'"),
			want: []string{"migration-unknown warning migration:OtherBranch1704715200000"},
		},
		{name: "history missing", want: []string{"migration-history-missing warning table:migrations"}},
	})
	if got, err := Detect(fixtures + "typeorm"); err != nil || got != TypeORM {
		t.Errorf("Detect(typeorm) = %q, %v", got, err)
	}
}
