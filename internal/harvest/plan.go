package harvest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/rbacdrift/rbacdrift/internal/pgsession"
	"github.com/rbacdrift/rbacdrift/internal/sqllex"
)

// statementName is the prepared statement a harvested statement is planned
// as; it is closed inside the unit that prepares it.
const statementName = "rbacdrift_harvest"

const (
	// planCacheMode makes EXPLAIN EXECUTE plan generically, so that the NULL
	// arguments do not fold the filters away; it exists from PostgreSQL 12,
	// where EXPLAIN (GENERIC_PLAN) needs 16.
	planCacheMode = "SET LOCAL plan_cache_mode = force_generic_plan"
	// setRoleSQL is SET LOCAL ROLE with the role name as a parameter.
	setRoleSQL = "SELECT pg_catalog.set_config('role', $1, true)"
)

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

// Plannable reports whether EXPLAIN takes a statement of this first keyword.
func Plannable(keyword string) bool {
	switch keyword {
	case "SELECT", "WITH", "VALUES", "TABLE", "INSERT", "UPDATE", "DELETE", "MERGE":
		return true
	}
	return false
}

// Plan prepares and plans each statement as its role and reads the
// relations from the plan. Statements of one role share a unit of work (one
// round trip); a statement the server refuses ends its unit, and the next
// unit starts after it, so the round trips are one per role plus one per
// refusal. Nothing is executed.
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
		idx := byRole[role]
		asRole := role != ""
		for start := 0; start < len(idx); {
			next, roleErr, err := planBatch(ctx, s, stmts, out, idx[start:], role, asRole)
			if err != nil {
				return nil, err
			}
			if roleErr {
				asRole = false // plan as the connecting user instead
				continue
			}
			start += next
		}
	}
	return out, nil
}

// planBatch plans the statements idx in one unit, as role when asRole, and
// returns how many it dealt with: all, or up to and including the first the
// server refused. roleErr reports that SET ROLE failed.
func planBatch(ctx context.Context, s *pgsession.Session, stmts []Statement, out []Planned, idx []int, role string, asRole bool) (done int, roleErr bool, err error) {
	failed := false
	err = s.Unit(ctx, pgsession.UnitOptions{Settings: []string{planCacheMode}}, func(q *pgsession.Queue) {
		if asRole {
			q.Query(setRoleSQL, role)
		}
		for _, i := range idx {
			q.Prepare(statementName, stmts[i].SQL, nil)
			q.Query(explainSQL(maxParam(stmts[i].SQL)))
			q.Close(statementName)
		}
	}, func(r *pgsession.Results) error {
		if asRole {
			if _, err := r.Exec(); err != nil {
				var pgErr *pgconn.PgError
				if errors.As(err, &pgErr) {
					roleErr = true
					return nil
				}
				return err
			}
		}
		for n, i := range idx {
			out[i].AsRole = asRole
			done = n + 1
			if _, err := r.Prepare(); err != nil {
				return refused(&out[i], err, &failed)
			}
			rows, err := r.Query()
			if err != nil {
				return refused(&out[i], err, &failed)
			}
			var text strings.Builder
			for rows.Next() {
				var line string
				if err := rows.Scan(&line); err != nil {
					rows.Close()
					return err
				}
				text.WriteString(line)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return refused(&out[i], err, &failed)
			}
			if err := readPlan(text.String(), &out[i]); err != nil {
				return fmt.Errorf("planning %q: %w", stmts[i].SQL, err)
			}
			if err := r.CloseStatement(); err != nil {
				return err
			}
		}
		return nil
	})
	var pgErr *pgconn.PgError
	if err != nil && (failed || roleErr) && errors.As(err, &pgErr) {
		err = nil // the refusal is recorded; the unit was rolled back
	}
	if err != nil {
		return 0, false, fmt.Errorf("planning the harvested statements: %w", err)
	}
	return done, roleErr, nil
}

// refused records a server error as p's refusal and ends the batch; any
// other error ends the harvest.
func refused(p *Planned, err error, failed *bool) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		p.Err = pgErr
		*failed = true
		return nil
	}
	return err
}

// explainSQL plans the prepared statement with n NULL arguments.
func explainSQL(n int) string {
	args := ""
	if n > 0 {
		args = "(" + strings.TrimSuffix(strings.Repeat("NULL, ", n), ", ") + ")"
	}
	return "EXPLAIN (VERBOSE, FORMAT JSON) EXECUTE " + statementName + args
}

// maxParam returns the highest $n of sql.
func maxParam(sql string) int {
	toks, _ := sqllex.Tokenize(sql)
	n := 0
	for _, t := range toks {
		if t.Kind == sqllex.TokParam {
			if i, err := strconv.Atoi(strings.TrimPrefix(t.Text, "$")); err == nil {
				n = max(n, i)
			}
		}
	}
	return n
}

// readPlan reads the relations of EXPLAIN (VERBOSE, FORMAT JSON) into p.
func readPlan(text string, p *Planned) error {
	var doc []struct {
		Plan map[string]any `json:"Plan"`
	}
	if err := json.Unmarshal([]byte(text), &doc); err != nil {
		return fmt.Errorf("reading the plan: %w", err)
	}
	seen := map[Relation]bool{}
	var walk func(n map[string]any)
	walk = func(n map[string]any) {
		if name, ok := n["Relation Name"].(string); ok {
			r := Relation{Name: name}
			r.Schema, _ = n["Schema"].(string)
			if n["Node Type"] == "ModifyTable" && p.Operation == "" {
				p.Modifies = r
				p.Operation, _ = n["Operation"].(string)
			}
			if !seen[r] {
				seen[r] = true
				p.Relations = append(p.Relations, r)
			}
		}
		if kids, ok := n["Plans"].([]any); ok {
			for _, k := range kids {
				if m, ok := k.(map[string]any); ok {
					walk(m)
				}
			}
		}
	}
	for _, d := range doc {
		walk(d.Plan)
	}
	return nil
}
