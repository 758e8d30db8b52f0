package prisma_test

import (
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rbacdrift/rbacdrift/internal/derive/prisma"
	"github.com/rbacdrift/rbacdrift/internal/testutil/checktest"
	"github.com/rbacdrift/rbacdrift/internal/testutil/golden"
	"github.com/rbacdrift/rbacdrift/internal/testutil/pgtest"
	"github.com/rbacdrift/rbacdrift/spec"
)

// indexesFixture holds @@index attributes with type:, sort: and ops:, and
// the migration.sql Prisma Migrate writes for them.
const indexesFixture = "../../../testdata/derive/prisma-indexes"

// TestIndexesGolden pins the Method and Keys derived from type:, sort:
// and ops:.
func TestIndexesGolden(t *testing.T) {
	m, err := prisma.FromFile(filepath.Join(indexesFixture, "schema.prisma"))
	if err != nil {
		t.Fatal(err)
	}
	out := spec.Format(m, prisma.Header("prisma-indexes/schema.prisma"))
	golden.Check(t, "../../../testdata/derive/prisma-indexes.golden.yaml", out)
	back, err := spec.Parse("prisma-indexes.golden.yaml", out)
	if err != nil {
		t.Fatalf("the derived YAML does not parse: %v", err)
	}
	if diff := cmp.Diff(string(out), string(spec.Format(back, prisma.Header("prisma-indexes/schema.prisma")))); diff != "" {
		t.Errorf("the derived YAML does not read back as the same model (-first +reread):\n%s", diff)
	}
}

// TestIndexesAgainstMigration checks the derived model against a database
// migrated by the fixture's migration.sql: GIN, hash, BRIN, descending and
// operator-class indexes are what the model says, so nothing is found.
func TestIndexesAgainstMigration(t *testing.T) {
	db := pgtest.NewDB(t)
	db.ExecFile(t, filepath.Join(indexesFixture, "migration.sql"))
	m, err := prisma.FromFile(filepath.Join(indexesFixture, "schema.prisma"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range checktest.Check(t, db.URL, m) {
		t.Errorf("%s %s %s: %s", f.Severity, f.Code, f.Object, f.Message)
	}
}

// TestIndexOptions covers each option's mapping, and the errors for values
// Prisma refuses.
func TestIndexOptions(t *testing.T) {
	schema := func(index string) []byte {
		return []byte("datasource db {\n  provider = \"postgresql\"\n  url = env(\"U\")\n}\nmodel A {\n  id Int @id\n  v Int\n  " + index + "\n}\n")
	}
	for _, tc := range []struct {
		index, method string
		keys          []spec.IndexKey
	}{
		{"@@index([v], type: BTree)", "", nil},
		{"@@index([v], type: SpGist)", "spgist", nil},
		{"@@index([v(sort: Asc)])", "", nil},
		{"@@index([id, v(sort: Desc)])", "", []spec.IndexKey{{}, {Desc: true}}},
		{"@@index([v(ops: Int4MinMaxMultiOps)], type: Brin)", "brin", []spec.IndexKey{{Opclass: "int4_minmax_multi_ops"}}},
		{"@@index([v(ops: TimestampTzBloomOps)], type: Brin)", "brin", []spec.IndexKey{{Opclass: "timestamptz_bloom_ops"}}},
		{"@@index([v(ops: VarBitMinMaxOps)], type: Brin)", "brin", []spec.IndexKey{{Opclass: "varbit_minmax_ops"}}},
		{"@@index([v(ops: InetInclusionOps)], type: Brin)", "brin", []spec.IndexKey{{Opclass: "inet_inclusion_ops"}}},
	} {
		m, err := parseModel(schema(tc.index))
		if err != nil {
			t.Errorf("%s: %v", tc.index, err)
			continue
		}
		ix := m.Tables[0].Indexes[0]
		if ix.Method != tc.method {
			t.Errorf("%s: Method = %q, want %q", tc.index, ix.Method, tc.method)
		}
		if diff := cmp.Diff(tc.keys, ix.Keys); diff != "" {
			t.Errorf("%s: Keys (-want +got):\n%s", tc.index, diff)
		}
	}
	for _, bad := range []string{"@@index([v], type: Bogus)", "@@index([v(sort: Down)])", "@@index([v(ops: jsonb)])"} {
		if _, err := parseModel(schema(bad)); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

func parseModel(src []byte) (*spec.Model, error) {
	s, err := prisma.Parse("schema.prisma", src)
	if err != nil {
		return nil, err
	}
	return prisma.ToModel(s)
}
