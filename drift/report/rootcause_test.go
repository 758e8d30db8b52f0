package report

import (
	"strings"
	"testing"

	"github.com/rbacdrift/rbacdrift/drift"
)

// TestRootCause: a migration that explains findings opens the text,
// Markdown and GitHub reports, once, with the number it explains; a
// finding it does not explain, and a report without one, are unchanged.
func TestRootCause(t *testing.T) {
	mig := &drift.Finding{Code: drift.MigrationPending, Severity: drift.Error, Object: "migration:0007_normalise_rbac",
		Message: "migration 0007_normalise_rbac has not run on this database", File: "drizzle/0007_normalise_rbac.sql", Subject: drift.MigrationSubject}
	col := &drift.Finding{Code: drift.MissingColumn, Severity: drift.Error, Object: "public.role_permissions.scope",
		Message: "column role_permissions.scope does not exist", Subject: "public.role_permissions", File: "m.yaml", Line: 3, Column: 7,
		ExplainedBy: "migration:0007_normalise_rbac"}
	other := &drift.Finding{Code: drift.MissingTable, Severity: drift.Error, Object: "public.audit", Message: "table audit does not exist",
		Subject: "public.audit", File: "m.yaml", Line: 9, Column: 3}
	target := Target{Host: "db", Port: 5432, Database: "app", User: "u", ServerVersion: "15.4"}
	r := New("m.yaml", target, Checked{Tables: 2, Migrations: true}, []*drift.Finding{mig, col, other})
	causes := r.RootCauses()
	if len(causes) != 1 || causes[0].Finding != mig || causes[0].Explains != 1 {
		t.Fatalf("RootCauses = %+v, want the migration explaining 1 finding", causes)
	}
	const want = "migration 0007_normalise_rbac (drizzle/0007_normalise_rbac.sql) has not run on this database; it explains 1 finding below"
	if got := causes[0].Sentence(); got != want {
		t.Errorf("Sentence:\n got %s\nwant %s", got, want)
	}
	for _, tt := range []struct {
		name      string
		render    func(*strings.Builder) error
		firstLine string
	}{
		{"text", func(b *strings.Builder) error { return Text(b, r, TextOptions{}) }, "root cause: " + want},
		{"github", func(b *strings.Builder) error { return GitHub(b, r) }, "::error file=drizzle/0007_normalise_rbac.sql,title=rbacdrift root cause::root cause: " + want},
	} {
		var b strings.Builder
		if err := tt.render(&b); err != nil {
			t.Fatal(err)
		}
		if first, _, _ := strings.Cut(b.String(), "\n"); first != tt.firstLine {
			t.Errorf("%s: first line\n got %s\nwant %s", tt.name, first, tt.firstLine)
		}
		if n := strings.Count(b.String(), "root cause: migration 0007"); tt.name == "text" && n != 2 {
			t.Errorf("text: %d root-cause lines, want the opening one and the one under the explained finding:\n%s", n, b.String())
		}
	}
	var md strings.Builder
	if err := Markdown(&md, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "\n**Root cause:** migration 0007\\_normalise\\_rbac") {
		t.Errorf("markdown has no root cause:\n%s", md.String())
	}
	plain := New("m.yaml", target, Checked{Tables: 1}, []*drift.Finding{other})
	var b strings.Builder
	if err := Text(&b, plain, TextOptions{}); err != nil || strings.Contains(b.String(), "root cause") {
		t.Errorf("a report without a root cause mentions one (%v):\n%s", err, b.String())
	}
}
