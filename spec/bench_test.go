package spec_test

import (
	"bytes"
	"testing"

	"github.com/rbacdrift/rbacdrift/bench/synth"
	"github.com/rbacdrift/rbacdrift/spec"
)

// BenchmarkParse parses a generated model of 1,000 tables over 10 schemas
// (14 columns, keys, foreign keys and indexes each, and 100 enums): about
// 1 MB of YAML, far larger than any real RBAC model.
func BenchmarkParse(b *testing.B) {
	var buf bytes.Buffer
	if err := synth.WriteModel(&buf, synth.Config{Schemas: 10, Tables: 1000}); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	m, err := spec.Parse("synth.yaml", data)
	if err != nil {
		b.Fatal(err)
	}
	if len(m.Tables) != 1000 || len(m.Enums) != 100 {
		b.Fatalf("parsed %d tables and %d enums, want 1000 and 100", len(m.Tables), len(m.Enums))
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := spec.Parse("synth.yaml", data); err != nil {
			b.Fatal(err)
		}
	}
}
