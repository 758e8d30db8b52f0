package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	junit "github.com/joshdk/go-junit"
	"github.com/rbacdrift/rbacdrift/drift"
)

// The JUnit output is read back with github.com/joshdk/go-junit, a JUnit
// reader written independently of this package (it backs several CI
// reporting tools), rather than with encoding/xml into our own structs: a
// reader that shares our structs would accept whatever shape we write, right
// or wrong. go-junit reads the elements the CI systems read (testsuite,
// testcase, failure, skipped, system-out) by name.

// caseResult is what a CI system shows of one test case.
type caseResult struct {
	Class, Name string
	Status      junit.Status
	Type        string // the failure's type: the finding code
}

func TestJUnitReadBack(t *testing.T) {
	r := referenceReport(t)
	const (
		pass = junit.StatusPassed
		fail = junit.StatusFailed
		skip = junit.StatusSkipped
		rp   = "public.role_permissions"
	)
	atError := []caseResult{
		{"public.users", JUnitPass, pass, ""},
		{"public.roles", JUnitPass, pass, ""},
		{"public.permissions", JUnitPass, pass, ""},
		{"public.user_roles", JUnitPass, pass, ""},
		{rp, "missing-column public.role_permissions.permission_id", fail, "missing-column"},
		{rp, "missing-column public.role_permissions.scope", fail, "missing-column"},
		{rp, "primary-key-mismatch public.role_permissions", fail, "primary-key-mismatch"},
		{rp, "missing-unique public.role_permissions", fail, "missing-unique"},
		{rp, "missing-foreign-key public.role_permissions", fail, "missing-foreign-key"},
		{rp, "missing-index public.role_permissions", skip, ""}, // waived
		{rp, "forbidden-column public.role_permissions.resource", fail, "forbidden-column"},
		{rp, "forbidden-column public.role_permissions.permission", fail, "forbidden-column"},
		{"enum public.permission_scope", "missing-enum public.permission_scope", fail, "missing-enum"},
		{"query:resolve_user_permissions", "query-error query:resolve_user_permissions", fail, "query-error"},
		{drift.WaiverSubject, "expired-waiver ignore[1]", pass, ""}, // a warning
	}
	// with changes the status of the named test cases.
	with := func(status junit.Status, names ...string) []caseResult {
		out := append([]caseResult(nil), atError...)
		for i, c := range out {
			for _, n := range names {
				if c.Name == n {
					out[i].Status, out[i].Type = status, ""
					if status == fail {
						out[i].Type = strings.Fields(n)[0]
					}
				}
			}
		}
		return out
	}
	var failing []string
	for _, c := range atError {
		if c.Status == fail {
			failing = append(failing, c.Name)
		}
	}
	tests := []struct {
		level FailLevel
		want  []caseResult
	}{
		{FailOnError, atError},
		{FailOnWarning, with(fail, "expired-waiver ignore[1]")},
		{FailNever, with(pass, failing...)},
	}
	for _, tt := range tests {
		t.Run(string(tt.level), func(t *testing.T) {
			r.FailOn = tt.level
			suites, err := junit.Ingest(render(t, "junit", r))
			if err != nil {
				t.Fatalf("go-junit cannot read the report: %v", err)
			}
			if len(suites) != 1 {
				t.Fatalf("got %d test suites, want 1 (one per database target)", len(suites))
			}
			s := suites[0]
			if want := "rbacdrift " + r.Target.String(); s.Name != want {
				t.Errorf("suite name = %q, want %q", s.Name, want)
			}
			var got []caseResult
			for _, c := range s.Tests {
				cr := caseResult{Class: c.Classname, Name: c.Name, Status: c.Status}
				if e, ok := c.Error.(junit.Error); ok && c.Status == fail {
					cr.Type = e.Type
					if e.Message == "" || !strings.Contains(e.Body, "hint: ") {
						t.Errorf("failure of %s: message %q, body %q: want the finding's message and hint", c.Name, e.Message, e.Body)
					}
				}
				got = append(got, cr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("test cases (-want +got):\n%s", diff)
			}
			// Every checked subject appears as a class, passing or not.
			classes := map[string]bool{}
			for _, c := range got {
				classes[c.Class] = true
			}
			for _, subj := range r.Checked.Subjects {
				if !classes[subj] {
					t.Errorf("subject %s has no test case", subj)
				}
			}
			if s.Totals.Tests != len(tt.want) {
				t.Errorf("totals: %d tests, want %d", s.Totals.Tests, len(tt.want))
			}
		})
	}
}

// TestJUnitText checks that what XML cannot hold does not break the file.
func TestJUnitText(t *testing.T) {
	tests := []struct {
		name, message string
		want          string // the failure message as read back
	}{
		{"markup", `a <b> & "c" ]]> d`, `a <b> & "c" ]]> d`},
		// Shown escaped (see printable), as in every format people read.
		{"control characters", "bell\a nul\x00 tab\t", `bell\x07 nul\x00 tab` + "\t"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &drift.Finding{Code: "query-error", Severity: drift.Error, Object: "query:q", Subject: "query:q",
				Message: tt.message, Hint: "the hint ]]> here", File: "queries/rbac.sql", Line: 3, Column: 1}
			r := New("rbacdrift.yaml", Target{}, Checked{Queries: 1, Subjects: []string{"query:q"}}, []*drift.Finding{f})
			var b bytes.Buffer
			if err := JUnit(&b, r); err != nil {
				t.Fatal(err)
			}
			suites, err := junit.Ingest(b.Bytes())
			if err != nil {
				t.Fatalf("go-junit cannot read %q: %v", b.String(), err)
			}
			c := suites[0].Tests[0]
			e, _ := c.Error.(junit.Error)
			if diff := cmp.Diff(tt.want, e.Message); diff != "" {
				t.Errorf("message (-want +got):\n%s", diff)
			}
			if !strings.Contains(e.Body, "hint: the hint ]]> here") {
				t.Errorf("body %q lost the hint", e.Body)
			}
			if c.Properties["file"] != "queries/rbac.sql" || c.Properties["line"] != "3" {
				t.Errorf("test case attributes %v: want the query file and line", c.Properties)
			}
		})
	}
}
