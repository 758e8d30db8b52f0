package drift

import (
	"cmp"
	"slices"
	"strings"

	"github.com/rbacdrift/rbacdrift/spec"
)

// A Severity says whether a finding fails the check.
type Severity string

// The severities.
const (
	Error   Severity = "error"
	Warning Severity = "warning"
)

// A Finding is one difference between the model and the database, or one
// way an application query would fail.
type Finding struct {
	Code     Code     `json:"code"`
	Severity Severity `json:"severity"`
	Object   string   `json:"object"`
	Expected string   `json:"expected,omitempty"`
	Actual   string   `json:"actual,omitempty"`
	Message  string   `json:"message"`
	Hint     string   `json:"hint,omitempty"`
	File     string   `json:"file,omitempty"`
	Line     int      `json:"line,omitempty"`
	Column   int      `json:"column,omitempty"`
	// SQLState is the server's error code, for query findings that have one.
	SQLState string `json:"sqlstate,omitempty"`
	// Subject groups findings in reports: the table (public.users) or the
	// query (query:resolve_user_permissions) the finding belongs to.
	Subject string `json:"subject"`
	// Suppressed names the waiver that accepts this finding; nil when none.
	Suppressed *Suppression `json:"suppressed,omitempty"`
	// Schema is the tenant schema the finding is about, when one model is
	// checked in many schemas (check --schemas); empty otherwise.
	Schema string `json:"schema,omitempty"`
	// ExplainedBy names the finding that is its root cause: a migration that
	// has not run (migration:0007_normalise_rbac) and changes what this
	// finding is about. Empty when none is known.
	ExplainedBy string `json:"explained_by,omitempty"`
	// Affects names the queries that read or write the finding's object
	// (query:resolve_user_permissions), declared or harvested; empty when
	// none does.
	Affects []string `json:"affects,omitempty"`
}

// A Suppression records the waiver that covers a finding.
type Suppression struct {
	Reason string `json:"reason"`
	Until  string `json:"until,omitempty"`
	File   string `json:"file,omitempty"`
	Line   int    `json:"line,omitempty"`
}

// At sets the finding's model position.
func (f *Finding) At(p spec.Pos) *Finding {
	f.File, f.Line, f.Column = p.File, p.Line, p.Column
	return f
}

// Pos returns the finding's model position.
func (f *Finding) Pos() spec.Pos { return spec.Pos{File: f.File, Line: f.Line, Column: f.Column} }

// Sort orders findings as the model reads, after the migrations that
// explain them: migrations first (the root cause), then tables and enums,
// then queries (whichever file holds them), each by file, line and column,
// then code and object, so that output is stable.
func Sort(fs []*Finding) {
	isQuery := func(f *Finding) int {
		switch {
		case f.Subject == MigrationSubject:
			return -1
		case strings.HasPrefix(f.Subject, "query:"):
			return 1
		}
		return 0
	}
	slices.SortStableFunc(fs, func(a, b *Finding) int {
		return cmp.Or(
			cmp.Compare(isQuery(a), isQuery(b)),
			cmp.Compare(a.File, b.File),
			cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Column, b.Column),
			cmp.Compare(a.Object, b.Object),
			cmp.Compare(a.Code, b.Code),
		)
	})
}

// Summary counts findings by severity; suppressed ones are counted apart.
type Summary struct {
	Errors     int `json:"errors"`
	Warnings   int `json:"warnings"`
	Suppressed int `json:"suppressed"`
}

// Summarize counts fs.
func Summarize(fs []*Finding) Summary {
	var s Summary
	for _, f := range fs {
		switch {
		case f.Suppressed != nil:
			s.Suppressed++
		case f.Severity == Error:
			s.Errors++
		default:
			s.Warnings++
		}
	}
	return s
}
