package check

import (
	"strings"
	"testing"

	"github.com/rbacdrift/rbacdrift/drift"
	"github.com/rbacdrift/rbacdrift/spec"
)

// TestDirect covers which side each case names, and that a model not
// derived from code is left alone.
func TestDirect(t *testing.T) {
	model := func(tf *spec.TablesFrom) *spec.Model {
		return &spec.Model{TablesFrom: tf, Tables: []*spec.Table{{Name: spec.Name{Schema: "public", Name: "role_permissions"},
			Pos: spec.Pos{File: "shared/schema.ts", Line: 12, Column: 3}}}}
	}
	code := &spec.TablesFrom{Drizzle: "drizzle.config.ts"}
	missing := func() *drift.Finding {
		return &drift.Finding{Code: drift.MissingColumn, Subject: "public.role_permissions", Message: "m", Hint: "h"}
	}
	for _, tc := range []struct {
		name     string
		model    *spec.Model
		fs       []*drift.Finding
		compared bool
		message  string
		hint     string
	}{
		{"not from code", model(nil), []*drift.Finding{missing()}, false, "m", "h"},
		{"from migrations", model(&spec.TablesFrom{Migrations: "db"}), []*drift.Finding{missing()}, false, "m", "h"},
		{"pending migration", model(code), []*drift.Finding{{Code: drift.MissingColumn, Subject: "public.role_permissions", Message: "m", Hint: "h", ExplainedBy: "migration:0007_scope"}}, true,
			"m; the database is behind (0007_scope has not run)", "migrate the database to what shared/schema.ts declares"},
		{"history compared, nothing pending", model(code), []*drift.Finding{missing()}, true,
			"m; the code is behind (every migration ran)", "update shared/schema.ts to match the database"},
		{"columns the code lacks", model(code), []*drift.Finding{missing(), {Code: drift.UnexpectedColumn, Subject: "public.role_permissions"}}, false,
			"m; the code is behind (the database has columns the code does not declare", "update shared/schema.ts to match the database"},
		{"only missing", model(code), []*drift.Finding{missing()}, false,
			"m; the database is behind (the code declares what the database does not have yet)", "migrate the database to what shared/schema.ts declares"},
	} {
		direct(tc.model, tc.fs, tc.compared)
		f := tc.fs[0]
		if !strings.HasPrefix(f.Message, tc.message) {
			t.Errorf("%s: message %q, want it to start %q", tc.name, f.Message, tc.message)
		}
		if !strings.HasPrefix(f.Hint, tc.hint) {
			t.Errorf("%s: hint %q, want it to start %q", tc.name, f.Hint, tc.hint)
		}
	}
}
