package spec

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestTablesFrom covers the tables_from section: one source, read back as
// written, and what the parser and the JSON Schema refuse alike.
func TestTablesFrom(t *testing.T) {
	sch := compileSchema(t)
	for _, tc := range []struct {
		yaml string
		want *TablesFrom
		err  string
	}{
		{yaml: "tables_from: { drizzle: drizzle.config.ts }", want: &TablesFrom{Drizzle: "drizzle.config.ts"}},
		{yaml: "tables_from: { prisma: prisma/schema.prisma }", want: &TablesFrom{Prisma: "prisma/schema.prisma"}},
		{yaml: "tables_from: { migrations: db/migrations, tool: goose }", want: &TablesFrom{Migrations: "db/migrations", Tool: "goose"}},
		{yaml: "tables_from: {}", err: "tables_from: give one source"},
		{yaml: "tables_from: { drizzle: a, prisma: b }", err: "tables_from: give one source of drizzle, prisma and migrations, not 2"},
		{yaml: "tables_from: { drizzle: a, tool: goose }", err: "tables_from.tool: goes with migrations"},
		{yaml: "tables_from: { sql: a }", err: "tables_from.sql: unknown"},
		{yaml: "tables_from: { drizzle: '' }", err: "tables_from.drizzle"},
	} {
		src := "version: 1\n" + tc.yaml + "\nrun_as: app\n"
		m, err := Parse("rbacdrift.yaml", []byte(src))
		js, jerr := yamlToJSON([]byte(src))
		if jerr != nil {
			t.Fatal(jerr)
		}
		schemaErr := sch.Validate(js)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: error %v, want one containing %q", tc.yaml, err, tc.err)
			}
			if schemaErr == nil {
				t.Errorf("%s: the JSON Schema accepts what the parser refuses", tc.yaml)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.yaml, err)
			continue
		}
		if schemaErr != nil {
			t.Errorf("%s: the JSON Schema refuses it: %v", tc.yaml, schemaErr)
		}
		got := m.TablesFrom
		got.Pos = Pos{}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.yaml, diff)
		}
		back, err := Parse("again.yaml", Format(m))
		if err != nil {
			t.Fatalf("%s: the written model does not parse: %v\n%s", tc.yaml, err, Format(m))
		}
		back.TablesFrom.Pos = Pos{}
		if diff := cmp.Diff(tc.want, back.TablesFrom); diff != "" {
			t.Errorf("%s: written and read back (-want +got):\n%s", tc.yaml, diff)
		}
	}
}
