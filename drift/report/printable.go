package report

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/rbacdrift/rbacdrift/drift"
)

// Names and messages in a report come from the catalog (a column may be
// named anything, escape sequences included), from the server's error
// messages and from the model. The formats people read (text, Markdown,
// GitHub workflow commands, JUnit) show them through [printable], so that a
// name cannot clear a terminal, move its cursor, start a line that fakes
// "no drift", or reorder what follows it. JSON and SARIF escape them as
// JSON does.

// printable returns s fit for one line of a terminal or a CI log: line
// breaks become spaces, and the other control characters (C0 but the tab,
// DEL, C1), the Unicode controls that reorder text (bidirectional
// embeddings, overrides and isolates) and invalid UTF-8 are shown escaped,
// \x1b, \u202e, \xff.
func printable(s string) string {
	clean := true
	for _, c := range s {
		if c == utf8.RuneError || c != '\t' && (c < 0x20 || c >= 0x7f && c <= 0x9f || reorders(c) || c == 0x2028 || c == 0x2029) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		c, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case c == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case c == '\n' || c == '\r' || c == 0x2028 || c == 0x2029:
			b.WriteByte(' ')
		case c == '\t':
			b.WriteRune(c)
		case c < 0x20 || c >= 0x7f && c <= 0x9f:
			fmt.Fprintf(&b, `\x%02x`, c)
		case reorders(c):
			fmt.Fprintf(&b, `\u%04x`, c)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// reorders reports whether c is a Unicode control that changes the display
// order of the text around it.
func reorders(c rune) bool {
	return c == 0x200e || c == 0x200f || c >= 0x202a && c <= 0x202e || c >= 0x2066 && c <= 0x2069 || c == 0x061c
}

// forPeople returns a copy of r whose every text is [printable]; r is left
// as it is.
func forPeople(r *Report) *Report {
	c := *r
	c.Model = printable(r.Model)
	t := &c.Target
	t.Host, t.Database, t.User, t.ServerVersion, t.StartupSettings = printable(t.Host), printable(t.Database), printable(t.User), printable(t.ServerVersion), printable(t.StartupSettings)
	c.Checked.Schemas = printables(r.Checked.Schemas)
	c.Checked.Subjects = printables(r.Checked.Subjects)
	c.Findings = make([]*drift.Finding, len(r.Findings))
	for i, f := range r.Findings {
		g := *f
		g.Code = drift.Code(printable(string(f.Code)))
		g.Object, g.Expected, g.Actual, g.Message, g.Hint = printable(f.Object), printable(f.Expected), printable(f.Actual), printable(f.Message), printable(f.Hint)
		g.File, g.SQLState, g.Subject, g.Schema, g.ExplainedBy = printable(f.File), printable(f.SQLState), printable(f.Subject), printable(f.Schema), printable(f.ExplainedBy)
		g.Affects = printables(f.Affects)
		if s := f.Suppressed; s != nil {
			g.Suppressed = &drift.Suppression{Reason: printable(s.Reason), Until: printable(s.Until), File: printable(s.File), Line: s.Line}
		}
		c.Findings[i] = &g
	}
	return &c
}

func printables(ss []string) []string {
	if ss == nil {
		return nil
	}
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = printable(s)
	}
	return out
}

// maxAffectsListed is how many queries the affects line of a finding names
// before "and N more".
const maxAffectsListed = 5

// affectsLine is the line under a finding that names the queries depending
// on it, "affects: query:a, query:b and 3 more"; "" when none does.
func affectsLine(f *drift.Finding) string {
	if len(f.Affects) == 0 {
		return ""
	}
	names := f.Affects
	more := ""
	if len(names) > maxAffectsListed {
		names, more = names[:maxAffectsListed], fmt.Sprintf(" and %d more", len(f.Affects)-maxAffectsListed)
	}
	return "affects: " + strings.Join(names, ", ") + more
}
