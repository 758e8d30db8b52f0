package drift_test

import (
	"bytes"
	"testing"

	"github.com/rbacdrift/rbacdrift/bench/synth"
	"github.com/rbacdrift/rbacdrift/drift"
	"github.com/rbacdrift/rbacdrift/spec"
)

// BenchmarkCompare compares a generated model of 1,000 tables (14 columns,
// keys, foreign keys and indexes each, and 100 enums) with the catalog a
// database built from the same generator holds. The catalog is built in
// memory by bench/synth, the same facts introspect reads from such a
// database, so the comparison alone is measured. "clean" finds nothing;
// "drifted" finds a missing column, a type change and a missing index in
// every tenth table.
func BenchmarkCompare(b *testing.B) {
	cfg := synth.Config{Schemas: 10, Tables: 1000}
	var buf bytes.Buffer
	if err := synth.WriteModel(&buf, cfg); err != nil {
		b.Fatal(err)
	}
	m, err := spec.Parse("synth.yaml", buf.Bytes())
	if err != nil {
		b.Fatal(err)
	}

	b.Run("clean", func(b *testing.B) {
		cat, types := synth.BuildCatalog(cfg)
		in := drift.Input{Model: m, Catalog: cat, Types: types}
		if fs := drift.Compare(in); len(fs) != 0 {
			b.Fatalf("the generated model and catalog differ: %d findings, first: %s %s: %s", len(fs), fs[0].Code, fs[0].Object, fs[0].Message)
		}
		benchCompare(b, in)
	})

	b.Run("drifted", func(b *testing.B) {
		cat, types := synth.BuildCatalog(cfg)
		n := 0
		for _, r := range cat.Relations {
			if r.OID%10 != 0 {
				continue
			}
			n++
			r.Columns = r.Columns[:len(r.Columns)-1]                               // attrs is gone
			r.Columns[3].Type, r.Columns[3].TypMod = "character varying(64)", 64+4 // code widened
			r.Indexes = r.Indexes[:len(r.Indexes)-1]                               // an index dropped
		}
		in := drift.Input{Model: m, Catalog: cat, Types: types}
		if fs := drift.Compare(in); len(fs) < 3*n {
			b.Fatalf("%d findings for %d drifted tables, want at least %d", len(fs), n, 3*n)
		}
		benchCompare(b, in)
	})
}

func benchCompare(b *testing.B, in drift.Input) {
	b.ReportAllocs()
	for b.Loop() {
		drift.Compare(in)
	}
}
