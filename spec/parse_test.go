package spec

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string // each error as file:line:col: field: message prefix
	}{
		{"missing version", "tables: {}\n", []string{"m.yaml:1:1: version: missing"}},
		{"wrong version", "version: 2\n", []string{"m.yaml:1:10: version: unsupported version 2"}},
		{"version not a number", "version: one\n", []string{`m.yaml:1:10: version: want a whole number, got "one"`}},
		{"unknown top-level key", "version: 1\ntabels: {}\n", []string{"m.yaml:2:1: tabels: unknown key; allowed here: version, schema"}},
		{"duplicate top-level key", "version: 1\nversion: 1\n", []string{"m.yaml:2:1: version: duplicate key; first given at line 1"}},
		{"duplicate table", "version: 1\ntables:\n  users: {}\n  users: {}\n", []string{"m.yaml:4:3: tables.users: duplicate key; first given at line 3"}},
		{"same table qualified and not", "version: 1\ntables:\n  users: {}\n  public.users: {}\n", []string{"m.yaml:4:3: tables.public.users: table public.users is declared twice; first at line 3"}},
		{"unknown column key", "version: 1\ntables:\n  t:\n    columns:\n      id: { type: int, nulable: false }\n", []string{"m.yaml:5:24: tables.t.columns.id.nulable: unknown key; allowed here: type, nullable"}},
		{"nullable not a bool", "version: 1\ntables:\n  t:\n    columns:\n      id: { nullable: no }\n", []string{`m.yaml:5:23: tables.t.columns.id.nullable: want true or false, got "no"`}},
		{"type not a type", "version: 1\ntables:\n  t:\n    columns:\n      id: { type: \"int; drop table t\" }\n", []string{`m.yaml:5:19: tables.t.columns.id.type: "int; drop table t" is not a type name`}},
		{"columns a list", "version: 1\ntables:\n  t:\n    columns: [a, b]\n", []string{"m.yaml:4:14: tables.t.columns: want a mapping, got a list"}},
		{"bad extra_columns", "version: 1\nextra_columns: maybe\n", []string{`m.yaml:2:16: extra_columns: "maybe" is not one of ignore, warn, error`}},
		{"bad kind", "version: 1\ntables:\n  t: { kind: tabel }\n", []string{`m.yaml:3:14: tables.t.kind: "tabel" is not one of table, partitioned_table`}},
		{"three-part name", "version: 1\ntables:\n  a.b.c: {}\n", []string{`m.yaml:3:3: tables.a.b.c: "a.b.c" has 3 parts`}},
		{"a unique key twice", "version: 1\ntables:\n  t:\n    unique: [[a, b], [b, a]]\n", []string{"m.yaml:4:22: tables.t.unique[1]: unique key (b, a) is declared twice; first at line 4"}},
		{"a foreign key twice", "version: 1\ntables:\n  t:\n    foreign_keys:\n      - { columns: [a], references: { table: u } }\n      - { columns: [a], references: { table: u } }\n",
			[]string{"m.yaml:6:9: tables.t.foreign_keys[1]: foreign key (a) -> public.u is declared twice; first at line 5"}},
		{"an index twice", "version: 1\ntables:\n  t:\n    indexes:\n      - { columns: [a] }\n      - { columns: [a] }\n",
			[]string{"m.yaml:6:9: tables.t.indexes[1]: index on (a) is declared twice; first at line 5"}},
		{"a policy twice", "version: 1\ntables:\n  t:\n    row_level_security:\n      policies:\n        - { name: p, command: SELECT }\n        - { name: p, command: ALL }\n",
			[]string{"m.yaml:7:11: tables.t.row_level_security.policies[1]: policy p is declared twice; first at line 6"}},
		{"fk without references", "version: 1\ntables:\n  t:\n    foreign_keys:\n      - { columns: [a] }\n", []string{"m.yaml:5:9: tables.t.foreign_keys[0].references: missing"}},
		{"fk column count", "version: 1\ntables:\n  t:\n    foreign_keys:\n      - { columns: [a, b], references: { table: u, columns: [id] } }\n", []string{"m.yaml:5:9: tables.t.foreign_keys[0].references.columns: 1 referenced columns for 2 key columns"}},
		{"bad on_delete", "version: 1\ntables:\n  t:\n    foreign_keys:\n      - { columns: [a], references: { table: u }, on_delete: explode }\n", []string{`m.yaml:5:62: tables.t.foreign_keys[0].on_delete: "explode" is not one of no_action`}},
		{"column listed twice", "version: 1\ntables:\n  t:\n    primary_key: [a, a]\n", []string{`m.yaml:4:18: tables.t.primary_key: column "a" is listed twice`}},
		{"declared and forbidden", "version: 1\ntables:\n  t:\n    columns: { a: text }\n    forbidden_columns: { a: legacy }\n", []string{"m.yaml:5:26: tables.t.forbidden_columns.a: the column is both declared and forbidden"}},
		{"bad privilege", "version: 1\ntables:\n  t:\n    grants: { app: [SELECT, READ] }\n", []string{`m.yaml:4:20: tables.t.grants.app: "READ" is not a table privilege`}},
		{"policy without name", "version: 1\ntables:\n  t:\n    row_level_security: { policies: [ { command: SELECT } ] }\n", []string{"m.yaml:4:39: tables.t.row_level_security.policies[0].name: missing"}},
		{"duplicate enum label", "version: 1\nenums:\n  s: [a, b, a]\n", []string{`m.yaml:3:13: enums.s: label "a" is listed twice`}},
		{"multi-statement query", "version: 1\nqueries:\n  q: \"SELECT 1; DELETE FROM t\"\n", []string{"m.yaml:3:6: queries.q.sql: the SQL holds 2 statements"}},
		{"empty query", "version: 1\nqueries:\n  q: { sql: \"-- nothing\" }\n", []string{"m.yaml:3:13: queries.q.sql: the SQL holds no statement"}},
		{"query without sql", "version: 1\nqueries:\n  q: { params: [int] }\n", []string{"m.yaml:3:6: queries.q.sql: missing"}},
		{"sample on a write", "version: 1\nqueries:\n  q:\n    sql: DELETE FROM t\n    sample: { args: [] }\n", []string{"m.yaml:5:13: queries.q.sample: sample runs the query read-only, but this is DELETE"}},
		{"bad expect", "version: 1\nqueries:\n  q:\n    sql: SELECT 1\n    sample: { expect: some }\n", []string{`m.yaml:5:23: queries.q.sample.expect: "some" is not one of rows, no_rows, any`}},
		{"waiver without reason", "version: 1\nignore:\n  - { code: missing-index, object: public.t }\n", []string{"m.yaml:3:5: ignore[0].reason: missing"}},
		{"waiver bad date", "version: 1\nignore:\n  - { code: x, object: y, reason: z, until: tomorrow }\n", []string{`m.yaml:3:45: ignore[0].until: "tomorrow" is not a date`}},
		{"alias", "version: 1\nx: &a 1\n", []string{"m.yaml:2:1: x: unknown key"}},
		{"alias value", "version: 1\nschema: &s public\nrun_as: *s\n", []string{"m.yaml:3:9: run_as: aliases (*name) are not supported"}},
		{"top level list", "- version: 1\n", []string{"m.yaml:1:1: want a mapping with \"version: 1\" at the top, got a list"}},
		{"invalid yaml", "version: 1\ntables: {\n", []string{"m.yaml:2: invalid YAML"}},
		{"empty file", "\n\n", []string{"m.yaml: file is empty"}},
		{"binary file", "version: 1\x00\x01", []string{"m.yaml: not a text file"}},
		{"two documents", "version: 1\n---\nversion: 1\n", []string{"m.yaml:2:1: a model file holds one YAML document"}},
		{"name too long", "version: 1\nrun_as: " + strings.Repeat("r", 64) + "\n", []string{`m.yaml:2:9: run_as: "rrrr`}},
		{"several problems at once", "version: 1\ntables:\n  t:\n    colums: {}\n    kind: x\n", []string{
			"m.yaml:4:5: tables.t.colums: unknown key",
			`m.yaml:5:11: tables.t.kind: "x" is not one of`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("m.yaml", []byte(tt.yaml))
			var errs Errors
			if !errors.As(err, &errs) {
				t.Fatalf("Parse = %v, want spec.Errors", err)
			}
			if len(errs) != len(tt.want) {
				t.Fatalf("got %d errors, want %d:\n%v", len(errs), len(tt.want), err)
			}
			for i, e := range errs {
				if !strings.HasPrefix(e.Error(), tt.want[i]) {
					t.Errorf("error %d:\n got %s\nwant prefix %s", i, e.Error(), tt.want[i])
				}
			}
		})
	}
}

func TestParseModel(t *testing.T) {
	src := `version: 1
schema: auth
extra_columns: error
run_as: app_user
tables:
  role_permissions:
    extra_columns: ignore
    columns:
      role_id: integer
      scope: { type: "varchar(16)", nullable: false, default: "'global'::text" }
      note: { default: null }
      id: { identity: by_default }
    primary_key: role_id
    unique: [[role_id, scope], scope]
    foreign_keys:
      - { columns: [role_id], references: { table: public.roles, columns: [id] }, on_delete: cascade }
    indexes:
      - { columns: ["lower(scope)"], unique: true, where: "scope IS NOT NULL" }
    forbidden_columns: [resource]
    grants: { app_user: [select, Insert], admin: ALL }
    row_level_security:
      enabled: true
      policies:
        - { name: own_rows, command: select, roles: app_user, using: "role_id = 1" }
  '"Mixed.Case"': {}
  UserRoles:
enums:
  permission_scope: [global, org, "yes"]
`
	m, err := Parse("m.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	tru, fals := true, false
	def := "'global'::text"
	where := "scope IS NOT NULL"
	using := "role_id = 1"
	want := &Model{
		File: "m.yaml", Version: 1, Schema: "auth", ExtraColumns: ExtraError,
		RunAs: "app_user", RunAsPos: Pos{"m.yaml", 4, 9},
		Tables: []*Table{{
			Name: Name{"auth", "role_permissions"}, Pos: Pos{"m.yaml", 6, 3}, Kind: "table", ExtraColumns: ExtraIgnore,
			Columns: []*Column{
				{Name: "role_id", Pos: Pos{"m.yaml", 9, 7}, Type: "integer", TypePos: Pos{"m.yaml", 9, 16}},
				{Name: "scope", Pos: Pos{"m.yaml", 10, 7}, Type: "varchar(16)", TypePos: Pos{"m.yaml", 10, 22}, Nullable: &fals, HasDefault: true, Default: &def},
				{Name: "note", Pos: Pos{"m.yaml", 11, 7}, HasDefault: true},
				{Name: "id", Pos: Pos{"m.yaml", 12, 7}, Identity: ptr("by_default")},
			},
			PrimaryKey:       &Key{Columns: []string{"role_id"}, Pos: Pos{"m.yaml", 13, 18}},
			Unique:           []*Key{{Columns: []string{"role_id", "scope"}, Pos: Pos{"m.yaml", 14, 14}}, {Columns: []string{"scope"}, Pos: Pos{"m.yaml", 14, 32}}},
			ForeignKeys:      []*ForeignKey{{Columns: []string{"role_id"}, References: Name{"public", "roles"}, RefColumns: []string{"id"}, OnDelete: "cascade", Pos: Pos{"m.yaml", 16, 9}}},
			Indexes:          []*Index{{Columns: []string{"lower(scope)"}, Unique: &tru, Where: &where, Pos: Pos{"m.yaml", 18, 9}}},
			ForbiddenColumns: []*Forbidden{{Column: "resource", Pos: Pos{"m.yaml", 19, 25}}},
			Grants: []*Grant{
				{Role: "app_user", Privileges: []string{"SELECT", "INSERT"}, Pos: Pos{"m.yaml", 20, 15}},
				{Role: "admin", Privileges: Privileges, Pos: Pos{"m.yaml", 20, 43}},
			},
			RLS: &RLS{Enabled: &tru, Pos: Pos{"m.yaml", 22, 7}, Policies: []*Policy{
				{Name: "own_rows", Command: "SELECT", Roles: []string{"app_user"}, Using: &using, Pos: Pos{"m.yaml", 24, 11}},
			}},
		}, {
			Name: Name{"auth", "Mixed.Case"}, Pos: Pos{"m.yaml", 25, 3}, Kind: "table", ExtraColumns: ExtraError,
		}, {
			Name: Name{"auth", "UserRoles"}, Pos: Pos{"m.yaml", 26, 3}, Kind: "table", ExtraColumns: ExtraError,
		}},
		Enums: []*Enum{{Name: Name{"auth", "permission_scope"}, Labels: []string{"global", "org", "yes"}, Pos: Pos{"m.yaml", 28, 3}}},
	}
	if diff := cmp.Diff(want, m, cmp.AllowUnexported(Query{})); diff != "" {
		t.Errorf("Parse (-want +got):\n%s", diff)
	}
}

func ptr[T any](v T) *T { return &v }

func TestQueryPositions(t *testing.T) {
	src := "version: 1\n" +
		"queries:\n" +
		"  literal:\n" +
		"    sql: |\n" +
		"      SELECT p.resource\n" +
		"      FROM role_permissions rp\n" +
		"        JOIN permissions p ON p.id = rp.permission_id\n" +
		"  plain: SELECT nope FROM t\n" +
		"  quoted: { sql: \"SELECT 1; -- trailing comment\" }\n"
	m, err := Parse("m.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]*Query{}
	for _, q := range m.Queries {
		byName[q.Name] = q
	}
	tests := []struct {
		query string
		char  int // 1-based character position in the SQL, as PostgreSQL reports it
		want  Pos
	}{
		{"literal", 1, Pos{"m.yaml", 5, 7}},
		{"literal", 8, Pos{"m.yaml", 5, 14}}, // p.resource
		{"literal", strings.Index(byName["literal"].SQL, "rp.permission_id") + 1, Pos{"m.yaml", 7, 38}}, // third line, indented further
		{"plain", 8, Pos{"m.yaml", 8, 17}},
		{"quoted", 8, Pos{"m.yaml", 9, 26}},
	}
	for _, tt := range tests {
		if got := byName[tt.query].PosAt(tt.char); got != tt.want {
			t.Errorf("%s.PosAt(%d) = %v, want %v", tt.query, tt.char, got, tt.want)
		}
	}
	if got, want := byName["quoted"].SQL, "SELECT 1"; got != want {
		t.Errorf("trailing semicolon and comment kept: SQL = %q, want %q", got, want)
	}
}

func TestValidTypeName(t *testing.T) {
	valid := []string{"int", "integer", "int4", "serial", "varchar(64)", "character varying(64)", "numeric(10, 2)",
		"timestamp with time zone", "timestamp(3) without time zone", "text[]", "_text", "integer[][]", "int[3]",
		"double precision", "auth.permission_scope", `"Mixed Case"`, `public."My.Type"`, "interval day to second(3)", "bit varying(5)",
		"TIMESTAMP WITH TIME ZONE", "national character varying(10)", "interval", "interval(6)", "interval year to month",
		"int ARRAY", "int array[4]", `"char"`, "pg_catalog.varchar(10)", "time(3) without time zone", "timestamptz(3)[]", "numeric (10,2) [ ]"}
	invalid := []string{"", "int;", "int, text", "text from pg_authid", "text) --", "int4'", "varchar(a)", "pg_sleep(10)x(", "int /* c */", "int -- c", "$1", `"unterminated`,
		"integer FROM pg_catalog.pg_authid FOR UPDATE", "int4 for update", "text collate \"C\"", "int[1:2]", "double", "a.b.c",
		"varchar(10.5)", "numeric(1,2,3)", "int\x00", "interval month(3)", "timestamp with zone", "int array array", "int[]x",
		"int4 where true", "int ::text", `""`, "int[99999999999]", "char(1) varying"}
	for _, s := range valid {
		if !ValidTypeName(s) {
			t.Errorf("ValidTypeName(%q) = false, want true", s)
		}
	}
	for _, s := range invalid {
		if ValidTypeName(s) {
			t.Errorf("ValidTypeName(%q) = true, want false", s)
		}
	}
}

func TestQueryFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("model.yaml", "version: 1\nrun_as: app\nquery_files: [\"sql/*.sql\"]\nqueries:\n  inline: SELECT 1\n")
	write("sql/a.sql", "-- leading comment\n-- name: GetUser :one\nSELECT id\nFROM users WHERE id = $1;\n\n-- comment of the next one\n-- name: ListRoles :many\nSELECT name FROM roles;\n")
	write("sql/b.sql", "-- name: DeleteRole :exec\nDELETE FROM roles WHERE id = $1;\n")
	m, err := Load(filepath.Join(dir, "model.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	type q struct{ Name, SQL, Annotation, RunAs, Pos string }
	var got []q
	for _, x := range m.Queries {
		got = append(got, q{x.Name, x.SQL, x.Annotation, x.RunAs, strings.TrimPrefix(x.PosAt(1).String(), dir+"/")})
	}
	want := []q{
		{"inline", "SELECT 1", "", "app", "model.yaml:5:11"},
		{"GetUser", "SELECT id\nFROM users WHERE id = $1", ":one", "app", "sql/a.sql:3:1"},
		{"ListRoles", "SELECT name FROM roles", ":many", "app", "sql/a.sql:8:1"},
		{"DeleteRole", "DELETE FROM roles WHERE id = $1", ":exec", "app", "sql/b.sql:2:1"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("queries (-want +got):\n%s", diff)
	}
	// Position of "id = $1" on the second line of GetUser.
	if p := m.Queries[1].PosAt(strings.Index(m.Queries[1].SQL, "id = $1") + 1); p.Line != 4 || p.Column != 18 {
		t.Errorf("GetUser position = %v, want line 4 column 18", p)
	}

	errCases := []struct{ name, body, want string }{
		{"bad.sql", "-- name: Two :many\nSELECT 1; SELECT 2;\n", "bad.sql:1:1: Two: the SQL holds 2 statements"},
		{"none.sql", "SELECT 1;\n", "none.sql: no queries found"},
		{"cmd.sql", "-- name: X :all\nSELECT 1;\n", "cmd.sql:1:1: X: unknown sqlc command :all"},
	}
	for _, c := range errCases {
		_, err := ParseQueryFile(c.name, []byte(c.body), "")
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("ParseQueryFile(%s) = %v, want prefix %q", c.name, err, c.want)
		}
	}
	write("dup.yaml", "version: 1\nquery_files: [\"sql/a.sql\"]\nqueries:\n  GetUser: SELECT 2\n")
	if _, err := Load(filepath.Join(dir, "dup.yaml")); err == nil || !strings.Contains(err.Error(), "GetUser: query name used twice") {
		t.Errorf("duplicate query name: err = %v", err)
	}
	write("nomatch.yaml", "version: 1\nquery_files: [\"nothing/*.sql\"]\n")
	if _, err := Load(filepath.Join(dir, "nomatch.yaml")); err == nil || !strings.Contains(err.Error(), "matches no file") {
		t.Errorf("glob without match: err = %v", err)
	}
}

func TestLoadFileErrors(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(big, []byte("version: 1\n"+strings.Repeat("# padding\n", MaxFileSize/10+1)), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ path, want string }{
		{filepath.Join(dir, "missing.yaml"), "cannot read: no such file or directory"},
		{dir, "is a directory"},
		{big, "file is larger than 4 MiB"},
	}
	for _, tt := range tests {
		_, err := Load(tt.path)
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), tt.path) {
			t.Errorf("Load(%s) = %v, want %q naming the file", tt.path, err, tt.want)
		}
	}
}
