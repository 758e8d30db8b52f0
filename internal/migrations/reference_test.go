package migrations

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/rbacdrift/rbacdrift/internal/testutil/pgtest"
)

const referenceDir = fixtures + "drizzle-reference"

// sqlSchemaShape describes the public schema without names a tool chooses:
// columns, constraints by definition, other indexes without their name, and
// enum labels.
const sqlSchemaShape = `
SELECT format('column %s.%s %s(%s) %s default=%s identity=%s', table_name, column_name, data_type, character_maximum_length, is_nullable, column_default, is_identity)
FROM information_schema.columns WHERE table_schema = 'public'
UNION ALL
SELECT format('constraint %s %s', conrelid::regclass, pg_get_constraintdef(oid))
FROM pg_constraint WHERE connamespace = 'public'::regnamespace
UNION ALL
SELECT 'index ' || regexp_replace(indexdef, 'INDEX \S+ ON', 'INDEX ON')
FROM pg_indexes WHERE schemaname = 'public'
  AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u'))
UNION ALL
SELECT format('enum %s %s', t.typname, string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder))
FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
WHERE t.typnamespace = 'public'::regnamespace GROUP BY t.typname
ORDER BY 1`

func schemaShape(t testing.TB, db *pgtest.DB) []string {
	t.Helper()
	rows, err := db.Conn(t).Query(context.Background(), sqlSchemaShape)
	if err != nil {
		t.Fatal(err)
	}
	shape, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if len(shape) == 0 {
		t.Fatal("the public schema is empty")
	}
	return shape
}

// referenceJournal reads the fixture's journal: tags and whens in order.
func referenceJournal(t testing.TB) (tags []string, whens []int64) {
	t.Helper()
	b, err := os.ReadFile(referenceDir + "/meta/_journal.json")
	if err != nil {
		t.Fatal(err)
	}
	var j struct {
		Entries []struct {
			When int64
			Tag  string
		}
	}
	if err := json.Unmarshal(b, &j); err != nil {
		t.Fatal(err)
	}
	for _, e := range j.Entries {
		tags, whens = append(tags, e.Tag), append(whens, e.When)
	}
	return tags, whens
}

// applyDrizzle applies the journal's first n migrations and records them as
// drizzle-orm's migrator does: hash = SHA-256 hex of the file, created_at =
// the entry's when.
func applyDrizzle(t testing.TB, db *pgtest.DB, n int) {
	t.Helper()
	tags, whens := referenceJournal(t)
	var history []string
	for i, tag := range tags[:n] {
		path := referenceDir + "/" + tag + ".sql"
		db.ExecFile(t, path)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		history = append(history, fmt.Sprintf("'%s', %d", hex.EncodeToString(sum[:]), whens[i]))
	}
	db.Exec(t, drizzleHistory(history...))
}

// TestReferenceScenario: the drizzle fixture's migrations but the last build
// testdata/reference/legacy.sql's schema, all of them normalised.sql's, and
// on the legacy database the finding names 0007_normalise_rbac, which
// touches role_permissions.permission_id and permission_scope.
func TestReferenceScenario(t *testing.T) {
	tags, _ := referenceJournal(t)
	if last := tags[len(tags)-1]; last != "0007_normalise_rbac" {
		t.Fatalf("the journal's last entry is %s, want 0007_normalise_rbac", last)
	}

	legacy := pgtest.NewDB(t)
	applyDrizzle(t, legacy, len(tags)-1)
	want := pgtest.NewDB(t)
	want.ExecFile(t, "../../testdata/reference/legacy.sql")
	if diff := cmp.Diff(schemaShape(t, want), schemaShape(t, legacy)); diff != "" {
		t.Errorf("migrations 0000-0006 against legacy.sql (-legacy.sql +migrations):\n%s", diff)
	}

	const sqlRows = `SELECT format('%s', u) FROM users u UNION ALL SELECT format('%s', r) FROM roles r
UNION ALL SELECT format('%s', p) FROM permissions p UNION ALL SELECT format('%s', ur) FROM user_roles ur
UNION ALL SELECT format('%s', rp) FROM role_permissions rp ORDER BY 1`
	rowsOf := func(db *pgtest.DB) []string {
		rows, err := db.Conn(t).Query(context.Background(), sqlRows)
		if err != nil {
			t.Fatal(err)
		}
		out, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		if len(out) != 12 {
			t.Fatalf("%s has %d rows, want the 12 of legacy.sql: %q", db.Name, len(out), out)
		}
		for i := range out { // created_at differs: keep the rest of the row
			if j := strings.Index(out[i], ",\""); j >= 0 {
				out[i] = out[i][:j]
			}
		}
		return out
	}
	if diff := cmp.Diff(rowsOf(want), rowsOf(legacy)); diff != "" {
		t.Errorf("rows after migrations 0000-0006 against legacy.sql (-legacy.sql +migrations):\n%s", diff)
	}

	current := pgtest.NewDB(t)
	applyDrizzle(t, current, len(tags))
	want = pgtest.NewDB(t)
	want.ExecFile(t, "../../testdata/reference/normalised.sql")
	if diff := cmp.Diff(schemaShape(t, want), schemaShape(t, current)); diff != "" {
		t.Errorf("all migrations against normalised.sql (-normalised.sql +migrations):\n%s", diff)
	}

	opts := Options{Dir: referenceDir}
	got, findings := readAndCompare(t, legacy.Conn(t), opts)
	if diff := cmp.Diff([]string{"migration-pending error migration:0007_normalise_rbac"}, got); diff != "" {
		t.Fatalf("findings on the legacy database (-want +got):\n%s", diff)
	}
	touches := touched(findings[0].Migration.Touches())
	for _, w := range []string{
		"1 create type public.permission_scope",
		"2 create column role_permissions.permission_id",
		"3 create column role_permissions.scope",
		"10 drop column role_permissions.resource",
	} {
		if !slices.Contains(touches, w) {
			t.Errorf("0007_normalise_rbac touches %q, want %q among them", touches, w)
		}
	}
	if got, _ := readAndCompare(t, current.Conn(t), opts); len(got) != 0 {
		t.Errorf("findings on the current database: %q", got)
	}
}
