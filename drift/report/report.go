package report

import (
	"encoding/json"
	"io"

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
}

// Checked counts what the model declared and the run checked.
type Checked struct {
	Tables  int `json:"tables"`
	Enums   int `json:"enums"`
	Queries int `json:"queries"`
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
