package check_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/rbacdrift/rbacdrift/internal/derive"
	"github.com/rbacdrift/rbacdrift/internal/pgsession"

	"github.com/google/go-cmp/cmp"
	"github.com/rbacdrift/rbacdrift/drift"
	"github.com/rbacdrift/rbacdrift/internal/testutil/checktest"
	"github.com/rbacdrift/rbacdrift/internal/testutil/pgtest"
	"github.com/rbacdrift/rbacdrift/introspect"
	"github.com/rbacdrift/rbacdrift/spec"
)

// everyDB loads testdata/snapshot/every.sql, the database that uses every
// construct the checker reads, with two roles of the test's own: app and
// admin.
func everyDB(t *testing.T) (db *pgtest.DB, app, admin string) {
	t.Helper()
	db = pgtest.NewDB(t)
	app, admin = db.Role(t, "app"), db.Role(t, "admin")
	b, err := os.ReadFile("../../testdata/snapshot/every.sql")
	if err != nil {
		t.Fatal(err)
	}
	db.Exec(t, strings.NewReplacer("{{app}}", `"`+app+`"`, "{{admin}}", `"`+admin+`"`).Replace(string(b)))
	return db, app, admin
}

// takeSnapshot does what rbacdrift snapshot does, through the engine, and
// returns the model text.
func takeSnapshot(t *testing.T, url string, sel introspect.Selection) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	target, err := pgsession.ParseTarget(url)
	if err != nil {
		t.Fatal(err)
	}
	res, err := derive.Snapshot(ctx, target, sel, pgsession.Options{Timeout: 20 * time.Second})
	if err != nil {
		t.Fatalf("Snapshot: %v", err)
	}
	return spec.Format(res.Model, "snapshot for "+t.Name())
}

// checkText parses a model text and checks the database at url against it.
func checkText(t *testing.T, url string, model []byte) []*drift.Finding {
	t.Helper()
	return checktest.Compare(t, url, checktest.Parse(t, "snapshot.yaml", model))
}

// TestSnapshotRoundTrip: a snapshot checked against the database it was
// taken from finds nothing, whatever the database holds.
func TestSnapshotRoundTrip(t *testing.T) {
	tests := []struct {
		name    string
		sqlFile string
		sel     func(app, admin string) introspect.Selection
		tables  int // how many relations the snapshot must hold
	}{
		{"reference normalised", "../../testdata/reference/normalised.sql",
			func(_, _ string) introspect.Selection { return introspect.Selection{Schemas: []string{"public"}} }, 5},
		{"reference legacy", "../../testdata/reference/legacy.sql",
			func(_, _ string) introspect.Selection { return introspect.Selection{Schemas: []string{"public"}} }, 5},
		{"every construct, two schemas, grants", "",
			func(app, admin string) introspect.Selection {
				return introspect.Selection{Schemas: []string{"public", "audit"}, Roles: []string{app, admin, "PUBLIC"}}
			}, 8},
		{"every construct, the other schema first", "",
			func(app, _ string) introspect.Selection {
				return introspect.Selection{Schemas: []string{"audit", "public"}, Roles: []string{app}}
			}, 8},
		{"every construct, a partition named", "",
			func(_, _ string) introspect.Selection {
				return introspect.Selection{Schemas: []string{"public"}, Tables: []string{"events", "events_2025", "my.table"}}
			}, 3},
		{"every construct, matched", "",
			func(_, admin string) introspect.Selection {
				return introspect.Selection{Schemas: []string{"public"}, Match: "*role*", Roles: []string{admin}}
			}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var db *pgtest.DB
			app, admin := "", ""
			if tt.sqlFile == "" {
				db, app, admin = everyDB(t)
			} else {
				db = pgtest.NewDB(t)
				db.ExecFile(t, tt.sqlFile)
			}
			model := takeSnapshot(t, db.URL, tt.sel(app, admin))
			m, err := spec.Parse("snapshot.yaml", model)
			if err != nil {
				t.Fatalf("the snapshot does not parse: %v\n%s", err, model)
			}
			if len(m.Tables) != tt.tables {
				t.Errorf("the snapshot holds %d relations, want %d:\n%s", len(m.Tables), tt.tables, model)
			}
			fs := checkText(t, db.URL, model)
			var got []string
			for _, f := range fs {
				got = append(got, string(f.Code)+" "+f.Object+": "+f.Message)
			}
			if diff := cmp.Diff([]string(nil), got); diff != "" {
				t.Errorf("checking the snapshot against its own database finds drift (-want +got):\n%s\nsnapshot:\n%s", diff, model)
			}
		})
	}
}

// TestSnapshotThenDrift: a privilege or row-level security change on a
// snapshotted database is reported with the right code and object.
func TestSnapshotThenDrift(t *testing.T) {
	tests := []struct {
		name  string
		drift string // SQL run after the snapshot; {{app}} and {{admin}} are the roles
		want  []found
		hints map[string]string
	}{
		{
			name:  "REVOKE SELECT from the app role",
			drift: `REVOKE SELECT ON "UserRoles" FROM {{app}}`,
			want:  []found{{"missing-privilege", "public.UserRoles", drift.Error}},
			hints: map[string]string{"missing-privilege public.UserRoles": `GRANT SELECT ON "UserRoles" TO`},
		},
		{
			name:  "RLS enabled, no policy",
			drift: `ALTER TABLE tenants ENABLE ROW LEVEL SECURITY`,
			want:  []found{{"rls-mismatch", "public.tenants", drift.Error}},
			hints: map[string]string{"rls-mismatch public.tenants": "no policy exists: roles that no policy covers see no row of tenants"},
		},
		{
			name:  "RLS disabled",
			drift: `ALTER TABLE "UserRoles" DISABLE ROW LEVEL SECURITY`,
			want:  []found{{"rls-mismatch", "public.UserRoles", drift.Error}},
			hints: map[string]string{"rls-mismatch public.UserRoles": `ALTER TABLE "UserRoles" ENABLE ROW LEVEL SECURITY`},
		},
		{
			name:  "RLS no longer forced",
			drift: `ALTER TABLE "UserRoles" NO FORCE ROW LEVEL SECURITY`,
			want:  []found{{"rls-mismatch", "public.UserRoles", drift.Error}},
			hints: map[string]string{"rls-mismatch public.UserRoles": "bypasses the policies"},
		},
		{
			// The role can still read it, through PUBLIC: what it can
			// do is what counts.
			name:  "own grant revoked, still held through PUBLIC",
			drift: `REVOKE SELECT ON tenants FROM {{app}}`,
			want:  []found{},
		},
		{
			name:  "revoked from the role and from PUBLIC",
			drift: `REVOKE SELECT ON tenants FROM {{app}}, PUBLIC`,
			want:  []found{{"missing-privilege", "public.tenants", drift.Error}},
			hints: map[string]string{"missing-privilege public.tenants": "lacks SELECT on public.tenants: neither its own grants nor PUBLIC hold it"},
		},
		{
			name:  "a column grant revoked",
			drift: `REVOKE UPDATE (name) ON tenants FROM {{app}}`,
			want:  []found{{"missing-privilege", "public.tenants.name", drift.Error}},
			hints: map[string]string{"missing-privilege public.tenants.name": "statements that use tenants.name fail with 42501; GRANT UPDATE ON tenants (name) TO"},
		},
		{
			name:  "a column grant added",
			drift: `GRANT REFERENCES (id) ON tenants TO {{admin}}`,
			want:  []found{},
		},
		{
			name:  "a privilege the model does not grant",
			drift: `GRANT DELETE, TRUNCATE ON role_grants TO {{app}}`,
			want:  []found{{"unexpected-privilege", "public.role_grants", drift.Warning}},
			hints: map[string]string{"unexpected-privilege public.role_grants": "REVOKE DELETE, TRUNCATE ON role_grants FROM"},
		},
		{
			name:  "policy dropped",
			drift: `DROP POLICY admin_reads ON "UserRoles"`,
			want:  []found{{"missing-policy", "public.UserRoles", drift.Error}},
			hints: map[string]string{"missing-policy public.UserRoles": "policy admin_reads on public.UserRoles does not exist"},
		},
		{
			name:  "policy altered",
			drift: `ALTER POLICY tenant_isolation ON "UserRoles" TO {{admin}} USING (tenant_id > 0)`,
			want:  []found{{"policy-mismatch", "public.UserRoles", drift.Error}},
			hints: map[string]string{"policy-mismatch public.UserRoles": "USING (tenant_id > 0), not (tenant_id = (current_setting('app.tenant_id'::text))::bigint)"},
		},
		{
			name:  "policy added",
			drift: `CREATE POLICY app_reads ON role_grants FOR SELECT TO {{app}} USING (true)`,
			want:  []found{{"policy-mismatch", "public.role_grants", drift.Warning}},
			hints: map[string]string{"policy-mismatch public.role_grants": "policy app_reads on public.role_grants is not in the model"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			db, app, admin := everyDB(t)
			model := takeSnapshot(t, db.URL, introspect.Selection{Schemas: []string{"public", "audit"}, Roles: []string{app, admin}})
			db.Exec(t, strings.NewReplacer("{{app}}", `"`+app+`"`, "{{admin}}", `"`+admin+`"`).Replace(tt.drift))
			fs := checkText(t, db.URL, model)
			if diff := cmp.Diff(tt.want, summary(fs)); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
			checkHints(t, fs, tt.hints)
		})
	}
}

// TestSnapshotAddsCalledFunctions: the functions a snapshotted table's
// policies, defaults and CHECK constraints call are recorded without
// --functions, and a check of the same database against it is clean; a
// function nothing calls is left out.
func TestSnapshotAddsCalledFunctions(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	db.Exec(t, `
CREATE FUNCTION authorize(perm text) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
	AS $$ SELECT perm <> '' $$;
CREATE FUNCTION next_code() RETURNS text LANGUAGE sql VOLATILE AS $$ SELECT 'c' $$;
CREATE FUNCTION valid_scope(s text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT s IN ('global', 'org') $$;
CREATE FUNCTION unused() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;
CREATE TABLE docs (
	id int PRIMARY KEY,
	code text NOT NULL DEFAULT next_code(),
	scope text NOT NULL CHECK (valid_scope(scope))
);
ALTER TABLE docs ENABLE ROW LEVEL SECURITY;
CREATE POLICY read_docs ON docs FOR SELECT USING (authorize('docs.read'));`)
	model := takeSnapshot(t, db.URL, introspect.Selection{Schemas: []string{"public"}})
	for _, want := range []string{"\n  authorize(text): ", "\n  next_code(): ", "\n  valid_scope(text): "} {
		if !strings.Contains(string(model), want) {
			t.Errorf("the snapshot does not record %s:\n%s", want, model)
		}
	}
	if strings.Contains(string(model), "unused") {
		t.Errorf("the snapshot records a function nothing calls:\n%s", model)
	}
	if fs := checkText(t, db.URL, model); len(fs) != 0 {
		for _, f := range fs {
			t.Errorf("unexpected finding %s %s: %s", f.Code, f.Object, f.Message)
		}
	}
}
