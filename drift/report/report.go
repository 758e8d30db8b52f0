package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/rbacdrift/rbacdrift/drift"
)

// Version is the version of the JSON report format.
const Version = 1

// A Report is everything one run found.
type Report struct {
	Version  int              `json:"version"`
	Model    string           `json:"model"`
	Target   Target           `json:"target"`
	Checked  Checked          `json:"checked"`
	Findings []*drift.Finding `json:"findings"`
	Summary  drift.Summary    `json:"summary"`
	// FailOn is the least severity that fails the run (--fail-on); the
	// renderers that show pass or fail (JUnit, Markdown) follow it. The zero
	// value means [FailOnError].
	FailOn FailLevel `json:"-"`
}

// A FailLevel is the least severity that fails a run: the value of --fail-on.
type FailLevel string

// The fail levels.
const (
	FailOnError   FailLevel = "error"   // error-level findings fail the run (the default)
	FailOnWarning FailLevel = "warning" // warnings fail it too
	FailNever     FailLevel = "never"   // nothing fails it: report only
)

// Fails reports whether f fails a run at level l. A waived finding never does.
func (l FailLevel) Fails(f *drift.Finding) bool {
	if f.Suppressed != nil {
		return false
	}
	switch l {
	case FailNever:
		return false
	case FailOnWarning:
		return true
	}
	return f.Severity == drift.Error
}

// Failed reports whether any finding of r fails the run at r.FailOn.
func (r *Report) Failed() bool {
	for _, f := range r.Findings {
		if r.FailOn.Fails(f) {
			return true
		}
	}
	return false
}

// A Target describes the database checked, without a password.
type Target struct {
	Host          string `json:"host"`
	Port          int    `json:"port"`
	Database      string `json:"database"`
	User          string `json:"user"`
	ServerVersion string `json:"server_version"`
	// InRecovery is set on a hot standby; ReplayLagSeconds is its lag, when known.
	InRecovery       bool     `json:"in_recovery,omitempty"`
	ReplayLagSeconds *float64 `json:"replay_lag_seconds,omitempty"`
	// StartupSettings says what became of the session's read-only startup
	// settings: in_force, refused or ignored (by a connection pooler), or
	// not_sent (a connection the Go API was given). Every unit of work is a
	// READ ONLY transaction with SET LOCAL limits whatever it says.
	StartupSettings string `json:"startup_settings,omitempty"`
}

// String renders the target as user@host:port/database, never with a password.
func (t Target) String() string {
	return fmt.Sprintf("%s@%s:%d/%s", t.User, t.Host, t.Port, t.Database)
}

// Checked counts what the model declared and the run checked.
type Checked struct {
	Tables  int `json:"tables"`
	Enums   int `json:"enums"`
	Queries int `json:"queries"`
	// Migrations is set when the migrations folder was compared with the
	// tool's history.
	Migrations bool `json:"migrations,omitempty"`
	// Schemas are the tenant schemas the model was checked in (check
	// --schemas); empty for one schema.
	Schemas []string `json:"schemas,omitempty"`
	// Subjects names everything checked, in model order, as findings name
	// their subject (see [drift.Subjects]), so that reports can list what
	// passed as well as what failed.
	Subjects []string `json:"subjects,omitempty"`
}

// subjects returns r.Checked.Subjects followed by the subjects of findings
// that it does not name (such as the model's waivers), in order of first
// appearance.
func (r *Report) subjects() []string {
	out := append([]string(nil), r.Checked.Subjects...)
	seen := map[string]bool{}
	for _, s := range out {
		seen[s] = true
	}
	for _, f := range r.Findings {
		if !seen[f.Subject] {
			seen[f.Subject] = true
			out = append(out, f.Subject)
		}
	}
	return out
}

// bySubject groups the findings of r by subject, keeping their order.
func (r *Report) bySubject() map[string][]*drift.Finding {
	by := map[string][]*drift.Finding{}
	for _, f := range r.Findings {
		by[f.Subject] = append(by[f.Subject], f)
	}
	return by
}

// New builds a report; findings is kept as given (sorted by the caller).
func New(model string, target Target, checked Checked, findings []*drift.Finding) *Report {
	if findings == nil {
		findings = []*drift.Finding{}
	}
	return &Report{Version: Version, Model: model, Target: target, Checked: checked, Findings: findings, Summary: drift.Summarize(findings)}
}

// JSON writes r as indented JSON.
func JSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}

// A RootCause is a finding that explains others: a migration that has not
// run, or failed, and changes what they are about.
type RootCause struct {
	Finding  *drift.Finding
	Explains int // how many findings name it in ExplainedBy
}

// Sentence says what the root cause is, for the first line of a report:
// migration 0007_normalise_rbac (drizzle/0007_normalise_rbac.sql) has not
// run on this database; it explains 9 findings below.
func (c RootCause) Sentence() string {
	f := c.Finding
	name := strings.TrimPrefix(f.Object, "migration:")
	what := "has not run on this database"
	if f.Code == drift.MigrationFailed {
		what = "failed on this database"
	}
	where := ""
	if f.File != "" {
		where = " (" + f.File + ")"
	}
	return fmt.Sprintf("migration %s%s %s; it explains %s below", name, where, what, plural(c.Explains, "finding"))
}

// RootCauses returns the findings that other findings of r name as their
// root cause, in report order.
func (r *Report) RootCauses() []RootCause {
	count := map[string]int{}
	for _, f := range r.Findings {
		if f.ExplainedBy != "" {
			count[f.ExplainedBy]++
		}
	}
	var out []RootCause
	for _, f := range r.Findings {
		if n := count[f.Object]; n > 0 && f.Subject == drift.MigrationSubject {
			out = append(out, RootCause{Finding: f, Explains: n})
			count[f.Object] = 0
		}
	}
	return out
}
