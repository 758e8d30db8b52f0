package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rbacdrift/rbacdrift/internal/testutil/pgtest"
)

// TestSafetyBadModels gives check and validate broken model files: each is
// refused with exit 2 and a message that names the file and the problem,
// before any connection (the URL points at a closed port).
func TestSafetyBadModels(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	binary := []byte("\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x03\x00>\x00\x01\x00\x00\x00\xff\xfe\x00\x00")
	tests := []struct {
		name    string
		content []byte
		want    string // regexp of a stderr line
	}{
		{"malformed.yaml", []byte("version: 1\ntables:\n  users: {columns: [id\n"), `^malformed\.yaml:[0-9]+(:[0-9]+)?: invalid YAML`},
		{"tabs.yaml", []byte("version: 1\ntables:\n\tusers: {}\n"), `^tabs\.yaml:[0-9]+(:[0-9]+)?: invalid YAML`},
		{"unknown.yaml", []byte("version: 1\ntabels: {}\n"), `^unknown\.yaml:2:1: tabels: unknown key`},
		{"duplicate.yaml", []byte("version: 1\ntables:\n  users: {}\n  users: {}\n"), `^duplicate\.yaml:4:3: tables\.users: duplicate key; first given at line 3`},
		{"wrongtype.yaml", []byte("version: 1\ntables:\n  users:\n    columns: [id, email]\n"), `^wrongtype\.yaml:4:14: tables\.users\.columns: `},
		{"version.yaml", []byte("version: \"one\"\n"), `^version\.yaml:1:10: version: `},
		{"empty.yaml", nil, `^empty\.yaml: file is empty`},
		{"binary.yaml", binary, `^binary\.yaml(:[0-9]+(:[0-9]+)?)?: `},
		{"multi.yaml", []byte("version: 1\nqueries:\n  q:\n    sql: SELECT 1; DROP TABLE users\n"), `^multi\.yaml:4:10: queries\.q\.sql: the SQL holds 2 statements`},
		{"multi_comment.yaml", []byte("version: 1\nqueries:\n  q:\n    sql: \"SELECT 1 /* ; */; DELETE FROM users -- ;\"\n"), `^multi_comment\.yaml:4:10: queries\.q\.sql: the SQL holds 2 statements`},
		{"query_name.yaml", []byte("version: 1\nqueries:\n  \"q'); DROP TABLE users; --\":\n    sql: SELECT 1\n"), `^query_name\.yaml:3:3: queries\.q'\); DROP TABLE users; --: .* is not a query name`},
		{"param_type.yaml", []byte("version: 1\nqueries:\n  q:\n    sql: SELECT $1\n    params: [\"text); DROP TABLE users; --\"]\n"), `^param_type\.yaml:5:14: queries\.q\.params\[0\]: .* is not a type name`},
		{"column_type.yaml", []byte("version: 1\ntables:\n  users:\n    columns:\n      id: \"int); DROP TABLE users; --\"\n"), `^column_type\.yaml:5:11: tables\.users\.columns\.id(\.type)?: .* is not a type name`},
	}
	for _, tt := range tests {
		if err := os.WriteFile(filepath.Join(dir, tt.name), tt.content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range tests {
		path := filepath.Join(dir, tt.name)
		for _, args := range [][]string{
			{"check", "--spec", path, "--db", "postgres://app:" + safetyPassword + "@127.0.0.1:1/x"},
			{"validate", path},
		} {
			code, stdout, stderr := rbacdrift(t.Context(), args...)
			stderr = strings.ReplaceAll(stderr, dir+string(filepath.Separator), "")
			if code != exitUsage {
				t.Errorf("%s %s: exit %d, want %d\n%s", args[0], tt.name, code, exitUsage, stderr)
			}
			if !regexp.MustCompile("(?m)" + tt.want).MatchString(stderr) {
				t.Errorf("%s %s: stderr does not match %q:\n%s", args[0], tt.name, tt.want, stderr)
			}
			if strings.Contains(stderr, "cannot connect") || stdout != "" {
				t.Errorf("%s %s: went on past the model:\nstdout:\n%s\nstderr:\n%s", args[0], tt.name, stdout, stderr)
			}
		}
	}
}

// hostileModel puts SQL injection attempts, quotes, dots and non-ASCII
// letters in every name field of a model. Names are data: catalog queries
// take them as parameters, and identifiers in hints are quoted.
const hostileModel = `version: 1
run_as: "r'; DROP TABLE users; --"
tables:
  "x'); DROP TABLE users; --":
    columns:
      "id'); DROP TABLE users; --": { type: integer }
  users:
    extra_columns: ignore
    columns:
      "e\"mail": text
      "ünï.code": text
      email: { type: varchar(254), default: "now()); DROP TABLE users; --" }
    indexes:
      - { name: "idx'; DROP TABLE users; --", columns: ["id); DROP TABLE users; --"] }
      - { columns: [email], where: "true); DROP TABLE users; --" }
    grants: { "g\"; DROP TABLE users; --": [SELECT], {{app}}: [SELECT] }
    row_level_security:
      enabled: true
      policies: [ { name: "p'; DROP TABLE users; --", roles: ["q\"; DROP TABLE users; --"], using: "true); DROP TABLE users; --" } ]
    forbidden_columns: { "f'); DROP TABLE users; --": "no reason" }
  '"a.b"."c''; DROP TABLE users; --"': {}
  "pg_catalog.pg_class'; --": {}
  roles:
    foreign_keys:
      - { columns: ["x'); DROP TABLE users; --"], references: { table: "users'; DROP TABLE users; --" } }
enums:
  "e'); DROP TABLE users; --": [a, "b'); DROP TABLE users; --"]
  "\"public\".\"permission_scope\"": [global, org, "own'; DROP TYPE permission_scope; --"]
queries:
  hostile_run_as:
    sql: SELECT id FROM users WHERE email = $1
    params: [text]
    run_as: "s\"; DROP TABLE users; --"
  real_hostile_role:
    sql: SELECT id FROM users WHERE email = $1
    params: [text]
    run_as: {{app}}
    sample: { args: ["x'); DROP TABLE users; --"], expect: any }
`

// TestSafetyInjection checks a model whose names are injection attempts,
// against a database that has a role with quotes in its name: the command
// answers with findings, the database is unchanged, no SQL error shows.
func TestSafetyInjection(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	db.ExecFile(t, "../../testdata/reference/normalised.sql")
	// A real role whose name needs quoting, unique on the server.
	app := `app"; DROP TABLE users; -- ` + db.Name
	quoted := `"` + strings.ReplaceAll(app, `"`, `""`) + `"`
	db.Exec(t, "CREATE ROLE "+quoted+"; GRANT SELECT ON users TO "+quoted)
	t.Cleanup(func() { db.Exec(t, "DROP OWNED BY "+quoted+"; DROP ROLE "+quoted) })
	yamlApp := `"` + strings.ReplaceAll(app, `"`, `\"`) + `"`
	model := filepath.Join(t.TempDir(), "hostile.yaml")
	if err := os.WriteFile(model, []byte(strings.ReplaceAll(hostileModel, "{{app}}", yamlApp)), 0o644); err != nil {
		t.Fatal(err)
	}
	before := readState(t, db)
	url := db.URLAs("postgres", safetyPassword)

	code, stdout, stderr := rbacdrift(t.Context(), "check", "--db", url, "--spec", model, "--format", "json")
	if code != exitDrift {
		t.Fatalf("check: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, exitDrift, stdout, stderr)
	}
	for _, want := range []string{"missing-table", "missing-column", "missing-index", "missing-privilege", "missing-policy",
		"missing-foreign-key", "missing-enum", "run-as-unavailable", "enum-label-missing"} {
		if !strings.Contains(stdout, `"`+want+`"`) {
			t.Errorf("no %s finding in:\n%s", want, stdout)
		}
	}
	// The role with quotes in its name exists: its query is dry-run, sample
	// included; only the role that does not exist is unavailable.
	if n := strings.Count(stdout, `"code": "run-as-unavailable"`); n != 1 || strings.Contains(stdout, `"object": "query:real_hostile_role"`) {
		t.Errorf("want one run-as-unavailable finding (hostile_run_as) and none for real_hostile_role; got %d:\n%s", n, stdout)
	}
	for _, bad := range []string{"42601", "syntax error", "SQLSTATE 42"} {
		if strings.Contains(stdout+stderr, bad) {
			t.Errorf("a name reached the server as SQL (%s):\n%s\n%s", bad, stdout, stderr)
		}
	}

	// The flags are names too.
	for _, args := range [][]string{
		{"check", "--db", url, "--spec", model, "--run-as", "x'; DROP TABLE users; --"},
		{"snapshot", "--db", url, "--tables", "users'; DROP TABLE users; --"},
		{"snapshot", "--db", url, "--schema", `public"; DROP TABLE users; --`},
		{"snapshot", "--db", url, "--match", "*'; DROP TABLE users; --"},
		{"snapshot", "--db", url, "--grants-for", "x'); DROP ROLE postgres; --"},
		{"snapshot", "--db", url, "--grants-for", app},
	} {
		code, stdout, stderr := rbacdrift(t.Context(), args...)
		if code == exitConnect || strings.Contains(stdout+stderr, "SQLSTATE") {
			t.Errorf("%s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, stdout, stderr)
		}
	}

	if diff := diffStates(before, readState(t, db)); diff != "" {
		t.Errorf("the database changed (-before +after):\n%s", diff)
	}
}

// TestSafetyBadConnections gives the command connection strings and roles
// that cannot work: each ends with exit 3 and a message that says why,
// without the password.
func TestSafetyBadConnections(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	noConnect := db.LoginRole(t, "no_connect", "")
	db.Exec(t, "REVOKE CONNECT ON DATABASE "+quoteIdent(db.Name)+" FROM PUBLIC, "+quoteIdent(noConnect))
	model := "../../testdata/reference/normalised.yaml"
	pw := safetyPassword
	tests := []struct {
		name, db string
		want     []string
	}{
		{"role without CONNECT", db.URLAs(noConnect, pw),
			[]string{`permission denied for database .*\(SQLSTATE 42501\); the role needs CONNECT on the database`}},
		{"unknown database", strings.Replace(db.URLAs("postgres", pw), "/"+db.Name, "/no_such_"+db.Name, 1),
			[]string{`database "no_such_` + db.Name + `" does not exist \(SQLSTATE 3D000\); check the database name`}},
		{"unknown role", db.URLAs("no_such_role_"+db.Name, pw),
			[]string{`role "no_such_role_` + db.Name + `" does not exist \(SQLSTATE 28000\); check the user name and password`}},
		{"invalid URL", "postgres://app:" + pw + "@127.0.0.1:99999999/db", []string{`parsing connection postgres://app:xxxxx@127\.0\.0\.1:99999999/db`}},
		{"invalid percent-encoding", "postgres://app:" + pw + "%zz@127.0.0.1/db", []string{`parsing connection`}},
		{"unknown sslmode", "postgres://app:" + pw + "@127.0.0.1/db?sslmode=always", []string{`sslmode`}},
		{"not PostgreSQL", "mysql://app:" + pw + "@127.0.0.1/db", []string{`is for mysql, not PostgreSQL`}},
		{"key=value garbage", "host=127.0.0.1 password=" + pw + " port=notaport", []string{`cannot parse|invalid port|port`}},
		{"missing sslrootcert", "postgres://app:" + pw + "@127.0.0.1/db?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem", []string{`/nonexistent/ca\.pem`}},
	}
	for _, tt := range tests {
		code, stdout, stderr := rbacdrift(t.Context(), "check", "--db", tt.db, "--spec", model, "--timeout", "5s")
		if code != exitConnect {
			t.Errorf("%s: exit %d, want %d\n%s", tt.name, code, exitConnect, stderr)
		}
		for _, re := range tt.want {
			if !regexp.MustCompile(re).MatchString(stderr) {
				t.Errorf("%s: stderr does not match %q:\n%s", tt.name, re, stderr)
			}
		}
		assertNoSecret(t, pw, map[string]string{tt.name + " stdout": stdout, tt.name + " stderr": stderr})
	}
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
