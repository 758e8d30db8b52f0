package replay

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/rbacdrift/rbacdrift/internal/check"
	"github.com/rbacdrift/rbacdrift/internal/derive"
	"github.com/rbacdrift/rbacdrift/internal/derive/drizzle"
	"github.com/rbacdrift/rbacdrift/internal/derive/prisma"
	"github.com/rbacdrift/rbacdrift/internal/pgsession"
	"github.com/rbacdrift/rbacdrift/internal/testutil/pgtest"
	"github.com/rbacdrift/rbacdrift/introspect"
	"github.com/rbacdrift/rbacdrift/spec"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func read(t *testing.T, dir string) *Plan {
	t.Helper()
	p, err := Read(filepath.Join(fixtures, dir), "")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func target(t *testing.T, url string) *pgsession.Target {
	t.Helper()
	tg, err := pgsession.ParseTarget(url)
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

var snapOpts = pgsession.Options{Timeout: 20 * time.Second}

// deriveModel runs Derive, on a throwaway cluster when dev is nil.
func deriveModel(t *testing.T, p *Plan, dev *pgsession.Target, roles ...string) *Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := Derive(ctx, p, Options{DevDB: dev, Selection: introspect.Selection{Schemas: []string{"public"}, Roles: roles}, Introspect: snapOpts})
	if err != nil {
		t.Fatalf("Derive(%s): %v", p.Dir, err)
	}
	return res
}

// migrated returns a database of the test server with the first n of the
// plan's migrations applied.
func migrated(t *testing.T, p *Plan, n int) *pgtest.DB {
	t.Helper()
	db := pgtest.NewDB(t)
	conn := db.Conn(t)
	first := *p
	first.Migrations = p.Migrations[:n]
	if err := Apply(context.Background(), conn.PgConn(), &first); err != nil {
		t.Fatal(err)
	}
	return db
}

type found struct{ Code, Object string }

// checkDB runs the checker's whole check of m against the database at url.
func checkDB(t *testing.T, url string, m *spec.Model) []found {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgsession.Connect(ctx, target(t, url), snapOpts)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	res, err := check.Check(ctx, pgsession.NewSession(conn, snapOpts), m, check.CheckOptions{})
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	out := []found{}
	for _, f := range res.Findings {
		out = append(out, found{string(f.Code), f.Object})
	}
	slices.SortFunc(out, func(a, b found) int { return strings.Compare(a.Code+" "+a.Object, b.Code+" "+b.Object) })
	return out
}

// reparse gives m the positions a model read from a file has, as check
// expects of a model.
func reparse(t *testing.T, m *spec.Model) *spec.Model {
	t.Helper()
	back, err := spec.Parse("derived.yaml", spec.Format(m))
	if err != nil {
		t.Fatal(err)
	}
	return back
}

// TestFixtureApps takes the model of each fixture application from its
// migrations on a throwaway cluster: it is clean against a database with
// every migration applied, and names what the last migration adds on one a
// migration behind.
func TestFixtureApps(t *testing.T) {
	behind := []found{
		{"missing-column", "public.role_permissions.scope"},
		{"missing-enum", "public.permission_scope"},
		{"primary-key-mismatch", "public.role_permissions"},
	}
	for _, dir := range []string{"drizzle", "prisma/migrations"} {
		t.Run(dir, func(t *testing.T) {
			p := read(t, dir)
			m := reparse(t, deriveModel(t, p, nil).Model)
			if diff := cmp.Diff([]found{}, checkDB(t, migrated(t, p, len(p.Migrations)).URL, m)); diff != "" {
				t.Errorf("all applied: findings (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(behind, checkDB(t, migrated(t, p, len(p.Migrations)-1).URL, m)); diff != "" {
				t.Errorf("one behind: findings (-want +got):\n%s", diff)
			}
		})
	}
}

// TestTools applies each tool's fixture on a throwaway cluster: the up parts
// in the tool's order (Flyway's V1.1 needs V1's table, its R__ view needs
// V2's), never the down parts, with the role the migrations grant to made
// first.
func TestTools(t *testing.T) {
	for _, dir := range []string{"migrations/goose", "migrations/dbmate/db/migrations", "migrations/golang-migrate", "migrations/flyway/sql"} {
		t.Run(dir, func(t *testing.T) {
			res := deriveModel(t, read(t, dir), nil, "app_user")
			var names []string
			for _, tb := range res.Model.Tables {
				names = append(names, tb.Name.Name)
				if tb.Name.Name == "roles" {
					if diff := cmp.Diff([]string{"SELECT"}, grantsOf(tb, "app_user")); diff != "" {
						t.Errorf("roles grants of app_user (-want +got):\n%s", diff)
					}
				}
			}
			// The tool's history table is made and written as the tool does.
			want := []string{"role_permissions", "roles", "schema_migrations"}
			switch {
			case strings.Contains(dir, "flyway"):
				want = []string{"flyway_schema_history", "role_names", "role_permissions", "roles"}
			case strings.Contains(dir, "goose"):
				want = []string{"goose_db_version", "role_permissions", "roles"}
			}
			if diff := cmp.Diff(want, names); diff != "" {
				t.Errorf("tables (-want +got):\n%s", diff)
			}
			if len(res.Model.Enums) != 1 {
				t.Errorf("enums: %d, want permission_scope", len(res.Model.Enums))
			}
		})
	}
}

func grantsOf(tb *spec.Table, role string) []string {
	for _, g := range tb.Grants {
		if g.Role == role {
			return g.Privileges
		}
	}
	return nil
}

// TestDevDB applies the migrations in a temporary database of an existing
// server: the model is the throwaway cluster's, and the database is gone
// afterwards. A role that cannot create databases is refused before
// anything is made.
func TestDevDB(t *testing.T) {
	p := read(t, "drizzle")
	server := pgtest.GetServer(t)
	dev := target(t, server.AdminURL)
	got := deriveModel(t, p, dev)
	want := deriveModel(t, p, nil)
	if diff := cmp.Diff(string(spec.Format(want.Model)), string(spec.Format(got.Model))); diff != "" {
		t.Errorf("model on --dev-db differs from the throwaway cluster's (-cluster +dev-db):\n%s", diff)
	}
	if !strings.HasPrefix(got.Where, "a temporary database on postgres://") {
		t.Errorf("Where = %q", got.Where)
	}
	if left := scratchDatabases(t, server.AdminURL); len(left) > 0 {
		t.Errorf("temporary databases left behind: %v", left)
	}

	db := pgtest.NewDB(t)
	user := db.LoginRole(t, "nocreatedb", "pw-nocreatedb")
	ctx := context.Background()
	_, err := Derive(ctx, p, Options{DevDB: target(t, server.URL("postgres", user, "pw-nocreatedb")), Selection: introspect.Selection{Schemas: []string{"public"}}, Introspect: snapOpts})
	var de *DevDBError
	if !errors.As(err, &de) || !strings.Contains(de.Message, "cannot create databases") || !strings.Contains(de.Hint, "CREATEDB") {
		t.Errorf("Derive as a role without CREATEDB = %v, want a DevDBError", err)
	}

	// A failing migration and an interrupted run drop the database too.
	_, err = Derive(ctx, read(t, "migrations/failing"), Options{DevDB: dev, Selection: introspect.Selection{Schemas: []string{"public"}}, Introspect: snapOpts})
	var me *MigrationError
	if !errors.As(err, &me) {
		t.Fatalf("Derive(failing) = %v, want a MigrationError", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := Derive(cctx, p, Options{DevDB: dev, Selection: introspect.Selection{Schemas: []string{"public"}}, Introspect: snapOpts}); err == nil {
		t.Error("Derive with a cancelled context succeeded")
	}
	if left := scratchDatabases(t, server.AdminURL); len(left) > 0 {
		t.Errorf("temporary databases left behind: %v", left)
	}
}

func scratchDatabases(t *testing.T, url string) []string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, _ := conn.Query(ctx, "SELECT datname FROM pg_database WHERE starts_with(datname, $1)", TempPrefix)
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// TestMigrationError maps the server's error to the file: its position when
// it gives one, else the start of the statement that failed.
func TestMigrationError(t *testing.T) {
	p := read(t, "migrations/failing")
	db := pgtest.NewDB(t)
	err := Apply(context.Background(), db.Conn(t).PgConn(), p)
	var me *MigrationError
	if !errors.As(err, &me) {
		t.Fatalf("Apply = %v, want a MigrationError", err)
	}
	file := filepath.Join(fixtures, "migrations/failing/000002_scope.up.sql")
	want := "migration 000002_scope failed at " + file + `:4:20: error: column "title" of relation "roles" does not exist (SQLSTATE 42703)`
	if me.Error() != want {
		t.Errorf("error:\n got %s\nwant %s", me.Error(), want)
	}

	// No position: a duplicate key, in the third statement of the file.
	dir := t.TempDir()
	sql := "CREATE TABLE t (id int PRIMARY KEY);\nINSERT INTO t VALUES (1);\n\n  INSERT INTO t VALUES (1);\n"
	dup := &Plan{Tool: "golang-migrate", Dir: dir, Migrations: []*Migration{{Name: "1_dup", File: "1_dup.up.sql", text: sql, Chunks: []Chunk{{SQL: sql}}}}}
	err = Apply(context.Background(), pgtest.NewDB(t).Conn(t).PgConn(), dup)
	if !errors.As(err, &me) || me.Line != 4 || me.Column != 3 || !strings.Contains(me.Error(), "23505") {
		t.Errorf("Apply(duplicate key) = %v, want it at 1_dup.up.sql:4:3", err)
	}
}

// TestThreeModels compares the three models of one application: from its
// migrations, from its ORM schema (internal/derive), and from a snapshot
// of a database the migrations were applied to. The first and the last are
// one model; the ORM's says less, and what it leaves out is listed here,
// each as a fact the migrations' model states and the ORM's leaves
// unchecked. The other way round there is nothing to list: what an ORM
// schema says beyond its migrations (Prisma's @updatedAt, uuid(), relation
// fields) is client-side behaviour, no fact of the database, and both
// models agree on every column, key, foreign key and index (the check of
// the ORM's model against the migrated database is clean).
func TestThreeModels(t *testing.T) {
	type gap struct {
		what string
		// inMig and inORM say whether each model states the fact.
		has func(m *spec.Model) bool
	}
	table := func(m *spec.Model, name string) *spec.Table {
		for _, tb := range m.Tables {
			if tb.Name.Name == name {
				return tb
			}
		}
		t.Fatalf("no table %s", name)
		return nil
	}
	for _, tc := range []struct {
		dir  string
		orm  func(t *testing.T) *spec.Model
		gaps []gap
	}{
		{"prisma/migrations", ormPrisma, []gap{
			{"row-level security: a Prisma schema has no RLS state or policies", func(m *spec.Model) bool { return table(m, "users").RLS != nil }},
			{"grants: a Prisma schema has no privileges", func(m *spec.Model) bool { return table(m, "users").Grants != nil }},
		}},
		{"drizzle", ormDrizzle, []gap{
			{"grants: drizzle-kit snapshots record none", func(m *spec.Model) bool { return table(m, "users").Grants != nil }},
		}},
	} {
		t.Run(tc.dir, func(t *testing.T) {
			p := read(t, tc.dir)
			fromMig := deriveModel(t, p, nil, "PUBLIC").Model
			db := migrated(t, p, len(p.Migrations))
			snap, err := derive.Snapshot(context.Background(), target(t, db.URL), introspect.Selection{Schemas: []string{"public"}, Roles: []string{"PUBLIC"}}, snapOpts)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(spec.Format(snap.Model)), string(spec.Format(fromMig))); diff != "" {
				t.Errorf("the model from the migrations is not the snapshot of the migrated database (-snapshot +migrations):\n%s", diff)
			}
			orm := tc.orm(t)
			if diff := cmp.Diff([]found{}, checkDB(t, db.URL, orm)); diff != "" {
				t.Errorf("the ORM's model against the migrated database (-want +got):\n%s", diff)
			}
			for _, g := range tc.gaps {
				if !g.has(fromMig) || g.has(orm) {
					t.Errorf("%s: in the migrations' model %v, in the ORM's %v; want true, false", g.what, g.has(fromMig), g.has(orm))
				}
			}
		})
	}
}

func ormPrisma(t *testing.T) *spec.Model {
	m, err := prisma.FromFile(filepath.Join(fixtures, "prisma/schema.prisma"))
	if err != nil {
		t.Fatal(err)
	}
	return reparse(t, m)
}

func ormDrizzle(t *testing.T) *spec.Model {
	m, err := drizzle.FromFile(filepath.Join(fixtures, "drizzle"))
	if err != nil {
		t.Fatal(err)
	}
	return reparse(t, m)
}
