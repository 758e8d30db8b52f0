package check

import (
	"strings"

	"github.com/rbacdrift/rbacdrift/drift"
	"github.com/rbacdrift/rbacdrift/internal/sqllex"
	"github.com/rbacdrift/rbacdrift/spec"
)

// linkQueries sets, on each finding about a table of m or one of its
// columns, the queries of m (declared or harvested) that depend on it
// (Finding.Affects): a query depends on a table its SQL reads or writes
// (named after FROM, JOIN, INTO or UPDATE), and on a column of such a table
// that its SQL names. The SQL is read, not planned, so that a query the
// finding makes fail (a missing column, 42703) is still linked to it.
func linkQueries(m *spec.Model, findings []*drift.Finding) {
	if len(m.Queries) == 0 {
		return
	}
	type use struct {
		name   string
		tables map[string]bool // schema.table
		names  map[string]bool // every name the SQL holds
	}
	uses := make([]use, 0, len(m.Queries))
	for _, q := range m.Queries {
		u := use{name: drift.QuerySubject(q.Name), tables: map[string]bool{}, names: map[string]bool{}}
		toks, _ := sqllex.Tokenize(q.SQL)
		for i, t := range toks {
			if t.Kind != sqllex.TokIdent && t.Kind != sqllex.TokQuoted {
				continue
			}
			u.names[t.Text] = true
			if t.Kind != sqllex.TokIdent || i+1 >= len(toks) {
				continue
			}
			switch t.Text {
			case "from", "join", "into", "update":
			default:
				continue
			}
			if n := toks[i+1]; n.Kind == sqllex.TokIdent || n.Kind == sqllex.TokQuoted {
				if i+3 < len(toks) && toks[i+2].Text == "." {
					u.tables[n.Text+"."+toks[i+3].Text] = true
				} else {
					u.tables[m.Schema+"."+n.Text] = true
				}
			}
		}
		uses = append(uses, u)
	}
	for _, f := range findings {
		if f.Subject == "" || f.Subject == drift.MigrationSubject || strings.HasPrefix(f.Subject, drift.QuerySubject("")) {
			continue
		}
		column := ""
		if f.Object != f.Subject {
			rest, ok := strings.CutPrefix(f.Object, f.Subject+".")
			if !ok {
				continue
			}
			column = rest
		}
		for _, u := range uses {
			if u.tables[f.Subject] && (column == "" || u.names[column]) {
				f.Affects = append(f.Affects, u.name)
			}
		}
	}
}
