package replay

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rbacdrift/rbacdrift/internal/migrations"
)

const fixtures = "../../../testdata/derive"

// planOf is what a test compares of a plan: the tool, and per migration its
// name, whether it runs in a transaction of its own and its queries.
type planOf struct {
	Tool       migrations.Tool
	OneTx      bool
	Migrations []migOf
}

type migOf struct {
	Name   string
	Tx     bool
	Chunks []string // the first line of each query
}

func summary(p *Plan) planOf {
	out := planOf{Tool: p.Tool, OneTx: p.OneTransaction}
	for _, m := range p.Migrations {
		mo := migOf{Name: m.Name, Tx: m.Tx}
		for _, c := range m.Chunks {
			first, _, _ := strings.Cut(strings.TrimSpace(c.SQL), "\n")
			mo.Chunks = append(mo.Chunks, first)
			if got := m.text[c.Off : c.Off+len(c.SQL)]; got != c.SQL {
				panic("chunk offset is wrong") // the position mapping depends on it
			}
		}
		out.Migrations = append(out.Migrations, mo)
	}
	return out
}

// TestRead pins, for each tool, the order of the migrations and what is
// sent of each: the up part only, cut as the tool cuts it.
func TestRead(t *testing.T) {
	for _, tc := range []struct {
		dir  string
		want planOf
	}{
		{"drizzle", planOf{Tool: migrations.Drizzle, OneTx: true, Migrations: []migOf{
			{Name: "0000_init_rbac", Chunks: []string{
				`CREATE TABLE "users" (`, `ALTER TABLE "users" ENABLE ROW LEVEL SECURITY;`, `CREATE TABLE "roles" (`,
				`CREATE TABLE "permissions" (`, `CREATE TABLE "user_roles" (`, `CREATE TABLE "role_permissions" (`,
				`ALTER TABLE "user_roles" ADD CONSTRAINT "user_roles_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;`,
				`ALTER TABLE "user_roles" ADD CONSTRAINT "user_roles_role_id_roles_id_fk" FOREIGN KEY ("role_id") REFERENCES "public"."roles"("id") ON DELETE cascade ON UPDATE no action;`,
				`ALTER TABLE "role_permissions" ADD CONSTRAINT "role_permissions_role_id_roles_id_fk" FOREIGN KEY ("role_id") REFERENCES "public"."roles"("id") ON DELETE cascade ON UPDATE no action;`,
				`ALTER TABLE "role_permissions" ADD CONSTRAINT "role_permissions_permission_id_permissions_id_fk" FOREIGN KEY ("permission_id") REFERENCES "public"."permissions"("id") ON DELETE no action ON UPDATE no action;`,
				`CREATE UNIQUE INDEX "users_email_live_idx" ON "users" USING btree ("email") WHERE deleted_at IS NULL;`,
				`CREATE INDEX "user_roles_role_id_idx" ON "user_roles" USING btree ("role_id");`,
				`CREATE INDEX "role_permissions_permission_id_idx" ON "role_permissions" USING btree ("permission_id");`,
				`CREATE POLICY "users_read" ON "users" AS PERMISSIVE FOR SELECT TO public USING (true);`,
			}},
			{Name: "0001_permission_scope", Chunks: []string{
				`CREATE TYPE "public"."permission_scope" AS ENUM('global', 'org', 'own');`,
				`ALTER TABLE "role_permissions" DROP CONSTRAINT "role_permissions_role_id_permission_id_pk";`,
				`ALTER TABLE "role_permissions" ADD COLUMN "scope" "permission_scope" DEFAULT 'global' NOT NULL;`,
				`ALTER TABLE "role_permissions" ADD CONSTRAINT "role_permissions_role_id_permission_id_scope_pk" PRIMARY KEY("role_id","permission_id","scope");`,
			}},
		}}},
		{"prisma/migrations", planOf{Tool: migrations.Prisma, Migrations: []migOf{
			{Name: "20240105093000_init", Chunks: []string{"-- CreateTable"}},
			{Name: "20240312141500_permission_scope", Chunks: []string{"-- CreateEnum"}},
		}}},
		{"migrations/goose", planOf{Tool: migrations.Goose, Migrations: []migOf{
			{Name: "00001_roles", Tx: true, Chunks: []string{"CREATE TABLE roles (", "CREATE FUNCTION roles_touch() RETURNS trigger LANGUAGE plpgsql AS $$", "GRANT SELECT ON roles TO app_user;"}},
			{Name: "00002_role_permissions", Chunks: []string{
				"CREATE TYPE permission_scope AS ENUM ('global', 'org', 'own');", "CREATE TABLE role_permissions (",
				"CREATE INDEX CONCURRENTLY role_permissions_permission_id_idx ON role_permissions (permission_id);",
			}},
		}}},
		{"migrations/dbmate/db/migrations", planOf{Tool: migrations.Dbmate, Migrations: []migOf{
			{Name: "20240105093000_roles", Tx: true, Chunks: []string{"CREATE TABLE roles ("}},
			{Name: "20240312141500_role_permissions", Chunks: []string{"CREATE TYPE permission_scope AS ENUM ('global', 'org', 'own');"}},
		}}},
		{"migrations/golang-migrate", planOf{Tool: migrations.GolangMigrate, Migrations: []migOf{
			{Name: "000001_roles", Chunks: []string{"CREATE TABLE roles ("}},
			{Name: "000002_role_permissions", Chunks: []string{"CREATE TYPE permission_scope AS ENUM ('global', 'org', 'own');"}},
		}}},
		{"migrations/flyway/sql", planOf{Tool: migrations.Flyway, Migrations: []migOf{
			{Name: "V1__roles", Chunks: []string{"CREATE TABLE roles ("}},
			{Name: "V1.1__role_description", Chunks: []string{"-- Needs roles, which V1 creates: by name \"V1.1__\" sorts before \"V1__\", but"}},
			{Name: "V2__role_permissions", Chunks: []string{"CREATE TYPE permission_scope AS ENUM ('global', 'org', 'own');"}},
			{Name: "R__role_names", Chunks: []string{"-- Repeatable: runs after every versioned migration."}},
		}}},
	} {
		t.Run(tc.dir, func(t *testing.T) {
			p, err := Read(filepath.Join(fixtures, tc.dir), "")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, summary(p)); diff != "" {
				t.Errorf("plan (-want +got):\n%s", diff)
			}
			for _, m := range p.Migrations {
				for _, c := range m.Chunks {
					if strings.Contains(c.SQL, "DROP TABLE") {
						t.Errorf("%s: a down part is applied:\n%s", m.Name, c.SQL)
					}
				}
			}
		})
	}
}

// TestReadErrors covers folders that cannot be applied: code, a missing
// folder, an unknown tool.
func TestReadErrors(t *testing.T) {
	for _, tc := range []struct {
		dir  string
		tool migrations.Tool
		want string
		code bool
	}{
		{"migrations/knex", "", "the migrations in ../../../testdata/derive/migrations/knex are knex migrations written in JavaScript: rbacdrift applies only SQL migrations", true},
		{"migrations/goose-go", "", "../../../testdata/derive/migrations/goose-go/00002_backfill.go is a goose migration written in Go", true},
		{"migrations/no-such-folder", "", "reading migrations: stat ../../../testdata/derive/migrations/no-such-folder: no such file or directory", false},
		{"migrations/goose", "liquibase", `reading migrations: unknown tool "liquibase"`, false},
		{"prisma/schema.prisma", "", "reading migrations: ../../../testdata/derive/prisma/schema.prisma is not a folder", false},
	} {
		_, err := Read(filepath.Join(fixtures, tc.dir), tc.tool)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("Read(%s) = %v, want an error starting %q", tc.dir, err, tc.want)
			continue
		}
		var ce *CodeError
		if errors.As(err, &ce) != tc.code {
			t.Errorf("Read(%s): CodeError = %v, want %v", tc.dir, !tc.code, tc.code)
		}
		if tc.code && !strings.Contains(ce.Hint(), "rbacdrift snapshot --db") {
			t.Errorf("Read(%s): hint %q does not point to snapshot --db", tc.dir, ce.Hint())
		}
	}
}

func TestRoleNames(t *testing.T) {
	for _, tc := range []struct {
		sql            string
		named, created []string
	}{
		{"GRANT SELECT, INSERT ON roles, users TO app_user, \"Reporting\" WITH GRANT OPTION", []string{"app_user", "Reporting"}, nil},
		{"REVOKE ALL ON TABLE roles FROM GROUP legacy", []string{"legacy"}, nil},
		{"GRANT app_read TO app_user", []string{"app_user", "app_read"}, nil},
		{"ALTER DEFAULT PRIVILEGES FOR ROLE owner IN SCHEMA public GRANT SELECT ON TABLES TO app_user", []string{"owner", "app_user"}, nil},
		{"CREATE POLICY p ON t FOR SELECT TO tenant USING (true)", []string{"tenant"}, nil},
		{"ALTER TABLE t OWNER TO app_owner", []string{"app_owner"}, nil},
		{"CREATE SCHEMA app AUTHORIZATION app_owner", []string{"app_owner"}, nil},
		{"CREATE ROLE app_user NOLOGIN; GRANT SELECT ON t TO app_user", []string{"app_user"}, []string{"app_user"}},
		{"COMMENT ON TABLE t IS 'GRANT x TO y'", nil, nil},
	} {
		named, created := roleNames(tc.sql)
		if diff := cmp.Diff(tc.named, named); diff != "" {
			t.Errorf("roleNames(%q) named (-want +got):\n%s", tc.sql, diff)
		}
		if diff := cmp.Diff(tc.created, created); diff != "" {
			t.Errorf("roleNames(%q) created (-want +got):\n%s", tc.sql, diff)
		}
	}
}

func TestPosition(t *testing.T) {
	text := "-- é\nSELECT 1;\n  SELECT x;"
	for _, tc := range []struct{ off, line, col int }{
		{0, 1, 1}, {len("-- é\n"), 2, 1}, {len("-- é\nSELECT 1;\n  "), 3, 3}, {len("-- é"), 1, 5},
	} {
		if l, c := position(text, tc.off); l != tc.line || c != tc.col {
			t.Errorf("position(%d) = %d:%d, want %d:%d", tc.off, l, c, tc.line, tc.col)
		}
	}
	sql := "SELECT 1; /* ; */ SELECT ';';\n  INSERT INTO t VALUES (1);"
	if got, want := statementStart(sql, 2), strings.Index(sql, "INSERT"); got != want {
		t.Errorf("statementStart(2) = %d, want %d", got, want)
	}
}
