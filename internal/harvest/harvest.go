package harvest

import (
	"context"
	"sort"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/rbacdrift/rbacdrift/internal/pgsession"
	"github.com/rbacdrift/rbacdrift/internal/sqllex"
	"github.com/rbacdrift/rbacdrift/spec"
)

// A Refused is a statement that names a table of the model but that the
// server would not prepare or plan generically; it is left out of the file.
type Refused struct {
	Statement Statement
	Err       *pgconn.PgError
}

// Select plans stmts on s and returns, named, those whose plans read or
// write a table of m, in the order of stmts; and those that name one of its
// tables but that the server refused to plan. Statements that are not
// plannable (utility statements: SET, BEGIN, SHOW ...), that hold more than
// one statement, or whose plans touch none of the model's tables (a session
// store, a health check) are left out. Statements of the same text sent by
// several roles are counted together, and planned as the role that sent
// them most.
func Select(ctx context.Context, s *pgsession.Session, m *spec.Model, stmts []Statement) ([]Entry, []Refused, error) {
	cands := candidates(stmts)
	planned, err := Plan(ctx, s, cands)
	if err != nil {
		return nil, nil, err
	}
	model := map[Relation]bool{}
	var bare []string
	for _, t := range m.Tables {
		model[Relation{Schema: t.Name.Schema, Name: t.Name.Name}] = true
		bare = append(bare, t.Name.Name)
	}
	var out []Entry
	var refused []Refused
	for i, st := range cands {
		p := planned[i]
		if p.Err != nil {
			if firstNamed(st.SQL, bare) != "" {
				refused = append(refused, Refused{Statement: st, Err: p.Err})
			}
			continue
		}
		var touched []string
		for _, r := range p.Relations {
			if model[r] {
				touched = append(touched, r.Name)
			}
		}
		if len(touched) == 0 {
			continue
		}
		op := p.Operation
		if op != "" && !model[p.Modifies] {
			op = "" // a write to another table; name it by what it reads
		}
		if op != "" {
			touched = append([]string{p.Modifies.Name}, touched...)
		}
		out = append(out, Entry{Name: Name(st.SQL, op, touched), SQL: st.SQL, Role: st.Role, Calls: st.Calls, Rows: st.Rows})
	}
	return out, refused, nil
}

// candidates keeps the plannable single statements of stmts, one per text:
// the counts of one text sent by several roles are added up, and its role is
// the one that sent it most (by name on a tie).
func candidates(stmts []Statement) []Statement {
	type agg struct {
		st    Statement
		calls map[string]int64
	}
	byKey := map[string]*agg{}
	var keys []string
	for _, st := range stmts {
		if !sqllex.IsPlannable(sqllex.FirstKeyword(st.SQL)) {
			continue
		}
		if parts, bad := sqllex.SplitStatements(st.SQL); bad || len(parts) != 1 {
			continue
		}
		k := Key(st.SQL)
		a, ok := byKey[k]
		if !ok {
			a = &agg{st: Statement{SQL: st.SQL}, calls: map[string]int64{}}
			byKey[k] = a
			keys = append(keys, k)
		}
		a.st.Calls += st.Calls
		a.st.Rows += st.Rows
		a.calls[st.Role] += st.Calls
	}
	out := make([]Statement, 0, len(keys))
	for _, k := range keys {
		a := byKey[k]
		roles := make([]string, 0, len(a.calls))
		for r := range a.calls {
			roles = append(roles, r)
		}
		sort.Slice(roles, func(i, j int) bool {
			if a.calls[roles[i]] != a.calls[roles[j]] {
				return a.calls[roles[i]] > a.calls[roles[j]]
			}
			return roles[i] < roles[j]
		})
		a.st.Role = roles[0]
		out = append(out, a.st)
	}
	return out
}
