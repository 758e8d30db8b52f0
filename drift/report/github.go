package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/rbacdrift/rbacdrift/drift"
)

// GitHub writes r as GitHub Actions workflow commands: one ::error or
// ::warning annotation per finding, at its file, line and column, so that
// findings show on the pull request's changed files and in the run's
// summary; a waived finding is a ::notice that names the waiver's reason.
// Lines that are not commands (the header and the summary line) show in the
// log as they are.
//
// The Markdown job summary is the [Markdown] report, which the command
// appends to $GITHUB_STEP_SUMMARY.
func GitHub(w io.Writer, r *Report) error {
	r = forPeople(r)
	p := &printer{w: w}
	for _, c := range r.RootCauses() {
		props := "title=" + escapeProperty("rbacdrift root cause")
		if c.Finding.File != "" {
			props = "file=" + escapeProperty(c.Finding.File) + "," + props
		}
		p.printf("::error %s::%s\n", props, escapeData("root cause: "+c.Sentence()))
	}
	t := r.Target
	p.printf("rbacdrift: %s (PostgreSQL %s%s), model %s\n", t, shortVersion(t.ServerVersion), standby(t), r.Model)
	for _, f := range r.Findings {
		cmd, title := "error", "rbacdrift "+f.Code
		if f.Severity == drift.Warning {
			cmd = "warning"
		}
		msg := f.Object + ": " + f.Message
		if f.Hint != "" {
			msg += "\nhint: " + f.Hint
		}
		if a := affectsLine(f); a != "" {
			msg += "\n" + a
		}
		if s := f.Suppressed; s != nil {
			cmd, title = "notice", title+" (waived)"
			msg += "\nwaived: " + s.Reason + until(s.Until)
		}
		var props []string
		if f.File != "" {
			props = append(props, "file="+escapeProperty(f.File))
			if f.Line > 0 {
				props = append(props, fmt.Sprintf("line=%d", f.Line))
				if f.Column > 0 {
					props = append(props, fmt.Sprintf("col=%d", f.Column))
				}
			}
		}
		props = append(props, "title="+escapeProperty(string(title)))
		p.printf("::%s %s::%s\n", cmd, strings.Join(props, ","), escapeData(msg))
	}
	p.printf("%s\n", summaryLine(r))
	return p.err
}

// escapeData escapes the message of a workflow command, as the Actions
// toolkit does (toolkit/packages/core/src/command.ts).
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// escapeProperty escapes a property value of a workflow command: the message
// escapes, and the comma and colon that separate properties.
func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
