package report

import (
	"fmt"
	"strings"

	"github.com/rbacdrift/rbacdrift/drift"
)

// A group is one finding as a report shows it: on its own, or, when one
// model is checked in many tenant schemas, the same drift in every schema
// that has it, told once with the schemas listed.
type group struct {
	// Finding is the finding, or for tenants a copy with the schema left
	// out of its object, subject, message and hint.
	Finding *drift.Finding
	// Schemas are the tenant schemas that have it; empty for one schema.
	Schemas []string
}

// maxSchemasListed is how many schemas a summary line names.
const maxSchemasListed = 5

// inSchemas says where a tenant finding is: in 7 of 1,000 schemas:
// tenant_017, tenant_101, ... and 2 more.
func (g *group) inSchemas(total int) string {
	names := g.Schemas
	more := ""
	if len(names) > maxSchemasListed {
		more = fmt.Sprintf(" and %d more", len(names)-maxSchemasListed)
		names = names[:maxSchemasListed]
	}
	return fmt.Sprintf("in %s of %s schemas: %s%s", thousands(len(g.Schemas)), thousands(total), strings.Join(names, ", "), more)
}

// groups returns the report's findings grouped by subject, in order. For
// tenants, identical drift (the same code, object, message and hint, once
// the schema is left out) is one group with its schemas, under the subject
// without its schema.
func (r *Report) groups() ([]string, map[string][]*group) {
	var subjects []string
	by := map[string][]*group{}
	index := map[string]*group{}
	for _, f := range r.Findings {
		g := &group{Finding: f}
		if f.Schema != "" {
			c := *f
			strip := strings.NewReplacer(f.Schema+".", "", drift.QuoteIdent(f.Schema)+".", "")
			c.Subject, c.Object, c.Message, c.Hint = strip.Replace(c.Subject), strip.Replace(c.Object), strip.Replace(c.Message), strip.Replace(c.Hint)
			c.Expected, c.Actual = strip.Replace(c.Expected), strip.Replace(c.Actual)
			key := strings.Join([]string{c.Subject, string(c.Code), string(c.Severity), c.Object, c.Message, c.Hint, fmt.Sprint(c.Suppressed != nil)}, "\x00")
			if have := index[key]; have != nil {
				have.Schemas = append(have.Schemas, f.Schema)
				continue
			}
			g = &group{Finding: &c, Schemas: []string{f.Schema}}
			index[key] = g
		}
		s := g.Finding.Subject
		if by[s] == nil {
			subjects = append(subjects, s)
		}
		by[s] = append(by[s], g)
	}
	return subjects, by
}

// thousands renders n with commas: 1,000.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
