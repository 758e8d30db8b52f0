package check_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rbacdrift/rbacdrift/internal/testutil/pgtest"
	"github.com/rbacdrift/rbacdrift/introspect"
	"github.com/rbacdrift/rbacdrift/spec"
)

// roundTripClean snapshots the database at url with sel and checks the
// same database against the snapshot: no finding, and the model it took.
func roundTripClean(t *testing.T, url string, sel introspect.Selection) *spec.Model {
	t.Helper()
	model := takeSnapshot(t, url, sel)
	m, err := spec.Parse("snapshot.yaml", model)
	if err != nil {
		t.Fatalf("the snapshot does not parse: %v\n%s", err, model)
	}
	var got []string
	for _, f := range checkText(t, url, model) {
		got = append(got, string(f.Code)+" "+f.Object+": "+f.Message)
	}
	if diff := cmp.Diff([]string(nil), got); diff != "" {
		t.Errorf("checking the snapshot against its own database finds drift (-want +got):\n%s\nsnapshot:\n%s", diff, model)
	}
	return m
}

// TestCorpusSnapshotRoundTrip: a snapshot of each corpus database (the
// schemas of Spring Security JDBC, Django's contrib.auth and the casbin pgx
// adapter), with the grants an application role holds on it and with each
// corpus's own drift applied, checks clean against that database.
func TestCorpusSnapshotRoundTrip(t *testing.T) {
	dirs, err := filepath.Glob("../../testdata/dryrun/corpus/*/schema.sql")
	if err != nil || len(dirs) < 3 {
		t.Fatalf("the corpus is missing: %v %v", dirs, err)
	}
	// The corpus schemas grant nothing: the application's role gets what
	// each framework needs, reads and writes, with its sequences.
	const grants = `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {{app}};
		GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {{app}};`
	for _, schema := range dirs {
		dir := filepath.Dir(schema)
		drifts, err := filepath.Glob(filepath.Join(dir, "d*.sql"))
		if err != nil {
			t.Fatal(err)
		}
		for _, drift := range append([]string{""}, drifts...) {
			name := filepath.Base(dir)
			if drift != "" {
				name += "/" + strings.TrimSuffix(filepath.Base(drift), ".sql")
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				db := pgtest.NewDB(t)
				app := db.Role(t, "app")
				r := strings.NewReplacer("{{app}}", `"`+app+`"`)
				db.ExecFile(t, schema)
				db.Exec(t, r.Replace(grants))
				schemas := []string{"public"}
				if drift != "" {
					b, err := os.ReadFile(drift)
					if err != nil {
						t.Fatal(err)
					}
					db.Exec(t, r.Replace(string(b)))
					if strings.Contains(string(b), "CREATE SCHEMA eval_authz") {
						schemas = append(schemas, "eval_authz")
					}
				}
				m := roundTripClean(t, db.URL, introspect.Selection{Schemas: schemas, Roles: []string{app, "PUBLIC"}, Functions: "*"})
				if len(m.Tables) == 0 {
					t.Errorf("the snapshot holds no table")
				}
			})
		}
	}
}

// TestSnapshotSequencesRoundTrip: a database with functions, free
// sequences, column grants and privileges held through a group role
// snapshots to a model that records each, and checks clean against it; the
// sequences of serial and identity columns are the columns', not the
// model's sequences (PostgreSQL keeps an owned sequence in its table's
// schema, so a free sequence is one no column owns). {{app}} inherits from
// {{group}}.
func TestSnapshotSequencesRoundTrip(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	app, group := db.Role(t, "app"), db.Role(t, "grp")
	r := strings.NewReplacer("{{app}}", `"`+app+`"`, "{{group}}", `"`+group+`"`)
	db.Exec(t, r.Replace(sequencesSQL))
	m := roundTripClean(t, db.URL, introspect.Selection{Schemas: []string{"public"}, Roles: []string{app, group, "PUBLIC"}, Functions: "auth*"})
	var seqs []string
	for _, q := range m.Sequences {
		s := q.Name.String() + " owned_by "
		if q.OwnedBy != nil {
			s += q.OwnedBy.String()
		} else {
			s += "null"
		}
		for _, g := range q.Grants {
			s += " " + g.Role + ":" + strings.Join(g.Privileges, ",")
		}
		seqs = append(seqs, s)
	}
	want := []string{
		"public.invite_code_seq owned_by null " + app + ":USAGE,SELECT " + group + ":USAGE,SELECT PUBLIC:SELECT",
		"public.shared_seq owned_by null " + app + ": " + group + ": PUBLIC:",
	}
	if diff := cmp.Diff(want, seqs); diff != "" {
		t.Errorf("the snapshot's sequences (-want +got):\n%s", diff)
	}
	if len(m.Functions) != 2 {
		t.Errorf("the snapshot holds %d functions, want 2", len(m.Functions))
	}
}

// sequencesSQL is the database of [TestSnapshotSequencesRoundTrip].
const sequencesSQL = `
GRANT {{group}} TO {{app}};
CREATE TABLE accounts (
    id     serial PRIMARY KEY,
    ref    bigint GENERATED ALWAYS AS IDENTITY,
    email  text,
    tenant integer
);
CREATE SEQUENCE invite_code_seq;
CREATE SEQUENCE shared_seq AS integer;
GRANT SELECT ON accounts TO {{group}};
GRANT INSERT ON accounts TO {{app}};
GRANT USAGE ON SEQUENCE accounts_id_seq TO {{group}};
GRANT UPDATE (email) ON accounts TO {{group}};
GRANT USAGE ON SEQUENCE invite_code_seq TO {{group}};
GRANT SELECT ON SEQUENCE invite_code_seq TO PUBLIC;
CREATE FUNCTION auth_check(integer) RETURNS boolean LANGUAGE sql STABLE AS 'SELECT true';
CREATE FUNCTION auth_admin() RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER SET search_path = public
    AS 'BEGIN RETURN false; END';
REVOKE EXECUTE ON FUNCTION auth_admin() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_admin() TO {{group}};
`

// TestSnapshotThenSequenceDrift: a change to a free sequence after the
// snapshot is reported on the sequence.
func TestSnapshotThenSequenceDrift(t *testing.T) {
	tests := []struct {
		name  string
		drift string
		want  []found
	}{
		{"dropped", `DROP SEQUENCE invite_code_seq`, []found{{"sequence-missing", "public.invite_code_seq", "error"}}},
		{"owned by a column", `ALTER SEQUENCE invite_code_seq OWNED BY accounts.tenant`, []found{{"sequence-not-owned", "public.invite_code_seq", "warning"}}},
		{"a table of its name instead", `DROP SEQUENCE shared_seq; CREATE TABLE shared_seq (n int)`, []found{{"sequence-missing", "public.shared_seq", "error"}}},
		{"the group's USAGE revoked", `REVOKE USAGE ON SEQUENCE invite_code_seq FROM {{group}}`, []found{
			{"missing-sequence-privilege", "public.invite_code_seq", "error"}, {"missing-sequence-privilege", "public.invite_code_seq", "error"}}},
		{"UPDATE granted", `GRANT UPDATE ON SEQUENCE shared_seq TO {{app}}`, []found{{"unexpected-privilege", "public.shared_seq", "warning"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			db := pgtest.NewDB(t)
			app, group := db.Role(t, "app"), db.Role(t, "grp")
			r := strings.NewReplacer("{{app}}", `"`+app+`"`, "{{group}}", `"`+group+`"`)
			db.Exec(t, r.Replace(sequencesSQL))
			model := takeSnapshot(t, db.URL, introspect.Selection{Schemas: []string{"public"}, Roles: []string{app, group}})
			db.Exec(t, r.Replace(tt.drift))
			fs := checkText(t, db.URL, model)
			if diff := cmp.Diff(tt.want, summary(fs)); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
				for _, f := range fs {
					t.Logf("%s %s: %s (hint: %s)", f.Code, f.Object, f.Message, f.Hint)
				}
			}
		})
	}
}
