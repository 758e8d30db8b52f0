package drift

import "github.com/rbacdrift/rbacdrift/spec"

// Subjects returns the [Finding.Subject] of everything m declares, in model
// order: its tables (public.users), its enums (enum public.permission_scope)
// and its queries (query:resolve_user_permissions). Reports use it to list
// what passed as well as what failed.
func Subjects(m *spec.Model) []string {
	out := make([]string, 0, len(m.Tables)+len(m.Enums)+len(m.Queries))
	for _, t := range m.Tables {
		out = append(out, t.Name.String())
	}
	for _, e := range m.Enums {
		out = append(out, EnumSubject(e.Name))
	}
	for _, q := range m.Queries {
		out = append(out, QuerySubject(q.Name))
	}
	return out
}

// MigrationSubject is the [Finding.Subject] of the findings about the
// application's migrations folder and the tool's history table.
const MigrationSubject = "migrations"

// EnumSubject is the [Finding.Subject] of the findings about enum n.
func EnumSubject(n spec.Name) string { return "enum " + n.String() }

// QuerySubject is the [Finding.Subject] of the findings about the query named name.
func QuerySubject(name string) string { return "query:" + name }
