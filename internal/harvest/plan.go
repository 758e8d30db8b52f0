package harvest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/rbacdrift/rbacdrift/internal/explain"
	"github.com/rbacdrift/rbacdrift/internal/pgsession"
	"github.com/rbacdrift/rbacdrift/internal/sqllex"
)

// statementName is the prepared statement a harvested statement is planned
// as; it is closed inside the unit that prepares it.
const statementName = "rbacdrift_harvest"

// setRoleSQL is SET LOCAL ROLE with the role name as a parameter.
const setRoleSQL = "SELECT pg_catalog.set_config('role', $1, true)"

// statementsPerUnit is how many statements share one unit of work
// ([pgsession.Session.Parts]), each a part of its own.
const statementsPerUnit = 50

// A Relation is a relation a plan reads or writes.
type Relation struct {
	Schema, Name string
}

func (r Relation) String() string { return r.Schema + "." + r.Name }

// A Planned is what the server said of one statement.
type Planned struct {
	Relations []Relation // in plan order, once each
	// Modifies is the relation of a ModifyTable node, and Operation its
	// operation (Insert, Update, Delete, Merge); zero for a read.
	Modifies  Relation
	Operation string
	// Err is the server's refusal to prepare or plan it.
	Err *pgconn.PgError
	// AsRole is false when the connecting user could not assume the
	// statement's role and planned it as itself.
	AsRole bool
}

// Plan prepares and plans each statement as its role and reads the
// relations from the plan. The statements of one role share units of work
// of statementsPerUnit parts (one round trip each), a part for each
// statement, so that a statement the server refuses ends its own part
// only: the round trips are ⌈n / statementsPerUnit⌉ per role, whatever
// the refusals. A role the connecting user cannot assume is planned as the
// connecting user (AsRole false). Nothing is executed.
func Plan(ctx context.Context, s *pgsession.Session, stmts []Statement) ([]Planned, error) {
	out := make([]Planned, len(stmts))
	byRole := map[string][]int{}
	var roles []string
	for i, st := range stmts {
		if _, ok := byRole[st.Role]; !ok {
			roles = append(roles, st.Role)
		}
		byRole[st.Role] = append(byRole[st.Role], i)
	}
	for _, role := range roles {
		asRole := role != ""
		for idx := range slices.Chunk(byRole[role], statementsPerUnit) {
			roleErr, err := planUnit(ctx, s, stmts, out, idx, role, asRole)
			if err != nil {
				return nil, fmt.Errorf("planning the harvested statements: %w", err)
			}
			if roleErr {
				// Plan as the connecting user instead, from here on.
				asRole = false
				if _, err := planUnit(ctx, s, stmts, out, idx, role, false); err != nil {
					return nil, fmt.Errorf("planning the harvested statements: %w", err)
				}
			}
		}
	}
	return out, nil
}

// planUnit plans the statements idx in one unit, a part each, as role when
// asRole. roleErr reports that SET ROLE failed; the statements are then
// not planned.
func planUnit(ctx context.Context, s *pgsession.Session, stmts []Statement, out []Planned, idx []int, role string, asRole bool) (roleErr bool, err error) {
	err = s.Parts(ctx, pgsession.UnitOptions{Settings: []string{explain.PlanCacheMode}}, len(idx), func(k int, q *pgsession.Queue) {
		sql := stmts[idx[k]].SQL
		if asRole {
			q.Query(setRoleSQL, role)
		}
		toks, _ := sqllex.Tokenize(sql)
		q.Prepare(statementName, sql, nil)
		q.Query(explain.SQL(statementName, sqllex.MaxParam(toks)))
	}, func(k int, r *pgsession.Results) error {
		p := &out[idx[k]]
		if asRole {
			if _, err := r.Exec(); err != nil {
				var pgErr *pgconn.PgError
				if errors.As(err, &pgErr) {
					roleErr = true
					return errRoleRefused
				}
				return err
			}
		}
		p.AsRole = asRole
		if _, err := r.Prepare(); err != nil {
			return refused(p, err)
		}
		rows, err := r.Query()
		if err != nil {
			return refused(p, err)
		}
		var text strings.Builder
		for rows.Next() {
			if v := rows.RawValues(); len(v) > 0 {
				text.Write(v[0])
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return refused(p, err)
		}
		plan, err := explain.Parse(text.String())
		if err != nil {
			return fmt.Errorf("planning %q: %w", stmts[idx[k]].SQL, err)
		}
		p.Relations = p.Relations[:0]
		for _, rel := range plan.Relations {
			r := Relation{Schema: rel.Schema, Name: rel.Name}
			if !slices.Contains(p.Relations, r) {
				p.Relations = append(p.Relations, r)
			}
		}
		if m, ok := plan.Modifies(); ok {
			p.Modifies, p.Operation = Relation{Schema: m.Schema, Name: m.Name}, m.Operation
		}
		return nil
	})
	if errors.Is(err, errRoleRefused) {
		return true, nil
	}
	return false, err
}

// errRoleRefused ends a unit whose role could not be assumed.
var errRoleRefused = errors.New("the role could not be assumed")

// refused records a server error as p's refusal, which ends its part; any
// other error ends the harvest.
func refused(p *Planned, err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		p.Err = pgErr
		return nil
	}
	return err
}
