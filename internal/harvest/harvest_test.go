package harvest_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/rbacdrift/rbacdrift/internal/harvest"
	"github.com/rbacdrift/rbacdrift/internal/pgsession"
	"github.com/rbacdrift/rbacdrift/internal/testutil/pgtest"
	"github.com/rbacdrift/rbacdrift/spec"
)

const schemaSQL = `
CREATE EXTENSION pg_stat_statements;
CREATE TABLE roles (id serial PRIMARY KEY, name text NOT NULL UNIQUE);
CREATE TABLE role_permissions (role_id int NOT NULL REFERENCES roles, permission_id int NOT NULL, scope text NOT NULL DEFAULT 'global', PRIMARY KEY (role_id, permission_id, scope));
CREATE TABLE sessions (sid text PRIMARY KEY, data jsonb, expires timestamptz);
CREATE ROLE app_user LOGIN;
CREATE ROLE other_user LOGIN;
GRANT SELECT, INSERT, UPDATE, DELETE ON roles, role_permissions, sessions TO app_user, other_user;
GRANT USAGE ON SEQUENCE roles_id_seq TO app_user;
CREATE VIEW role_names AS SELECT r.name, rp.permission_id FROM roles r JOIN role_permissions rp ON rp.role_id = r.id;
GRANT SELECT ON role_names TO app_user;
`

const modelYAML = `version: 1
tables:
  roles:
    columns:
      id: { type: integer }
      name: { type: text }
  role_permissions:
    columns:
      role_id: { type: integer }
      permission_id: { type: integer }
      scope: { type: text }
`

// appStatements are what the application sends, as the app role: simple
// protocol (constants the extension normalises) and extended protocol.
var appStatements = []string{
	"SELECT 1",
	"SELECT now()",
	"SET application_name = 'app'",
	"BEGIN",
	"COMMIT",
	"SELECT data FROM sessions WHERE sid = 'abc' AND expires > now()",
	"INSERT INTO roles (name) VALUES ('admin') ON CONFLICT (name) DO NOTHING",
	"SELECT rp.permission_id, rp.scope FROM role_permissions rp JOIN roles r ON r.id = rp.role_id WHERE r.name = 'admin' AND rp.permission_id IN (1, 2, 3) LIMIT 10",
	"SELECT name FROM role_names WHERE permission_id = 7",
	"DELETE FROM role_permissions WHERE role_id = 42",
	"WITH x AS (SELECT id FROM roles WHERE name = 'viewer') UPDATE role_permissions SET scope = 'own' FROM x WHERE role_id = x.id",
	"SELECT count(*) FROM roles WHERE id = ANY('{1,2}'::int[])",
}

func statsCluster(t *testing.T) *pgtest.Cluster {
	t.Helper()
	c := pgtest.StartCluster(t, pgtest.ClusterOptions{ExtraConf: pgtest.StatementsConf()})
	exec(t, c.URL("postgres", "", ""), pgx.QueryExecModeSimpleProtocol, schemaSQL)
	return c
}

func exec(t *testing.T, url string, mode pgx.QueryExecMode, stmts ...string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, s := range stmts {
		if _, err := conn.Exec(ctx, s, mode); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func session(t *testing.T, url string) *pgsession.Session {
	t.Helper()
	ctx := context.Background()
	target, err := pgsession.ParseTarget(url)
	if err != nil {
		t.Fatal(err)
	}
	s, err := pgsession.Open(ctx, target, pgsession.Options{Timeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	return s
}

func model(t *testing.T) *spec.Model {
	t.Helper()
	m, err := spec.Parse("rbacdrift.yaml", []byte(modelYAML))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestHarvest runs the application's statements on a server that records
// them, then harvests: the model's statements are kept and named, the
// session store, health checks and utility statements are left out, and
// nothing the harvest sends is left on the server.
func TestHarvest(t *testing.T) {
	c := statsCluster(t)
	exec(t, c.URL("postgres", "app_user", ""), pgx.QueryExecModeSimpleProtocol, appStatements...)
	// The extended protocol, as drivers send it: the text keeps its $n.
	exec(t, c.URL("postgres", "app_user", ""), pgx.QueryExecModeExec,
		"SELECT permission_id FROM role_permissions WHERE role_id = 1 AND scope = 'global'")
	// Another role's statement on a model table, left out by --role.
	exec(t, c.URL("postgres", "other_user", ""), pgx.QueryExecModeSimpleProtocol, "SELECT name FROM roles ORDER BY name")

	ctx := context.Background()
	s := session(t, c.URL("postgres", "", ""))
	stmts, src, err := harvest.ReadStatements(ctx, s, "app_user")
	if err != nil {
		t.Fatal(err)
	}
	if src.Database != "postgres" || src.Hidden != 0 {
		t.Errorf("source = %+v", src)
	}
	entries, refused, err := harvest.Select(ctx, s, model(t), stmts)
	if err != nil {
		t.Fatal(err)
	}
	if len(refused) != 0 {
		t.Errorf("refused: %+v", refused)
	}
	var got []string
	for _, e := range entries {
		if e.Role != "app_user" || e.Calls != 1 {
			t.Errorf("%s: role %q calls %d", e.Name, e.Role, e.Calls)
		}
		got = append(got, e.Name[:strings.LastIndexByte(e.Name, '_')])
	}
	want := []string{
		"insert_roles",
		"select_role_permissions", // the IN list, whatever the version made of it
		"select_role_permissions", // the extended protocol's
		"select_role_permissions", // through the view role_names: the plan reads its tables
		"select_roles",
		"delete_role_permissions",
		"update_role_permissions",
	}
	if diff := cmp.Diff(sortStrings(want), sortStrings(got)); diff != "" {
		t.Errorf("harvested statements (-want +got):\n%s", diff)
	}
	for _, e := range entries {
		if strings.Contains(e.SQL, "sessions") || strings.Contains(e.SQL, "other") {
			t.Errorf("kept %s: %s", e.Name, e.SQL)
		}
	}
	assertClean(t, s)
}

func sortStrings(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// assertClean checks that the session's connection has no prepared
// statement left, reading pg_prepared_statements in a unit of its own.
func assertClean(t *testing.T, s *pgsession.Session) {
	t.Helper()
	var n int
	err := s.Read(context.Background(), func(q *pgsession.Queue) {
		q.Query("SELECT count(*) FROM pg_prepared_statements")
	}, func(r *pgsession.Results) error { return r.QueryRow().Scan(&n) })
	if err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d prepared statements left on the connection", n)
	}
}

// TestHarvestErrors: each way pg_stat_statements can be unavailable gives a
// typed error the CLI can word.
func TestHarvestErrors(t *testing.T) {
	ctx := context.Background()
	t.Run("not installed", func(t *testing.T) {
		db := pgtest.NewDB(t)
		_, _, err := harvest.ReadStatements(ctx, session(t, db.URL), "")
		if !errors.Is(err, harvest.ErrNoExtension) {
			t.Errorf("err = %v, want ErrNoExtension", err)
		}
	})
	t.Run("not preloaded", func(t *testing.T) {
		c := pgtest.StartCluster(t, pgtest.ClusterOptions{})
		exec(t, c.URL("postgres", "", ""), pgx.QueryExecModeSimpleProtocol, "CREATE EXTENSION pg_stat_statements")
		_, _, err := harvest.ReadStatements(ctx, session(t, c.URL("postgres", "", "")), "")
		var nl *harvest.ErrNotLoaded
		if !errors.As(err, &nl) {
			t.Errorf("err = %v, want ErrNotLoaded", err)
		}
	})
	t.Run("insufficient privilege", func(t *testing.T) {
		c := statsCluster(t)
		exec(t, c.URL("postgres", "app_user", ""), pgx.QueryExecModeSimpleProtocol, "SELECT name FROM roles")
		_, src, err := harvest.ReadStatements(ctx, session(t, c.URL("postgres", "other_user", "")), "")
		if err != nil {
			t.Fatal(err)
		}
		if src.Hidden == 0 {
			t.Errorf("Hidden = 0; the statements of app_user should be hidden from other_user")
		}
	})
}

// TestPlanRefusals plans more statements than one unit of work holds, with
// refusals among them (a table the role may not read, a column that does
// not exist, a role that cannot be assumed): each refusal is its own
// statement's, the statements after it are planned, a role that cannot be
// assumed is planned as the connecting user, and nothing is left on the
// connection.
func TestPlanRefusals(t *testing.T) {
	db := pgtest.NewDB(t)
	app := db.Role(t, "app")
	db.Exec(t, `CREATE TABLE roles (id int PRIMARY KEY, name text); CREATE TABLE secrets (x int);
		GRANT SELECT ON roles TO `+pgx.Identifier{app}.Sanitize())
	var stmts []harvest.Statement
	for i := range 120 {
		sql := fmt.Sprintf("SELECT name FROM roles WHERE id = $1 LIMIT %d", i+1)
		switch i {
		case 49:
			sql = "SELECT x FROM secrets" // 42501 as app
		case 50:
			sql = "SELECT nope FROM roles" // 42703
		}
		stmts = append(stmts, harvest.Statement{Role: app, SQL: sql})
	}
	stmts = append(stmts, harvest.Statement{Role: "no_such_role_x", SQL: "SELECT x FROM secrets"})
	s := session(t, db.URL)
	planned, err := harvest.Plan(context.Background(), s, stmts)
	if err != nil {
		t.Fatal(err)
	}
	roles := []harvest.Relation{{Schema: "public", Name: "roles"}}
	for i, p := range planned {
		code := ""
		if p.Err != nil {
			code = p.Err.Code
		}
		switch i {
		case 49:
			if code != "42501" || !p.AsRole {
				t.Errorf("statement %d: %q as role %v, want 42501 as the role", i+1, code, p.AsRole)
			}
		case 50:
			if code != "42703" {
				t.Errorf("statement %d: %q, want 42703", i+1, code)
			}
		case 120:
			if code != "" || p.AsRole || !cmp.Equal(p.Relations, []harvest.Relation{{Schema: "public", Name: "secrets"}}) {
				t.Errorf("statement of a role that does not exist: %q, as role %v, %v; want planned as the connecting user", code, p.AsRole, p.Relations)
			}
		default:
			if code != "" || !p.AsRole || !cmp.Equal(p.Relations, roles) {
				t.Errorf("statement %d: %q, as role %v, %v; want %v as the role", i+1, code, p.AsRole, p.Relations, roles)
			}
		}
	}
	assertClean(t, s)
}
