package drizzle_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rbacdrift/rbacdrift/internal/derive/drizzle"
	"github.com/rbacdrift/rbacdrift/spec"
)

func format(t *testing.T, data string) (string, error) {
	t.Helper()
	m, err := drizzle.Parse("snap.json", []byte(data))
	if err != nil {
		return "", err
	}
	out := string(spec.Format(m))
	if _, err := spec.Parse("model.yaml", []byte(out)); err != nil {
		t.Errorf("the model does not parse: %v", err)
	}
	return out, nil
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		name, data, want string
	}{
		{
			name: "version 7: identity, generated, arrays, enums in another schema, policies",
			data: `{"version": "7", "dialect": "postgresql",
  "tables": {
    "auth.accounts": {"name": "accounts", "schema": "auth",
      "columns": {
        "id": {"name": "id", "type": "integer", "primaryKey": true, "notNull": true,
               "identity": {"type": "always", "name": "accounts_id_seq", "schema": "auth"}},
        "kind": {"name": "kind", "type": "Kind", "typeSchema": "auth", "primaryKey": false, "notNull": true, "default": "'user'"},
        "kinds": {"name": "kinds", "type": "Kind[]", "typeSchema": "auth", "primaryKey": false, "notNull": false},
        "tags": {"name": "tags", "type": "text[]", "primaryKey": false, "notNull": false, "default": "'{}'"},
        "active": {"name": "active", "type": "boolean", "primaryKey": false, "notNull": true, "default": false},
        "n": {"name": "n", "type": "numeric(10, 2)", "primaryKey": false, "notNull": true, "default": 0},
        "full": {"name": "full", "type": "text", "primaryKey": false, "notNull": false,
                 "generated": {"type": "stored", "as": "lower(kind::text)"}},
        "email": {"name": "email", "type": "varchar(64)", "primaryKey": false, "notNull": true, "isUnique": true, "uniqueName": "accounts_email_unique"}
      },
      "indexes": {
        "accounts_lower_idx": {"name": "accounts_lower_idx", "columns": [{"expression": "lower(\"email\")", "isExpression": true, "asc": true, "nulls": "last"}],
                               "isUnique": true, "concurrently": false, "method": "btree", "with": {}}
      },
      "foreignKeys": {}, "compositePrimaryKeys": {}, "uniqueConstraints": {},
      "policies": {
        "own": {"name": "own", "as": "RESTRICTIVE", "for": "ALL", "to": ["app_user", "PUBLIC"], "using": "id = 1", "withCheck": "id = 1"}
      },
      "checkConstraints": {}, "isRLSEnabled": false
    }
  },
  "enums": {"auth.Kind": {"name": "Kind", "schema": "auth", "values": ["user", "admin"]}},
  "schemas": {"auth": "auth"}, "sequences": {}, "roles": {}, "policies": {}, "views": {},
  "_meta": {"columns": {}, "schemas": {}, "tables": {}}
}`,
			want: `version: 1
schema: public
tables:
  auth.accounts:
    columns:
      id:     { type: integer, nullable: false, identity: always }
      kind:   { type: "auth.\"Kind\"", nullable: false, default: "'user'" }
      kinds:  { type: "auth.\"Kind\"[]", nullable: true }
      tags:   { type: "text[]", nullable: true, default: "'{}'" }
      active: { type: boolean, nullable: false, default: "false" }
      "n":    { type: "numeric(10, 2)", nullable: false, default: "0" }
      full:   { type: text, nullable: true, generated: "lower(kind::text)" }
      email:  { type: varchar(64), nullable: false }
    primary_key: [id]
    unique: [[email]]
    indexes:
      - { columns: [lower(email)], unique: true }
    row_level_security:
      enabled: true
      policies:
        - name: own
          command: ALL
          roles: [app_user, public]
          using: id = 1
          with_check: id = 1
          permissive: false
enums:
  auth.Kind: [user, admin]
`,
		},
		{
			name: "version 5: index columns as names, enum values as an object, no typeSchema",
			data: `{"version": "5", "dialect": "pg",
  "tables": {
    "t": {"name": "t", "schema": "",
      "columns": {
        "s": {"name": "s", "type": "mood", "primaryKey": false, "notNull": true},
        "a": {"name": "a", "type": "bigserial", "primaryKey": true, "notNull": true}
      },
      "indexes": {"t_s_idx": {"name": "t_s_idx", "columns": ["s"], "isUnique": false}},
      "foreignKeys": {"t_a_u_id_fk": {"name": "t_a_u_id_fk", "tableFrom": "t", "columnsFrom": ["a"], "tableTo": "u", "columnsTo": ["id"],
                                      "onDelete": "set null", "onUpdate": "restrict"}},
      "compositePrimaryKeys": {}, "uniqueConstraints": {}
    }
  },
  "enums": {"mood": {"name": "mood", "values": {"sad": "sad", "happy": "happy"}}},
  "schemas": {}, "_meta": {"columns": {}, "schemas": {}, "tables": {}}
}`,
			want: `version: 1
schema: public
tables:
  t:
    columns:
      s: { type: mood, nullable: false }
      a: { type: bigserial, nullable: false, identity: by_default }
    primary_key: [a]
    foreign_keys:
      - { columns: [a], references: { table: u, columns: [id] }, on_delete: set_null, on_update: restrict }
    indexes:
      - { columns: [s], unique: false }
    row_level_security: { enabled: false }
enums:
  mood: [sad, happy]
`,
		},
		{
			name: "version 8 (drizzle-kit 1.0): the ddl list",
			data: `{"version": "8", "dialect": "postgres", "id": "x", "prevIds": [], "renames": [],
  "ddl": [
    {"entityType": "schemas", "name": "public"},
    {"entityType": "enums", "schema": "public", "name": "permission_scope", "values": ["global", "org", "own"]},
    {"entityType": "tables", "schema": "public", "name": "role_permissions", "isRlsEnabled": true},
    {"entityType": "columns", "schema": "public", "table": "role_permissions", "name": "role_id", "type": "integer", "typeSchema": null,
     "notNull": true, "dimensions": 0, "default": null, "generated": null, "identity": null},
    {"entityType": "columns", "schema": "public", "table": "role_permissions", "name": "scope", "type": "permission_scope", "typeSchema": "public",
     "notNull": true, "dimensions": 0, "default": "'global'", "generated": null, "identity": null},
    {"entityType": "columns", "schema": "public", "table": "role_permissions", "name": "note", "type": "text", "typeSchema": null,
     "notNull": false, "dimensions": 1, "default": {"value": "it's", "type": "string"}, "generated": null, "identity": null},
    {"entityType": "pks", "schema": "public", "table": "role_permissions", "name": "role_permissions_pkey", "columns": ["role_id", "scope"], "nameExplicit": false},
    {"entityType": "uniques", "schema": "public", "table": "role_permissions", "name": "u", "columns": ["note"], "nullsNotDistinct": false, "nameExplicit": true},
    {"entityType": "fks", "schema": "public", "table": "role_permissions", "name": "f", "columns": ["role_id"], "schemaTo": "public", "tableTo": "roles",
     "columnsTo": ["id"], "onUpdate": "NO ACTION", "onDelete": "CASCADE", "nameExplicit": false},
    {"entityType": "indexes", "schema": "public", "table": "role_permissions", "name": "i", "nameExplicit": true,
     "columns": [{"value": "scope", "isExpression": false, "asc": true, "nullsFirst": false, "opclass": null}],
     "isUnique": false, "where": "scope <> 'own'::permission_scope", "with": "", "method": "btree", "concurrently": false},
    {"entityType": "policies", "schema": "public", "table": "role_permissions", "name": "p", "as": "PERMISSIVE", "for": "SELECT",
     "roles": ["public"], "using": "true", "withCheck": null},
    {"entityType": "sequences", "schema": "public", "name": "s"}
  ]
}`,
			want: `version: 1
schema: public
tables:
  role_permissions:
    columns:
      role_id: { type: integer, nullable: false }
      scope:   { type: permission_scope, nullable: false, default: "'global'" }
      note:    { type: "text[]", nullable: true, default: "'it''s'" }
    primary_key: [role_id, scope]
    unique: [[note]]
    foreign_keys:
      - { columns: [role_id], references: { table: roles, columns: [id] }, on_delete: cascade, on_update: no_action }
    indexes:
      - { columns: [scope], unique: false, where: "scope <> 'own'::permission_scope" }
    row_level_security:
      enabled: true
      policies:
        - name: p
          command: SELECT
          roles: [public]
          using: "true"
          permissive: true
enums:
  permission_scope: [global, org, own]
`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := format(t, tc.data)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("model (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ data, want string }{
		{"{\n  \"version\": \"7\",\n  \"dialect\": \"postgresql\",\n  \"tables\": {,}\n}\n",
			`snap.json:4:14: invalid character ',' looking for beginning of object key string`},
		{"{\n  \"version\": \"7\"\n  \"dialect\": \"postgresql\"\n}\n",
			`snap.json:3:3: invalid character '"' after object key:value pair`},
		{"{\"version\": \"7\", \"dialect\": \"postgresql\", \"tables\": {\n", `snap.json:2:1: unexpected end of JSON input`},
		{"{\"version\": \"7\", \"dialect\": \"postgresql\"}\n{}", `snap.json:2:1: unexpected data after the JSON value`},
		{"{\"version\": 7, \"dialect\": \"postgresql\"}", `snap.json:1:13: expected a JSON value of Go type string for version, found number`},
		{"{\"version\": \"7\", \"dialect\": \"postgresql\",\n \"tables\": {\"t\": {\"name\": \"t\", \"columns\": {\"a\": {\"name\": \"a\", \"type\": \"int\", \"notNull\": \"yes\"}}}}}",
			`snap.json:2:89: expected a JSON value of Go type bool for tables.columns.notNull, found string`},
		{"{\"version\": \"7\", \"dialect\": \"postgresql\",\n \"tables\": {\"t\": {\"name\": \"t\", \"columns\": []}}}",
			`snap.json:2:43: expected a JSON value of Go type map[string]*drizzle.column7 for tables.columns, found array`},
		{"{\"version\": \"7\",\n \"dialect\": \"mysql\"}", `snap.json:2:13: dialect is "mysql": only postgresql is supported`},
		{"{\n \"version\": \"4\", \"dialect\": \"postgresql\"}", `snap.json:2:13: snapshot version "4" is not one rbacdrift reads (5 to 8)`},
		{"{\"version\": \"7\", \"dialect\": \"postgresql\", \"tables\": {\"t\": {\"name\": \"t\", \"foreignKeys\": {\"f\": {\n  \"onDelete\": \"explode\"}}}}}",
			`snap.json:2:15: unknown referential action "explode"`},
		{"{\"version\": \"8\", \"dialect\": \"postgres\", \"ddl\": [\n {\"entityType\": \"columns\", \"table\": \"ghost\", \"name\": \"a\"}]}",
			`snap.json:2:2: columns a belongs to table public.ghost, which the snapshot does not list`},
	} {
		_, err := format(t, tc.data)
		if err == nil || err.Error() != tc.want {
			t.Errorf("Parse(%q):\n got %v\nwant %s", tc.data, err, tc.want)
		}
	}
}

// TestSnapshot covers which snapshot a migrations folder resolves to.
func TestSnapshot(t *testing.T) {
	write := func(t *testing.T, path, data string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("journal order", func(t *testing.T) {
		dir := t.TempDir()
		write(t, filepath.Join(dir, "meta", "_journal.json"),
			`{"version": "7", "dialect": "postgresql", "entries": [{"idx": 0, "tag": "0000_a"}, {"idx": 3, "tag": "0003_b"}]}`)
		for _, d := range []string{dir, filepath.Join(dir, "meta")} {
			got, err := drizzle.Snapshot(d)
			if want := filepath.Join(dir, "meta", "0003_snapshot.json"); err != nil || got != want {
				t.Errorf("Snapshot(%s) = %q, %v, want %q", d, got, err, want)
			}
		}
	})
	t.Run("drizzle-kit 1.0 folders", func(t *testing.T) {
		dir := t.TempDir()
		write(t, filepath.Join(dir, "20250101120000_init", "snapshot.json"), "{}")
		write(t, filepath.Join(dir, "20250301090000_scope", "snapshot.json"), "{}")
		write(t, filepath.Join(dir, "20250301090000_scope", "migration.sql"), "")
		got, err := drizzle.Snapshot(dir)
		if want := filepath.Join(dir, "20250301090000_scope", "snapshot.json"); err != nil || got != want {
			t.Errorf("Snapshot = %q, %v, want %q", got, err, want)
		}
	})
	t.Run("errors", func(t *testing.T) {
		dir := t.TempDir()
		if _, err := drizzle.Snapshot(dir); err == nil || !strings.Contains(err.Error(), "no drizzle-kit snapshot") {
			t.Errorf("empty folder: %v", err)
		}
		write(t, filepath.Join(dir, "meta", "_journal.json"), "{\"version\": \"7\",\n \"dialect\": \"mysql\", \"entries\": []}")
		want := filepath.Join(dir, "meta", "_journal.json") + `:2:13: dialect is "mysql": only postgresql is supported`
		if _, err := drizzle.Snapshot(dir); err == nil || err.Error() != want {
			t.Errorf("mysql journal: %v, want %s", err, want)
		}
		if _, err := drizzle.FromFile(filepath.Join(dir, "missing")); err == nil || !strings.HasPrefix(err.Error(), "reading drizzle migrations: ") {
			t.Errorf("missing path: %v", err)
		}
	})
}
