package check_test

import (
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rbacdrift/rbacdrift/drift"
	"github.com/rbacdrift/rbacdrift/internal/testutil/checktest"
	"github.com/rbacdrift/rbacdrift/internal/testutil/pgtest"
)

// found is the part of a finding a comparison test pins down.
type found struct {
	Code     string
	Object   string
	Severity drift.Severity
}

// checkDB loads setup into a fresh database and runs the real check of model
// against it, through the same read-only session the command opens.
func checkDB(t *testing.T, setup, model string) []*drift.Finding {
	t.Helper()
	db := pgtest.NewDB(t)
	if setup != "" {
		db.Exec(t, setup)
	}
	return checkURL(t, db.URL, model)
}

// checkURL runs the catalog comparison of the model text against the
// database at url.
func checkURL(t *testing.T, url, model string) []*drift.Finding {
	t.Helper()
	return checktest.Compare(t, url, checktest.Parse(t, "model.yaml", []byte(model)))
}

func summary(fs []*drift.Finding) []found {
	out := []found{}
	for _, f := range fs {
		out = append(out, found{string(f.Code), f.Object, f.Severity})
	}
	return out
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestReferenceScenario is our users' incident: the application's model of
// the normalised layout against the legacy database, and the reverse.
func TestReferenceScenario(t *testing.T) {
	normSQL := readFile(t, "../../testdata/reference/normalised.sql")
	legacySQL := readFile(t, "../../testdata/reference/legacy.sql")
	normModel := readFile(t, "../../testdata/reference/normalised.yaml")
	legacyModel := readFile(t, "../../testdata/reference/legacy.yaml")
	rp := "public.role_permissions"
	tests := []struct {
		name         string
		setup, model string
		want         []found
		hints        map[string]string // object+code -> substring of the hint
	}{
		{name: "normalised model, normalised database", setup: normSQL, model: normModel, want: []found{}},
		{name: "legacy model, legacy database", setup: legacySQL, model: legacyModel, want: []found{}},
		{
			name: "normalised model, legacy database", setup: legacySQL, model: normModel,
			want: []found{
				{"missing-column", rp + ".permission_id", drift.Error},
				{"missing-column", rp + ".scope", drift.Error},
				{"primary-key-mismatch", rp, drift.Error},
				{"missing-unique", rp, drift.Error},
				{"missing-foreign-key", rp, drift.Error},
				{"missing-index", rp, drift.Warning},
				{"forbidden-column", rp + ".resource", drift.Error},
				{"forbidden-column", rp + ".permission", drift.Error},
				{"missing-enum", "public.permission_scope", drift.Error},
			},
			hints: map[string]string{
				"missing-column " + rp + ".permission_id": "role_permissions still has the denormalised layout (resource, permission): the migration that introduces permission_id, scope has not run on this database",
				"forbidden-column " + rp + ".resource":    "role_permissions still has the denormalised layout (resource, permission)",
				"missing-enum public.permission_scope":    "CREATE TYPE permission_scope AS ENUM ('global', 'org', 'own')",
			},
		},
		{
			name: "legacy model, normalised database", setup: normSQL, model: legacyModel,
			want: []found{
				{"unexpected-column", rp + ".permission_id", drift.Error}, // NOT NULL, no default: the legacy code's inserts fail
				{"unexpected-column", rp + ".scope", drift.Warning},
				{"missing-column", rp + ".resource", drift.Error},
				{"missing-column", rp + ".permission", drift.Error},
				{"primary-key-mismatch", rp, drift.Error},
			},
			hints: map[string]string{
				"missing-column " + rp + ".resource": "role_permissions has (permission_id, scope) where the model has (resource, permission)",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fs := checkDB(t, tt.setup, tt.model)
			if diff := cmp.Diff(tt.want, summary(fs)); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
			checkHints(t, fs, tt.hints)
		})
	}
}

func checkHints(t *testing.T, fs []*drift.Finding, hints map[string]string) {
	t.Helper()
	for key, want := range hints {
		ok := false
		for _, f := range fs {
			if string(f.Code)+" "+f.Object == key {
				ok = true
				if !strings.Contains(f.Hint, want) && !strings.Contains(f.Message, want) {
					t.Errorf("%s: hint %q\nwant it to contain %q", key, f.Hint, want)
				}
			}
		}
		if !ok {
			t.Errorf("no finding %s to check the hint of", key)
		}
	}
}

// TestTypeSpellings: the server decides what a declared type means.
func TestTypeSpellings(t *testing.T) {
	t.Parallel()
	setup := `
CREATE TYPE scope AS ENUM ('a', 'b');
CREATE DOMAIN email AS varchar(254) CHECK (VALUE LIKE '%@%');
CREATE TABLE t (
	c_int integer, c_int4 integer, c_integer int4, c_serial serial, c_big bigserial,
	c_tstz timestamptz, c_tstz2 timestamp with time zone, c_ts timestamp(3),
	c_vc varchar(64), c_vc2 character varying(64), c_bool boolean, c_bool2 bool,
	c_arr text[], c_arr2 _text, c_iarr int[], c_enum scope, c_dom email, c_num numeric(10,2),
	c_char char(1), c_dbl double precision, c_uuid uuid, c_json jsonb
);`
	agree := `version: 1
tables:
  t:
    columns:
      c_int: int
      c_int4: int4
      c_integer: integer
      c_serial: serial
      c_big: bigserial
      c_tstz: timestamp with time zone
      c_tstz2: timestamptz
      c_ts: timestamp(3) without time zone
      c_vc: character varying(64)
      c_vc2: varchar(64)
      c_bool: bool
      c_bool2: boolean
      c_arr: _text
      c_arr2: text[]
      c_iarr: int4[]
      c_enum: scope
      c_dom: public.email
      c_num: numeric(10, 2)
      c_char: character(1)
      c_dbl: float8
      c_uuid: uuid
      c_json: jsonb
`
	if fs := summary(checkDB(t, setup, agree)); len(fs) != 0 {
		t.Errorf("spellings of the same types disagree: %v", fs)
	}

	disagree := `version: 1
extra_columns: ignore
tables:
  t:
    columns:
      c_int: bigint
      c_big: integer
      c_tstz: timestamp
      c_ts: timestamp(6)
      c_vc: varchar(128)
      c_vc2: text
      c_arr: text
      c_iarr: integer
      c_enum: text
      c_dom: varchar(254)
      c_num: numeric(12, 2)
      c_char: varchar(1)
      c_uuid: integer
`
	want := []string{"c_int", "c_big", "c_tstz", "c_ts", "c_vc", "c_vc2", "c_arr", "c_iarr", "c_enum", "c_dom", "c_num", "c_char", "c_uuid"}
	fs := checkDB(t, setup, disagree)
	var got []string
	for _, f := range fs {
		if f.Code != "type-mismatch" {
			t.Errorf("unexpected finding %s %s", f.Code, f.Object)
			continue
		}
		got = append(got, strings.TrimPrefix(f.Object, "public.t."))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("type mismatches (-want +got):\n%s", diff)
	}
	for _, f := range fs {
		if f.Object == "public.t.c_vc" && (f.Expected != "varchar(128)" || f.Actual != "character varying(64)") {
			t.Errorf("c_vc: expected %q actual %q", f.Expected, f.Actual)
		}
	}
}

// TestEveryCode shows each comparison finding code on a real database.
func TestEveryCode(t *testing.T) {
	tests := []struct {
		name, setup, model string
		want               []found
		hints              map[string]string
	}{
		{
			name:  "missing table, present in another schema",
			setup: `CREATE SCHEMA eval_authz; CREATE TABLE eval_authz.casbin_rule (id text PRIMARY KEY);`,
			model: "version: 1\ntables:\n  casbin_rule: {}\n  roles: {}\n",
			want:  []found{{"missing-table", "public.casbin_rule", drift.Error}, {"missing-table", "public.roles", drift.Error}},
			hints: map[string]string{
				"missing-table public.casbin_rule": "a relation of that name exists elsewhere: eval_authz.casbin_rule (table",
				"missing-table public.roles":       "the migration that creates public.roles has not run",
			},
		},
		{
			name:  "view where a table is declared",
			setup: `CREATE TABLE tenant_a_casbin_rule (id text); CREATE VIEW casbin_rule AS SELECT id FROM tenant_a_casbin_rule WHERE false;`,
			model: "version: 1\ntables:\n  casbin_rule:\n    columns: { id: text }\n",
			want:  []found{{"wrong-relation-kind", "public.casbin_rule", drift.Error}},
			hints: map[string]string{"wrong-relation-kind public.casbin_rule": "may filter rows away"},
		},
		{
			name: "partitioned table is a table; declared kinds are exact",
			setup: `CREATE TABLE audit (id int NOT NULL, at date NOT NULL, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
				CREATE TABLE audit_2026 PARTITION OF audit FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
				CREATE MATERIALIZED VIEW perms AS SELECT 1 AS id;`,
			model: "version: 1\ntables:\n  audit:\n    columns: { id: integer, at: date }\n    primary_key: [id, at]\n  audit_2026: { kind: partitioned_table }\n  perms: { kind: materialized_view }\n",
			want:  []found{{"wrong-relation-kind", "public.audit_2026", drift.Error}},
		},
		{
			name:  "renamed column",
			setup: `CREATE TABLE authorities (username varchar(50) NOT NULL, role varchar(50) NOT NULL);`,
			model: "version: 1\ntables:\n  authorities:\n    columns:\n      username: varchar(50)\n      authority: varchar(50)\n",
			want:  []found{{"unexpected-column", "public.authorities.role", drift.Error}, {"missing-column", "public.authorities.authority", drift.Error}},
			hints: map[string]string{"missing-column public.authorities.authority": "if authority was renamed to role, rename it back (ALTER TABLE authorities RENAME COLUMN role TO authority)"},
		},
		{
			name:  "look-alike name of another type (casbin gorm layout)",
			setup: `CREATE TABLE casbin_rule (id bigserial PRIMARY KEY, ptype varchar(100), v0 varchar(100));`,
			model: "version: 1\ntables:\n  casbin_rule:\n    columns:\n      id: text\n      p_type: text\n      v0: text\n",
			want: []found{
				{"unexpected-column", "public.casbin_rule.ptype", drift.Warning},
				{"type-mismatch", "public.casbin_rule.id", drift.Error},
				{"missing-column", "public.casbin_rule.p_type", drift.Error},
				{"type-mismatch", "public.casbin_rule.v0", drift.Error},
			},
			hints: map[string]string{"missing-column public.casbin_rule.p_type": "if p_type was renamed to ptype, rename it back"},
		},
		{
			name:  "nullability both ways",
			setup: `CREATE TABLE casbin_rule (v0 text, v3 text NOT NULL);`,
			model: "version: 1\ntables:\n  casbin_rule:\n    columns:\n      v0: { nullable: false }\n      v3: { nullable: true }\n",
			want:  []found{{"nullability-mismatch", "public.casbin_rule.v0", drift.Error}, {"nullability-mismatch", "public.casbin_rule.v3", drift.Error}},
			hints: map[string]string{"nullability-mismatch public.casbin_rule.v3": "fail with 23502"},
		},
		{
			name:  "defaults",
			setup: `CREATE TABLE rp (scope text DEFAULT 'global', a int DEFAULT 1, b int, c timestamptz DEFAULT now(), d text DEFAULT 'x');`,
			model: "version: 1\ntables:\n  rp:\n    columns:\n      scope: { default: \"'global'\" }\n      a: { default: 2 }\n      b: { default: 0 }\n      c: { default: NOW() }\n      d: { default: null }\n",
			want:  []found{{"default-mismatch", "public.rp.a", drift.Warning}, {"default-mismatch", "public.rp.b", drift.Error}, {"default-mismatch", "public.rp.d", drift.Warning}},
			hints: map[string]string{"default-mismatch public.rp.b": "inserts that omit b store NULL"},
		},
		{
			name: "identity, serial counts as by_default",
			setup: `CREATE TABLE u (id serial, a int GENERATED ALWAYS AS IDENTITY, b int GENERATED BY DEFAULT AS IDENTITY, c int,
				g int GENERATED ALWAYS AS (c * 2) STORED);`,
			model: "version: 1\ntables:\n  u:\n    columns:\n      id: { identity: by_default }\n      a: { identity: by_default }\n      b: { identity: false }\n      c: { identity: always }\n      g: { generated: \"c * 3\" }\n",
			want: []found{{"identity-mismatch", "public.u.a", drift.Error}, {"identity-mismatch", "public.u.b", drift.Warning},
				{"identity-mismatch", "public.u.c", drift.Error}, {"identity-mismatch", "public.u.g", drift.Error}},
			hints: map[string]string{"identity-mismatch public.u.a": "fail with 428C9", "identity-mismatch public.u.c": "fail with 23502"},
		},
		{
			name:  "extra columns: error per table, ignore per table",
			setup: `CREATE TABLE a (id int, extra int); CREATE TABLE b (id int, extra int);`,
			model: "version: 1\nextra_columns: error\ntables:\n  a: { columns: { id: int } }\n  b: { columns: { id: int }, extra_columns: ignore }\n",
			want:  []found{{"unexpected-column", "public.a.extra", drift.Error}},
		},
		{
			name:  "an undeclared NOT NULL column without a default breaks inserts",
			setup: `CREATE TABLE a (id int, tenant int NOT NULL, seen bool NOT NULL DEFAULT false, n int);`,
			model: "version: 1\ntables:\n  a: { columns: { id: int } }\n",
			want: []found{{"unexpected-column", "public.a.n", drift.Warning}, {"unexpected-column", "public.a.seen", drift.Warning},
				{"unexpected-column", "public.a.tenant", drift.Error}},
			hints: map[string]string{"unexpected-column public.a.tenant": "inserts that do not name tenant fail with 23502"},
		},
		{
			// Issue 12: a dropped unique index let duplicates in while the
			// gate passed on a warning.
			name: "a declared unique index that is gone, or not unique, fails the gate",
			setup: `CREATE TABLE users (id int, email text, org int, deleted_at timestamptz);
				CREATE INDEX users_org ON users (org);
				CREATE UNIQUE INDEX users_id ON users (id) WHERE deleted_at IS NULL;`,
			model: `version: 1
tables:
  users:
    indexes:
      - { columns: ["lower(email)"], unique: true, where: "deleted_at IS NULL" }
      - { columns: [org], unique: true }
      - { columns: [id], unique: true, where: "deleted_at IS NOT NULL" }
      - { columns: [org] }
      - { columns: [id], unique: false }
`,
			want: []found{{"missing-unique-index", "public.users", drift.Error}, {"missing-unique-index", "public.users", drift.Error},
				{"missing-unique-index", "public.users", drift.Error}, {"index-mismatch", "public.users", drift.Warning}},
			hints: map[string]string{"missing-unique-index public.users": "CREATE UNIQUE INDEX CONCURRENTLY ON users"},
		},
		{
			name: "keys",
			setup: `CREATE TABLE roles (id int PRIMARY KEY, name text);
				CREATE TABLE perms (id int PRIMARY KEY);
				CREATE TABLE rp (role_id int REFERENCES roles (id), permission_id int REFERENCES perms (id) ON DELETE CASCADE, scope text,
					PRIMARY KEY (role_id, permission_id));
				CREATE UNIQUE INDEX rp_uq ON rp (permission_id, role_id);
				CREATE INDEX rp_scope ON rp (scope) WHERE scope IS NOT NULL;
				CREATE INDEX rp_lower ON rp (lower(scope));`,
			model: `version: 1
tables:
  roles:
    primary_key: [name]
    unique: [[name]]
  rp:
    primary_key: [role_id, permission_id]
    unique: [[role_id, permission_id], [scope]]
    foreign_keys:
      - { columns: [role_id], references: { table: roles, columns: [id] }, on_delete: cascade }
      - { columns: [permission_id], references: { table: roles, columns: [id] }, on_delete: cascade }
      - { columns: [scope], references: { table: roles } }
    indexes:
      - { columns: [scope], where: "scope IS NOT NULL" }
      - { columns: [scope] }
      - { columns: [role_id, permission_id] }
      - { columns: ["lower(scope)"] }
      - { columns: ["lower(scope)"], unique: true }
      - { columns: [permission_id, scope] }
`,
			want: []found{
				{"primary-key-mismatch", "public.roles", drift.Error},
				{"missing-unique", "public.roles", drift.Error},
				{"missing-unique", "public.rp", drift.Error},
				{"foreign-key-mismatch", "public.rp", drift.Error},
				{"foreign-key-mismatch", "public.rp", drift.Error},
				{"missing-foreign-key", "public.rp", drift.Error},
				{"missing-unique-index", "public.rp", drift.Error},
				{"missing-index", "public.rp", drift.Warning},
			},
		},
		{
			name:  "enums",
			setup: `CREATE TYPE scope AS ENUM ('global', 'org', 'team'); CREATE TYPE level AS ENUM ('high', 'low'); CREATE DOMAIN kind AS text;`,
			model: "version: 1\nenums:\n  scope: [global, org, own]\n  level: [low, high]\n  kind: [a]\n  missing: [x]\n",
			want: []found{
				{"enum-label-missing", "public.scope", drift.Error},
				{"enum-label-unexpected", "public.scope", drift.Warning},
				{"enum-label-order", "public.level", drift.Warning},
				{"missing-enum", "public.kind", drift.Error},
				{"missing-enum", "public.missing", drift.Error},
			},
		},
		{
			name:  "unknown declared type",
			setup: `CREATE TABLE rp (scope text);`,
			model: "version: 1\ntables:\n  rp:\n    columns:\n      scope: permission_scope\n",
			want:  []found{{"type-mismatch", "public.rp.scope", drift.Error}},
			hints: map[string]string{"type-mismatch public.rp.scope": `type "permission_scope" does not exist`},
		},
		{
			name: "quoted mixed-case names and a non-public schema",
			setup: `CREATE SCHEMA auth; CREATE TYPE auth."Scope" AS ENUM ('a');
				CREATE TABLE auth."UserRoles" ("UserId" int NOT NULL, "RoleId" int, "Scope" auth."Scope", PRIMARY KEY ("UserId"));
				CREATE TABLE "my.table" (id int);`,
			model: `version: 1
schema: auth
tables:
  UserRoles:
    columns:
      UserId: { type: integer, nullable: false }
      RoleId: integer
      Scope: Scope
      userid: integer
    primary_key: [UserId]
  public."my.table": { columns: { id: int } }
enums:
  Scope: [a]
`,
			want: []found{{"missing-column", "auth.UserRoles.userid", drift.Error}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fs := checkDB(t, tt.setup, tt.model)
			if diff := cmp.Diff(tt.want, summary(fs)); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
				for _, f := range fs {
					t.Logf("%s %s: %s", f.Code, f.Object, f.Message)
				}
			}
			checkHints(t, fs, tt.hints)
		})
	}
}

// TestForeignKeysOnTheSameColumns: two foreign keys on the same columns to
// different tables are legal, and are compared one to one (keyed by columns
// and target), not collapsed into one.
func TestForeignKeysOnTheSameColumns(t *testing.T) {
	t.Parallel()
	setup := `
CREATE TABLE users (id int PRIMARY KEY);
CREATE TABLE members (id int PRIMARY KEY);
CREATE TABLE grants (
	subject_id int NOT NULL,
	CONSTRAINT grants_user_fk FOREIGN KEY (subject_id) REFERENCES users (id) ON DELETE CASCADE,
	CONSTRAINT grants_member_fk FOREIGN KEY (subject_id) REFERENCES members (id)
);`
	tests := []struct {
		name  string
		model string
		want  []found
	}{
		{"both declared, both there", `version: 1
tables:
  grants:
    foreign_keys:
      - { columns: [subject_id], references: { table: users, columns: [id] }, on_delete: cascade }
      - { columns: [subject_id], references: { table: members, columns: [id] }, on_delete: no_action }
`, []found{}},
		{"the second declared in the other order", `version: 1
tables:
  grants:
    foreign_keys:
      - { columns: [subject_id], references: { table: members } }
      - { columns: [subject_id], references: { table: users }, on_delete: cascade }
`, []found{}},
		{"an action differs on one of them", `version: 1
tables:
  grants:
    foreign_keys:
      - { columns: [subject_id], references: { table: users }, on_delete: restrict }
      - { columns: [subject_id], references: { table: members } }
`, []found{{"foreign-key-mismatch", "public.grants", drift.Error}}},
		{"one references a table the database does not", `version: 1
tables:
  grants:
    foreign_keys:
      - { columns: [subject_id], references: { table: users } }
      - { columns: [subject_id], references: { table: roles } }
`, []found{{"foreign-key-mismatch", "public.grants", drift.Error}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := checkDB(t, setup, tt.model)
			if diff := cmp.Diff(tt.want, summary(fs)); diff != "" {
				for _, f := range fs {
					t.Logf("%s %s: %s", f.Code, f.Object, f.Message)
				}
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
}
