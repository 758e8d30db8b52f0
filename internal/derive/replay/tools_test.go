package replay

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/rbacdrift/rbacdrift/internal/check"
	"github.com/rbacdrift/rbacdrift/internal/derive"
	"github.com/rbacdrift/rbacdrift/internal/pgserver"
	"github.com/rbacdrift/rbacdrift/internal/pgsession"
	"github.com/rbacdrift/rbacdrift/internal/testutil/pgtest"
	"github.com/rbacdrift/rbacdrift/introspect"
)

const toolFixtures = "../../../testdata/migrations/"

func readTool(t *testing.T, dir string) *Plan {
	t.Helper()
	p, err := Read(filepath.Join(toolFixtures, dir), "")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func tableNames(res *Result) []string {
	var names []string
	for _, tb := range res.Model.Tables {
		names = append(names, tb.Name.String())
	}
	return names
}

// TestReplayKeepsTheToolsHistory: a golang-migrate project whose second
// migration alters schema_migrations replays, because the replay creates
// and fills the table as golang-migrate does. The model is the migrated
// database's, the tool's table included, as a snapshot of the application's
// database has it.
func TestReplayKeepsTheToolsHistory(t *testing.T) {
	p := readTool(t, "golang-migrate-upgrade")
	if p.Tool != "golang-migrate" {
		t.Fatalf("tool %s", p.Tool)
	}
	db := pgtest.NewDB(t)
	if err := Apply(context.Background(), db.Conn(t).PgConn(), p); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	var version int64
	var dirty bool
	var at *time.Time
	if err := db.Conn(t).QueryRow(context.Background(), "SELECT version, dirty, applied_at FROM schema_migrations").Scan(&version, &dirty, &at); err != nil {
		t.Fatal(err)
	}
	if version != 3 || dirty || at == nil {
		t.Errorf("schema_migrations holds (%d, %v, %v), want (3, false, a time)", version, dirty, at)
	}
	res := deriveModel(t, p, nil)
	if diff := cmp.Diff([]string{"public.role_permissions", "public.roles", "public.schema_migrations"}, tableNames(res)); diff != "" {
		t.Errorf("tables (-want +got):\n%s", diff)
	}
}

// TestDevDBTemplate: --dev-db makes its database from the server's default
// template, so what the server's platform keeps there is under the
// migrations, or from the template named.
func TestDevDBTemplate(t *testing.T) {
	server := pgtest.GetServer(t)
	admin := target(t, server.AdminURL)
	ctx0 := context.Background()
	name := "rbacdrift_tmpl_" + randomHex()
	conn, err := pgx.Connect(ctx0, server.AdminURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx0)
	if _, err := conn.Exec(ctx0, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	defer conn.Exec(ctx0, "DROP DATABASE IF EXISTS "+name)
	tc := admin.Config.Copy()
	tc.Database = name
	tconn, err := pgx.ConnectConfig(ctx0, tc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tconn.Exec(ctx0, "CREATE TABLE public.from_template (id int PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	tconn.Close(ctx0) // a template may have no session on it while it is copied
	p := readTool(t, "golang-migrate-upgrade")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := Derive(ctx, p, Options{DevDB: admin, Template: name, Selection: introspect.Selection{Schemas: []string{"public"}}, Introspect: snapOpts})
	if err != nil {
		t.Fatalf("Derive: %v", err)
	}
	if !slices.Contains(tableNames(res), "public.from_template") {
		t.Errorf("the template's table is not under the migrations: %v", tableNames(res))
	}
	if got := createDatabase("x", "m", Options{DevDB: admin}); strings.Contains(got, "TEMPLATE") {
		t.Errorf("--dev-db without --dev-template: %s, want the server's default template", got)
	}
}

// TestSupabaseProject replays a Supabase project on rbacdrift's platform
// base, with no Docker, and checks it as the acceptance of issue 20 asks: a
// database fully migrated has no finding, one a migration behind names that
// migration as the root cause of the findings it explains.
func TestSupabaseProject(t *testing.T) {
	dir := "supabase/supabase/migrations"
	p := readTool(t, dir)
	if p.Tool != "supabase" || p.platform == nil {
		t.Fatalf("tool %s, platform %v", p.Tool, p.platform)
	}
	if h := Header(p); !strings.Contains(h, "Supabase platform base assumed") {
		t.Errorf("header does not say which platform base was assumed: %s", h)
	}
	// Derive: on a throwaway cluster, the base laid down by the superuser,
	// the migrations applied by the migrator role.
	res := deriveModel(t, p, nil, "authenticated")
	if diff := cmp.Diff([]string{"public.members", "public.permissions", "public.role_permissions", "public.roles"}, tableNames(res)); diff != "" {
		t.Errorf("derived tables (-want +got):\n%s", diff)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	c, err := pgserver.Start(ctx, pgserver.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	admin, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	if err := p.platform.layRoles(ctx, admin, ""); err != nil {
		t.Fatal(err)
	}
	db := func(name string, n int) *pgsession.Target {
		if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
			t.Fatal(err)
		}
		tg := target(t, c.URL(name))
		if err := p.platform.layBase(ctx, tg, false); err != nil {
			t.Fatal(err)
		}
		conn, err := pgx.ConnectConfig(ctx, tg.Config)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		first := *p
		first.Migrations = p.Migrations[:n]
		if err := Apply(ctx, conn.PgConn(), &first); err != nil {
			t.Fatalf("Apply: %v", err)
		}
		return tg
	}
	full, behind := db("db_full", len(p.Migrations)), db("db_behind", len(p.Migrations)-1)

	snap, err := derive.Snapshot(ctx, full, introspect.Selection{Schemas: []string{"public"}, Roles: []string{"authenticated"}}, snapOpts)
	if err != nil {
		t.Fatal(err)
	}
	m := reparse(t, snap.Model)
	if len(m.Tables) != 4 {
		t.Errorf("tables: %d, want members, permissions, role_permissions, roles", len(m.Tables))
	}
	migs := &check.MigrationOptions{Dir: filepath.Join(toolFixtures, dir)}
	run := func(tg *pgsession.Target) []string {
		s, err := pgsession.Open(ctx, tg, snapOpts)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close(ctx)
		res, err := check.Check(ctx, s, m, check.CheckOptions{SkipQueries: true, Migrations: migs})
		if err != nil {
			t.Fatalf("Check: %v", err)
		}
		out := []string{}
		for _, f := range res.Findings {
			out = append(out, string(f.Code)+" "+f.Object+" <- "+f.ExplainedBy)
		}
		return out
	}
	if diff := cmp.Diff([]string{}, run(full)); diff != "" {
		t.Errorf("fully migrated (-want +got):\n%s", diff)
	}
	got := run(behind)
	const cause = "migration:20240107120000_role_permissions"
	if len(got) < 2 || got[0] != "migration-pending "+cause+" <- " {
		t.Fatalf("one behind: the pending migration is not the first finding: %v", got)
	}
	for _, f := range got[1:] {
		if !strings.HasSuffix(f, "<- "+cause) {
			t.Errorf("one behind: %q is not explained by %s", f, cause)
		}
	}
}
