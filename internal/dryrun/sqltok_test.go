package dryrun

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestParseSQL checks what the dry run reads from the application's SQL to
// explain errors: the tables it names, what each alias stands for, and the
// token at an error position.
func TestParseSQL(t *testing.T) {
	for _, tc := range []struct {
		name, sql   string
		tables      []string
		aliases     map[string]string
		tokenAt     int // a character offset (0-based)
		tokenText   string
		conflict    []string
		insertTable string
	}{
		{
			name: "joins with aliases",
			sql: "SELECT p.resource, p.action, rp.scope\nFROM user_roles ur\nJOIN role_permissions AS rp ON rp.role_id = ur.role_id\n" +
				"JOIN public.permissions p ON p.id = rp.permission_id\nWHERE ur.user_id = $1",
			tables:  []string{"user_roles", "role_permissions", "public.permissions"},
			aliases: map[string]string{"ur": "user_roles", "user_roles": "user_roles", "rp": "role_permissions", "role_permissions": "role_permissions", "p": "public.permissions", "permissions": "public.permissions"},
			tokenAt: 146, tokenText: "=",
		},
		{
			name:    "comments, strings and quoted names are not tables",
			sql:     "SELECT 'FROM fake' AS x, /* FROM nested /* deeper */ */ \"Weird\".\"Name\" -- FROM comment\nFROM \"Eval\".\"Roles\" r, grants g WHERE r.id = g.role_id AND note = E'it\\'s FROM'",
			tables:  []string{`"Eval"."Roles"`, "grants"},
			aliases: map[string]string{"r": `"Eval"."Roles"`, "Roles": `"Eval"."Roles"`, "g": "grants", "grants": "grants"},
			tokenAt: 0, tokenText: "select",
		},
		{
			name:    "insert with on conflict",
			sql:     "INSERT INTO role_permissions (role_id, permission_id) VALUES ($1, $2) ON CONFLICT (role_id, permission_id) DO NOTHING",
			tables:  []string{"role_permissions"},
			aliases: map[string]string{"role_permissions": "role_permissions"},
			tokenAt: 63, tokenText: "$1",
			conflict:    []string{"role_id", "permission_id"},
			insertTable: "role_permissions",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := parseSQL(tc.sql)
			tables := []string{}
			for _, c := range s.tables {
				tables = append(tables, c.raw)
			}
			aliases := map[string]string{}
			for a, c := range s.aliases {
				aliases[a] = c.raw
			}
			if diff := cmp.Diff(tc.tables, tables); diff != "" {
				t.Errorf("tables (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.aliases, aliases); diff != "" {
				t.Errorf("aliases (-want +got):\n%s", diff)
			}
			if got := s.toks[s.tokenAt(tc.tokenAt)].Text; got != tc.tokenText {
				t.Errorf("token at %d = %q, want %q", tc.tokenAt, got, tc.tokenText)
			}
			if diff := cmp.Diff(tc.conflict, s.onConflictTarget()); diff != "" {
				t.Errorf("ON CONFLICT target (-want +got):\n%s", diff)
			}
			target, _ := s.insertTarget()
			if target.raw != tc.insertTable {
				t.Errorf("insert target = %q, want %q", target.raw, tc.insertTable)
			}
		})
	}
}

// TestMaxParam checks the count of parameters the EXPLAIN of a pipelined
// dry run is sent with: $N outside literals, quoted names and comments.
func TestMaxParam(t *testing.T) {
	for sql, want := range map[string]int{
		"SELECT 1":                0,
		"SELECT $1":               1,
		"SELECT $2, $10, $3":      10,
		"SELECT '$7', $1 -- $9\n": 1,
		"SELECT $$ $5 $$, $tag$ $6 $tag$, \"$4\" FROM t":  0,
		"INSERT INTO t VALUES ($1,$2,$3) RETURNING $1::x": 3,
	} {
		if got := maxParam(sql); got != want {
			t.Errorf("maxParam(%q) = %d, want %d", sql, got, want)
		}
	}
}
