package drizzle_test

import (
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rbacdrift/rbacdrift/internal/derive/drizzle"
	"github.com/rbacdrift/rbacdrift/internal/testutil/checktest"
	"github.com/rbacdrift/rbacdrift/internal/testutil/golden"
	"github.com/rbacdrift/rbacdrift/internal/testutil/pgtest"
	"github.com/rbacdrift/rbacdrift/spec"
)

// indexesFixture is what drizzle-kit 0.31 generate wrote for
// testdata/derive/drizzle-app: a pgSchema, an enum, a composite key, and
// GIN, hash, descending, NULLS FIRST, operator class and expression
// indexes.
const indexesFixture = "../../../testdata/derive/drizzle-indexes"

// TestIndexesGolden pins how the snapshot's index methods, orders, nulls
// and operator classes become the model's Method and Keys.
func TestIndexesGolden(t *testing.T) {
	m, err := drizzle.FromFile(indexesFixture)
	if err != nil {
		t.Fatal(err)
	}
	out := spec.Format(m, drizzle.Header("drizzle-indexes/meta/0000_snapshot.json"))
	golden.Check(t, "../../../testdata/derive/drizzle-indexes.golden.yaml", out)
	back, err := spec.Parse("drizzle-indexes.golden.yaml", out)
	if err != nil {
		t.Fatalf("the derived YAML does not parse: %v", err)
	}
	if diff := cmp.Diff(string(out), string(spec.Format(back, drizzle.Header("drizzle-indexes/meta/0000_snapshot.json")))); diff != "" {
		t.Errorf("the derived YAML does not read back as the same model (-first +reread):\n%s", diff)
	}
}

// TestIndexesAgainstMigration applies the SQL drizzle-kit wrote for the
// snapshot and checks the derived model against it: the indexes drizzle
// creates are those the model describes, so nothing is found.
func TestIndexesAgainstMigration(t *testing.T) {
	db := pgtest.NewDB(t)
	db.ExecFile(t, filepath.Join(indexesFixture, "0000_init.sql"))
	m, err := drizzle.FromFile(indexesFixture)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range checktest.Check(t, db.URL, m) {
		t.Errorf("%s %s %s: %s", f.Severity, f.Code, f.Object, f.Message)
	}
}

// TestIndexKeys covers the keys drizzle-kit writes for each column option,
// in both snapshot formats: with an operator class, version 7's writer
// drops the order and nulls.
func TestIndexKeys(t *testing.T) {
	v7 := func(cols string) string {
		return `{"version":"7","dialect":"postgresql","tables":{"public.t":{"name":"t","schema":"","columns":{"a":{"name":"a","type":"text"}},
			"indexes":{"i":{"name":"i","columns":` + cols + `,"isUnique":false,"method":"btree"}}}},"enums":{}}`
	}
	v8 := func(cols string) string {
		return `{"version":"8","dialect":"postgres","ddl":[{"entityType":"tables","name":"t"},
			{"entityType":"columns","table":"t","name":"a","type":"text"},
			{"entityType":"indexes","table":"t","name":"i","columns":` + cols + `,"isUnique":false,"method":"gin"}]}`
	}
	yes, no := true, false
	for _, tc := range []struct {
		name, snap string
		method     string
		keys       []spec.IndexKey
	}{
		{"v7 default", v7(`[{"expression":"a","isExpression":false,"asc":true,"nulls":"last"}]`), "", nil},
		{"v7 before 0.22", v7(`["a"]`), "", nil},
		{"v7 desc nulls last", v7(`[{"expression":"a","isExpression":false,"asc":false,"nulls":"last"}]`), "", []spec.IndexKey{{Desc: true, NullsFirst: &no}}},
		{"v7 desc, no nulls", v7(`[{"expression":"a","isExpression":false,"asc":false}]`), "", []spec.IndexKey{{Desc: true}}},
		{"v7 nulls first", v7(`[{"expression":"a","isExpression":false,"asc":true,"nulls":"first"}]`), "", []spec.IndexKey{{NullsFirst: &yes}}},
		{"v7 opclass drops the order", v7(`[{"expression":"a","isExpression":false,"asc":false,"nulls":"first","opclass":"text_pattern_ops"}]`), "", []spec.IndexKey{{Opclass: "text_pattern_ops"}}},
		{"v8 default opclass", v8(`[{"value":"a","isExpression":false,"asc":true,"nullsFirst":false,"opclass":{"name":"jsonb_ops","default":true}}]`), "gin", nil},
		{"v8 opclass desc", v8(`[{"value":"a","isExpression":false,"asc":false,"nullsFirst":true,"opclass":{"name":"jsonb_path_ops","default":false}}]`), "gin", []spec.IndexKey{{Opclass: "jsonb_path_ops", Desc: true}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := drizzle.Parse("snapshot.json", []byte(tc.snap))
			if err != nil {
				t.Fatal(err)
			}
			ix := m.Tables[0].Indexes[0]
			if ix.Method != tc.method {
				t.Errorf("Method = %q, want %q", ix.Method, tc.method)
			}
			if diff := cmp.Diff(tc.keys, ix.Keys); diff != "" {
				t.Errorf("Keys (-want +got):\n%s", diff)
			}
		})
	}
}
