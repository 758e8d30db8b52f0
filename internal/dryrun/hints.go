package dryrun

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/rbacdrift/rbacdrift/internal/sqllex"
	"github.com/rbacdrift/rbacdrift/introspect/catalog"
	"github.com/rbacdrift/rbacdrift/spec"
)

// explain says what the catalog shows about a server error: the layout a
// migration should have replaced, a table in another schema, the types
// either side of a comparison. Nil when it shows nothing more.
func (r *runner) explain(t *try, e *pgconn.PgError) []string {
	switch e.Code {
	case "42703":
		return r.explainColumn(t, e)
	case "42P01":
		return r.explainRelation(t, e)
	case "42883":
		return r.explainOperator(t, e)
	case "42P10":
		return r.explainOnConflict(t)
	case "42P18":
		return []string{"declare the parameter types the driver sends (params), so the server need not guess"}
	case "25006":
		return []string{"the statement writes (itself, or through a function or trigger it calls): the dry run executes only read-only samples; remove the sample"}
	case "57014":
		return []string{"the query ran past statement_timeout; raise the check's timeout, or look for a missing index or a lock"}
	case "55P03":
		return r.explainLock(e)
	}
	return nil
}

var (
	undefinedColumnRE   = regexp.MustCompile(`^column "?([^" ]+?)"?(?: of relation "([^"]+)")? does not exist$`)
	undefinedRelationRE = regexp.MustCompile(`^relation "([^"]+)" does not exist$`)
	operatorRE          = regexp.MustCompile(`^operator does not exist: (.+)$`)
)

func missingRelation(msg string) (string, bool) {
	m := undefinedRelationRE.FindStringSubmatch(msg)
	if m == nil {
		return "", false
	}
	return m[1], true
}

// live returns the catalog relation and the model table a dotted table name
// of the query stands for.
func (r *runner) live(c chain) (*catalog.Relation, *spec.Table) {
	want := catalog.Name{Schema: r.in.Model.Schema, Name: c.parts[len(c.parts)-1]}
	if len(c.parts) == 2 {
		want.Schema = c.parts[0]
	}
	var table *spec.Table
	for _, t := range r.in.Model.Tables {
		if t.Name.Schema == want.Schema && t.Name.Name == want.Name {
			table = t
		}
	}
	if r.in.Catalog == nil {
		return nil, table
	}
	return r.in.Catalog.Relations[want], table
}

func (r *runner) explainColumn(t *try, e *pgconn.PgError) []string {
	m := undefinedColumnRE.FindStringSubmatch(e.Message)
	if m == nil {
		return nil
	}
	col, qual := m[1], m[2]
	if i := strings.LastIndexByte(col, '.'); i >= 0 {
		qual, col = col[:i], col[i+1:]
	}
	var tables []chain
	if qual != "" {
		if c, ok := t.sql.aliases[strings.ToLower(qual)]; ok {
			tables = append(tables, c)
		}
	} else {
		tables = t.sql.tables
	}
	for _, c := range tables {
		rel, table := r.live(c)
		if rel == nil || rel.Column(col) != nil {
			continue
		}
		var legacy []string
		if table != nil {
			for _, fc := range table.ForbiddenColumns {
				if rel.Column(fc.Column) != nil {
					legacy = append(legacy, fc.Column)
				}
			}
		}
		name := rel.Name.String()
		if len(legacy) > 0 {
			return []string{fmt.Sprintf("%s still has the legacy layout (%s) instead of %s: the migration that introduces %s has not run on this database",
				name, strings.Join(legacy, ", "), col, col)}
		}
		cols := make([]string, len(rel.Columns))
		for i, c := range rel.Columns {
			cols[i] = c.Name
		}
		hint := fmt.Sprintf("%s has no column %s; its columns are (%s)", name, col, strings.Join(cols, ", "))
		if table != nil && declares(table, col) {
			hint += fmt.Sprintf(": the migration that adds %s.%s has not run on this database, or it was renamed", name, col)
		}
		return []string{hint}
	}
	return nil
}

func declares(t *spec.Table, col string) bool {
	for _, c := range t.Columns {
		if c.Name == col {
			return true
		}
	}
	return false
}

func (r *runner) explainRelation(t *try, e *pgconn.PgError) []string {
	name, ok := missingRelation(e.Message)
	if !ok {
		return nil
	}
	parts := strings.Split(name, ".")
	bare := parts[len(parts)-1]
	var hints []string
	if others := t.facts.Elsewhere[bare]; len(others) > 0 {
		where := make([]string, len(others))
		for i, o := range others {
			where[i] = o.String()
		}
		path := ""
		if r.in.Catalog != nil {
			path = fmt.Sprintf(" (%s here)", r.in.Catalog.Server.SearchPath)
		}
		hints = append(hints, fmt.Sprintf("a relation called %s exists as %s: it was moved to another schema, or the application's search_path%s does not reach it; move it back (ALTER TABLE ... SET SCHEMA) or qualify the name",
			bare, strings.Join(where, ", "), path))
	}
	for _, tb := range r.in.Model.Tables {
		if tb.Name.Name == bare && (len(parts) == 1 || tb.Name.Schema == parts[0]) {
			hints = append(hints, fmt.Sprintf("the model declares %s: the migration that creates it has not run on this database", tb.Name))
			break
		}
	}
	if len(hints) == 0 {
		hints = append(hints, fmt.Sprintf("no relation called %s in any schema: the migration that creates it has not run, or the query names the wrong table", bare))
	}
	return hints
}

// explainOperator names what stands either side of a comparison the server
// cannot make: uuid = integer in a join, bigint = text against a parameter.
func (r *runner) explainOperator(t *try, e *pgconn.PgError) []string {
	m := operatorRE.FindStringSubmatch(e.Message)
	if m == nil || e.Position <= 0 {
		return nil
	}
	i := t.sql.tokenAt(int(e.Position) - 1)
	if i < 0 || t.sql.toks[i].Kind != sqllex.TokOther {
		return nil
	}
	op := t.sql.toks[i].Text
	lt, rt, ok := strings.Cut(m[1], " "+op+" ")
	if !ok {
		return nil
	}
	left, lparam := r.operand(t, i-1, true)
	right, rparam := r.operand(t, i+1, false)
	if left == "" || right == "" {
		return nil
	}
	hint := fmt.Sprintf("%s is %s and %s is %s: PostgreSQL has no %s operator for them", left, lt, right, rt, op)
	switch {
	case lparam || rparam:
		hint += "; the column changed type while the application still sends the old one"
	default:
		hint += "; a migration changed the type of one side and not the other: give both columns the same type (ALTER TABLE ... ALTER COLUMN ... TYPE), or cast in the query"
	}
	return []string{hint}
}

// operand describes the operand that ends (before) or starts (after) at
// token i: a parameter, or a column and the table it belongs to.
func (r *runner) operand(t *try, i int, before bool) (string, bool) {
	toks := t.sql.toks
	if i < 0 || i >= len(toks) {
		return "", false
	}
	if toks[i].Kind == sqllex.TokParam {
		n := 0
		fmt.Sscanf(toks[i].Text, "$%d", &n)
		if n >= 1 && n <= len(t.q.Params) {
			return fmt.Sprintf("%s (sent as %s)", toks[i].Text, t.q.Params[n-1]), true
		}
		return toks[i].Text, true
	}
	var c chain
	var ok bool
	if before {
		c, ok = chainEndingAt(toks, i)
	} else {
		c, ok = chainAt(toks, i)
	}
	if !ok || len(c.parts) > 3 {
		return "", false
	}
	col := c.parts[len(c.parts)-1]
	var tables []chain
	if len(c.parts) >= 2 {
		if tc, ok := t.sql.aliases[c.parts[len(c.parts)-2]]; ok {
			tables = append(tables, tc)
		}
	} else {
		tables = t.sql.tables
	}
	for _, tc := range tables {
		if rel, _ := r.live(tc); rel != nil && rel.Column(col) != nil {
			return fmt.Sprintf("%s (%s.%s)", c.raw, rel.Name, col), false
		}
	}
	return c.raw, false
}

func (r *runner) explainOnConflict(t *try) []string {
	cols := t.sql.onConflictTarget()
	target, ok := t.sql.insertTarget()
	if !ok || len(cols) == 0 {
		return []string{"no unique index or constraint matches the ON CONFLICT target: the migration that adds it has not run"}
	}
	return []string{fmt.Sprintf("no unique index or constraint on %s (%s) matches the ON CONFLICT target: the migration that adds it has not run (ALTER TABLE %s ADD UNIQUE (%s))",
		target.raw, strings.Join(cols, ", "), target.raw, strings.Join(cols, ", "))}
}
