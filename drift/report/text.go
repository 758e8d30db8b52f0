package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/rbacdrift/rbacdrift/drift"
)

// TextOptions shape the text report.
type TextOptions struct {
	Color bool // ANSI colours; only on a terminal, never with NO_COLOR
}

const (
	red    = "\x1b[31m"
	yellow = "\x1b[33m"
	dim    = "\x1b[2m"
	bold   = "\x1b[1m"
	reset  = "\x1b[0m"
)

// Text writes r for a person: findings grouped by table or query, one line
// each with its hint and the queries it affects below, then a summary line.
// Names and messages are shown [printable].
func Text(w io.Writer, r *Report, opt TextOptions) error {
	r = forPeople(r)
	p := &printer{w: w, color: opt.Color}
	for _, c := range r.RootCauses() {
		p.printf("%s %s\n", p.paint(bold, "root cause:"), c.Sentence())
	}
	t := r.Target
	p.printf("%s %s@%s:%d/%s (PostgreSQL %s%s), model %s\n", p.paint(bold, "rbacdrift:"),
		t.User, t.Host, t.Port, t.Database, shortVersion(t.ServerVersion), standby(t), r.Model)
	subjects, by := r.groups()
	for _, g := range subjects {
		p.printf("\n%s\n", p.paint(bold, g))
		for _, fg := range by[g] {
			f := fg.Finding
			sev := string(f.Severity)
			colour := red
			if f.Severity == drift.Warning {
				colour = yellow
			}
			if f.Suppressed != nil {
				sev, colour = "waived", dim
			}
			where := f.Pos().String()
			p.printf("  %s %-22s %s\n", p.paint(colour, fmt.Sprintf("%-7s", sev)), f.Code, f.Message)
			if len(fg.Schemas) > 0 {
				p.printf("          %s\n", fg.inSchemas(len(r.Checked.Schemas)))
			}
			p.printf("          %s\n", p.paint(dim, "at "+where))
			if f.Hint != "" {
				p.printf("          hint: %s\n", f.Hint)
			}
			if a := affectsLine(f); a != "" {
				p.printf("          %s\n", a)
			}
			if f.ExplainedBy != "" {
				p.printf("          root cause: migration %s has not run\n", strings.TrimPrefix(f.ExplainedBy, "migration:"))
			}
			if f.Suppressed != nil {
				p.printf("          waived: %s%s\n", f.Suppressed.Reason, until(f.Suppressed.Until))
			}
		}
	}
	p.printf("\n%s\n", summaryLine(r))
	return p.err
}

func until(d string) string {
	if d == "" {
		return ""
	}
	return " (until " + d + ")"
}

func standby(t Target) string {
	if !t.InRecovery {
		return ""
	}
	if t.ReplayLagSeconds != nil {
		return fmt.Sprintf(", hot standby %.1fs behind", *t.ReplayLagSeconds)
	}
	return ", hot standby"
}

func shortVersion(v string) string {
	if i := strings.IndexByte(v, ' '); i > 0 {
		return v[:i]
	}
	return v
}

// summaryLine is the last line of the text report.
func summaryLine(r *Report) string {
	s := r.Summary
	what := checkedWords(r.Checked)
	if s.Errors == 0 && s.Warnings == 0 {
		line := "no drift: " + what + " match the model"
		if s.Suppressed > 0 {
			line += fmt.Sprintf(" (%s waived)", plural(s.Suppressed, "finding"))
		}
		return line
	}
	line := fmt.Sprintf("%s, %s in %s", plural(s.Errors, "error"), plural(s.Warnings, "warning"), what)
	if s.Suppressed > 0 {
		line += fmt.Sprintf("; %d waived", s.Suppressed)
	}
	return line
}

func checkedWords(c Checked) string {
	var parts []string
	if c.Tables > 0 || (c.Enums == 0 && c.Queries == 0) {
		parts = append(parts, plural(c.Tables, "table"))
	}
	if c.Enums > 0 {
		parts = append(parts, plural(c.Enums, "enum"))
	}
	if c.Queries > 0 {
		parts = append(parts, plural(c.Queries, "query"))
	}
	var out string
	switch len(parts) {
	case 1:
		out = parts[0]
	case 2:
		out = parts[0] + " and " + parts[1]
	default:
		out = strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
	}
	if n := len(c.Schemas); n > 0 {
		out += " in " + thousands(n) + " " + map[bool]string{true: "schema", false: "schemas"}[n == 1]
	}
	return out
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	if strings.HasSuffix(word, "y") {
		return fmt.Sprintf("%d %sies", n, strings.TrimSuffix(word, "y"))
	}
	return fmt.Sprintf("%d %ss", n, word)
}

type printer struct {
	w     io.Writer
	color bool
	err   error
}

func (p *printer) printf(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, args...)
	}
}

func (p *printer) paint(code, s string) string {
	if !p.color {
		return s
	}
	return code + s + reset
}
