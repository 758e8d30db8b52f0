package report

import (
	"cmp"
	"io"
	"strings"

	"github.com/rbacdrift/rbacdrift/drift"
)

// MarkdownMarker is the first line of the Markdown report, an HTML comment
// that a CI script can look for to update its earlier pull-request comment
// instead of adding one per run.
const MarkdownMarker = "<!-- rbacdrift report -->"

// Markdown writes r as GitHub-flavoured Markdown, fit for a pull-request
// comment or a CI job summary: a headline, a table with one row per checked
// subject (passing ones too), then the findings of each subject with their
// position, expected and actual values, hint, and waiver.
func Markdown(w io.Writer, r *Report) error {
	r = forPeople(r)
	p := &printer{w: w}
	failOn := cmp.Or(r.FailOn, FailOnError)
	icon := ":white_check_mark:"
	switch {
	case r.Failed():
		icon = ":x:"
	case r.Summary.Errors+r.Summary.Warnings > 0:
		icon = ":warning:"
	}
	p.printf("%s\n## %s rbacdrift: %s\n\n", MarkdownMarker, icon, mdText(summaryLine(r)))
	for _, c := range r.RootCauses() {
		p.printf("**Root cause:** %s\n\n", mdText(c.Sentence()))
	}
	t := r.Target
	p.printf("Model %s checked against %s (PostgreSQL %s%s). ", mdCode(r.Model), mdCode(t.String()), mdText(shortVersion(t.ServerVersion)), mdText(standby(t)))
	if r.Failed() {
		p.printf("The run **fails** at `--fail-on %s`.\n\n", failOn)
	} else {
		p.printf("The run passes at `--fail-on %s`.\n\n", failOn)
	}

	if len(r.Checked.Schemas) > 0 {
		markdownTenants(p, r)
		return p.err
	}
	by := r.bySubject()
	subjects := r.subjects()
	p.printf("| | subject | errors | warnings | waived |\n|---|---|--:|--:|--:|\n")
	for _, s := range subjects {
		sum := drift.Summarize(by[s])
		p.printf("| %s | %s | %d | %d | %d |\n", subjectIcon(r, by[s]), mdCell(s), sum.Errors, sum.Warnings, sum.Suppressed)
	}
	if len(r.Findings) == 0 {
		return p.err
	}
	p.printf("\n### Findings\n")
	for _, s := range subjects {
		if len(by[s]) == 0 {
			continue
		}
		p.printf("\n#### %s\n\n", mdCode(s))
		for _, f := range by[s] {
			markdownFinding(p, r, &group{Finding: f})
		}
	}
	return p.err
}

// markdownFinding writes one finding, or one group of tenant findings.
func markdownFinding(p *printer, r *Report, g *group) {
	f := g.Finding
	sev := string(f.Severity)
	if f.Suppressed != nil {
		sev = "waived " + sev
	}
	p.printf("- %s **%s** %s on %s at %s  \n", findingIcon(r, f), sev, mdCode(string(f.Code)), mdCode(f.Object), mdCode(f.Pos().String()))
	p.printf("  %s", mdText(f.Message))
	if len(g.Schemas) > 0 {
		p.printf("  \n  %s", mdText(g.inSchemas(len(r.Checked.Schemas))))
	}
	if f.Expected != "" || f.Actual != "" {
		p.printf("  \n  expected %s, found %s", mdCode(f.Expected), mdCode(f.Actual))
	}
	if f.SQLState != "" {
		p.printf("  \n  SQLSTATE %s", mdCode(f.SQLState))
	}
	if f.Hint != "" {
		p.printf("  \n  **hint:** %s", mdText(f.Hint))
	}
	if len(f.Affects) > 0 {
		p.printf("  \n  **affects:** %s", mdText(strings.TrimPrefix(affectsLine(f), "affects: ")))
	}
	if sup := f.Suppressed; sup != nil {
		p.printf("  \n  **waived:** %s", mdText(sup.Reason+until(sup.Until)))
	}
	p.printf("\n")
}

// markdownTenants writes the table and findings of a check in many tenant
// schemas: one row per subject of the model, with the number of schemas
// where it drifts, and each drift once with the schemas that have it.
func markdownTenants(p *printer, r *Report) {
	subjects, by := r.groups()
	drifting := map[string]map[string]bool{}
	for _, f := range r.Findings {
		if f.Suppressed != nil || f.Schema == "" {
			continue
		}
		gs := genericSubject(f.Subject, f.Schema)
		if drifting[gs] == nil {
			drifting[gs] = map[string]bool{}
		}
		drifting[gs][f.Schema] = true
	}
	total := len(r.Checked.Schemas)
	p.printf("| | subject | schemas with drift | errors | warnings | waived |\n|---|---|--:|--:|--:|--:|\n")
	var all []string
	seen := map[string]bool{}
	for _, s := range append(r.subjects(), subjects...) {
		g := s
		for _, sc := range r.Checked.Schemas {
			if gs := genericSubject(s, sc); gs != s {
				g = gs
				break
			}
		}
		if !seen[g] {
			seen[g] = true
			all = append(all, g)
		}
	}
	for _, s := range all {
		var fs []*drift.Finding
		for _, g := range by[s] {
			for range max(len(g.Schemas), 1) {
				fs = append(fs, g.Finding)
			}
		}
		sum := drift.Summarize(fs)
		p.printf("| %s | %s | %s of %s | %d | %d | %d |\n", subjectIcon(r, fs), mdCell(s), thousands(len(drifting[s])), thousands(total), sum.Errors, sum.Warnings, sum.Suppressed)
	}
	if len(r.Findings) == 0 {
		return
	}
	p.printf("\n### Findings\n")
	for _, s := range subjects {
		p.printf("\n#### %s\n\n", mdCode(s))
		for _, g := range by[s] {
			markdownFinding(p, r, g)
		}
	}
}

// genericSubject is a tenant finding's subject without its schema.
func genericSubject(subject, schema string) string {
	return strings.NewReplacer(schema+".", "", drift.QuoteIdent(schema)+".", "").Replace(subject)
}

// subjectIcon says how a subject fares: fails the run, has findings that do
// not, or passes.
func subjectIcon(r *Report, fs []*drift.Finding) string {
	icon := ":white_check_mark:"
	for _, f := range fs {
		switch {
		case r.FailOn.Fails(f):
			return ":x:"
		case f.Suppressed == nil:
			icon = ":warning:"
		}
	}
	return icon
}

func findingIcon(r *Report, f *drift.Finding) string {
	switch {
	case f.Suppressed != nil:
		return ":zzz:"
	case r.FailOn.Fails(f):
		return ":x:"
	}
	return ":warning:"
}

// mdText escapes s for Markdown prose: the characters that would start
// emphasis, code, links, HTML or a table cell are backslash-escaped, and line
// breaks become spaces.
func mdText(s string) string {
	var b strings.Builder
	for _, c := range strings.Join(strings.Fields(s), " ") {
		if strings.ContainsRune("\\`*_[]<>|~#!&", c) {
			b.WriteByte('\\')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// mdCode renders s as a code span, with a fence long enough for the
// backticks s holds.
func mdCode(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return "*empty*"
	}
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + s + fence
}

// mdCell renders s as a code span in a table cell, where a pipe, even in
// code, ends the cell unless escaped.
func mdCell(s string) string { return strings.ReplaceAll(mdCode(s), "|", `\|`) }
