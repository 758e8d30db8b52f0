package report

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/rbacdrift/rbacdrift/drift"
)

// A Fleet is the report of one model checked against many targets (check
// --targets): every target's own report, or the reason it could not be
// checked, and an overall summary.
type Fleet struct {
	Version int            `json:"version"`
	Model   string         `json:"model"`
	Targets []*FleetTarget `json:"targets"`
	Summary FleetSummary   `json:"summary"`
	// FailOn is the least severity that fails the run, as in [Report].
	FailOn FailLevel `json:"-"`
}

// A FleetTarget is one target of a [Fleet]: its report when it could be
// checked, else Error.
type FleetTarget struct {
	Name     string           `json:"name"`
	Target   Target           `json:"target"`
	Checked  *Checked         `json:"checked,omitempty"`
	Findings []*drift.Finding `json:"findings"`
	Summary  drift.Summary    `json:"summary"`
	// Error says why the target could not be checked (no connection, a
	// refused catalog read); its findings are then empty.
	Error string `json:"error,omitempty"`

	report *Report
}

// A FleetSummary counts the targets by outcome, and the findings of all.
type FleetSummary struct {
	Targets     int `json:"targets"`
	Clean       int `json:"clean"`       // no finding fails the run
	Failed      int `json:"failed"`      // a finding fails the run
	Unreachable int `json:"unreachable"` // could not be checked
	drift.Summary
}

// NewFleet assembles the fleet report; each target is its report, or nil
// and the error.
func NewFleet(model string, failOn FailLevel, targets []*FleetTarget) *Fleet {
	f := &Fleet{Version: Version, Model: model, Targets: targets, FailOn: cmp.Or(failOn, FailOnError)}
	for _, t := range targets {
		f.Summary.Targets++
		switch {
		case t.Error != "":
			f.Summary.Unreachable++
		case t.report.Failed():
			f.Summary.Failed++
		default:
			f.Summary.Clean++
		}
		f.Summary.Errors += t.Summary.Errors
		f.Summary.Warnings += t.Summary.Warnings
		f.Summary.Suppressed += t.Summary.Suppressed
	}
	return f
}

// CheckedTarget is the [FleetTarget] of a target that was checked.
func CheckedTarget(name string, r *Report) *FleetTarget {
	c := r.Checked
	return &FleetTarget{Name: name, Target: r.Target, Checked: &c, Findings: r.Findings, Summary: r.Summary, report: r}
}

// UnreachableTarget is the [FleetTarget] of a target that could not be
// checked, and why.
func UnreachableTarget(name string, t Target, err string) *FleetTarget {
	return &FleetTarget{Name: name, Target: t, Findings: []*drift.Finding{}, Error: err,
		report: &Report{Target: t, Findings: []*drift.Finding{}}}
}

// Failed reports whether any target fails the run: a finding at the fail
// level, or a target that could not be checked.
func (f *Fleet) Failed() bool { return f.Summary.Failed > 0 || f.Summary.Unreachable > 0 }

// reportAt returns the target's report with the fleet's fail level.
func (t *FleetTarget) reportAt(failOn FailLevel) *Report {
	t.report.FailOn = failOn
	return t.report
}

func (f *Fleet) summaryLine() string {
	s := f.Summary
	parts := []string{fmt.Sprintf("%d clean", s.Clean), fmt.Sprintf("%d with drift", s.Failed)}
	if s.Unreachable > 0 {
		parts = append(parts, fmt.Sprintf("%d not checked", s.Unreachable))
	}
	return fmt.Sprintf("%s: %s; %s, %s", plural(s.Targets, "target"), strings.Join(parts, ", "),
		plural(s.Errors, "error"), plural(s.Warnings, "warning"))
}

// FleetJSON writes f as one JSON document: a targets array, each with its
// name, target, findings and summary, and the overall summary.
func FleetJSON(w io.Writer, f *Fleet) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(f)
}

// FleetText writes each target's text report under a heading with its
// name, then the overall summary.
func FleetText(w io.Writer, f *Fleet, opt TextOptions) error {
	p := &printer{w: w, color: opt.Color}
	for i, t := range f.Targets {
		if i > 0 {
			p.printf("\n")
		}
		p.printf("%s\n", p.paint(bold, "== "+printable(t.Name)+" =="))
		if t.Error != "" {
			p.printf("%s %s\n", p.paint(red, "not checked:"), printable(t.Error))
			continue
		}
		if p.err == nil {
			p.err = Text(w, t.reportAt(f.FailOn), opt)
		}
	}
	p.printf("\n%s\n", f.summaryLine())
	return p.err
}

// FleetJUnit writes one test suite per target; a target that could not be
// checked is a suite with one error.
func FleetJUnit(w io.Writer, f *Fleet) error {
	var suites []junitSuite
	for _, t := range f.Targets {
		name := printable("rbacdrift " + t.Name + " " + t.Target.String())
		if t.Error != "" {
			suites = append(suites, junitSuite{Name: name, Tests: 1, Errors: 1, Cases: []junitCase{{
				Name: "connect", Classname: printable(t.Name), Error: &junitMessage{Message: xmlSafe(printable(t.Error)), Type: "not-checked"}}}})
			continue
		}
		suites = append(suites, junitSuiteOf(forPeople(t.reportAt(f.FailOn)), name))
	}
	return writeJUnit(w, suites)
}

// FleetSARIF writes one run per checked target, told apart by
// automationDetails.id (rbacdrift/NAME).
func FleetSARIF(w io.Writer, f *Fleet) error {
	var runs []sarifRun
	for _, t := range f.Targets {
		if t.Error != "" {
			continue
		}
		run := sarifRunOf(t.reportAt(f.FailOn))
		run.AutomationDetails = &sarifAutomationDetails{ID: "rbacdrift/" + t.Name}
		run.Properties["targetName"] = t.Name
		runs = append(runs, run)
	}
	if runs == nil {
		runs = []sarifRun{}
	}
	return writeSARIF(w, runs)
}

// FleetMarkdown writes a headline, a table with one row per target, then
// each target's Markdown report one heading level down.
func FleetMarkdown(w io.Writer, f *Fleet) error {
	p := &printer{w: w}
	icon := ":white_check_mark:"
	if f.Failed() {
		icon = ":x:"
	}
	p.printf("%s\n## %s rbacdrift: %s\n\n", MarkdownMarker, icon, mdText(f.summaryLine()))
	p.printf("| | target | errors | warnings | waived |\n|---|---|--:|--:|--:|\n")
	for _, t := range f.Targets {
		mark := ":white_check_mark:"
		switch {
		case t.Error != "":
			mark = ":no_entry:"
		case t.reportAt(f.FailOn).Failed():
			mark = ":x:"
		}
		p.printf("| %s | %s | %d | %d | %d |\n", mark, mdCell(printable(t.Name)), t.Summary.Errors, t.Summary.Warnings, t.Summary.Suppressed)
	}
	for _, t := range f.Targets {
		p.printf("\n### %s\n\n", mdText(printable(t.Name)))
		if t.Error != "" {
			p.printf("Not checked: %s\n", mdText(printable(t.Error)))
			continue
		}
		var b bytes.Buffer
		if err := Markdown(&b, t.reportAt(f.FailOn)); err != nil {
			return err
		}
		body := strings.TrimPrefix(b.String(), MarkdownMarker+"\n")
		body = strings.ReplaceAll(body, "\n### ", "\n##### ")
		body = strings.ReplaceAll(body, "\n#### ", "\n###### ")
		body = strings.TrimPrefix(body, "## ")
		p.printf("#### %s", body)
	}
	return p.err
}

// FleetGitHub writes each target's workflow commands, with the target's
// name in every annotation's title.
func FleetGitHub(w io.Writer, f *Fleet) error {
	p := &printer{w: w}
	for _, t := range f.Targets {
		if t.Error != "" {
			p.printf("::error title=%s::%s\n", escapeProperty(printable("rbacdrift "+t.Name+": not checked")), escapeData(printable(t.Error)))
			continue
		}
		var b bytes.Buffer
		if err := GitHub(&b, t.reportAt(f.FailOn)); err != nil {
			return err
		}
		p.printf("%s", strings.ReplaceAll(b.String(), "title=rbacdrift ", "title=rbacdrift "+escapeProperty(printable("["+t.Name+"]"))+" "))
	}
	p.printf("%s\n", f.summaryLine())
	return p.err
}
