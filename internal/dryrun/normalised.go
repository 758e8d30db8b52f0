package dryrun

import (
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgtype"
	"github.com/rbacdrift/rbacdrift/drift"
	"github.com/rbacdrift/rbacdrift/internal/sqllex"
)

// Normalised SQL is a statement as pg_stat_statements stores it (and as
// rbacdrift harvest writes it): every constant became $n, with no type the
// driver declares. Most of it plans as it is: $n takes its type from what
// it is compared with, LIMIT $3 is a bigint, $1::int[] says its type, and
// the list PostgreSQL 18 squashes to IN ($1 /*, ... */) is one parameter
// and a comment. What does not:
//
//   - an array of parameters alone, ARRAY[$1, $2] or (squashed)
//     ARRAY[$1 /*, ... */]: the server types an array of unknowns as
//     text[] before it looks at the operator, so role_id = ANY(ARRAY[$1])
//     fails with 42883 where the application's array of integers did not.
//     [genericText] plans it as the one parameter $1, an array the server
//     types from its use (= ANY($1) is an integer[]), written over the same
//     characters so that error positions still point into the query's text;
//     the other parameters of the array are declared text, unused;
//   - a parameter nothing types, like $1 IS NULL (42P18): the statement
//     cannot be planned generically from its text alone. [notGeneric] says
//     so plainly, as a warning: it is not drift, and the driver's declared
//     types (params in the model) would plan it.

// genericText returns the text sent to the server for t and the parameter
// types declared with it: the query as written, unless it has no declared
// params and holds an array of parameters alone (see above).
func genericText(sql string, toks []sqllex.Token, declared []uint32) (string, []uint32) {
	if len(declared) > 0 || !strings.Contains(sql, "$") {
		return sql, declared
	}
	b := []byte(sql)
	var unused []int
	for i := 0; i+3 < len(toks); i++ {
		if toks[i].Kind != sqllex.TokIdent || toks[i].Text != "array" || toks[i+1].Text != "[" || toks[i+2].Kind != sqllex.TokParam {
			continue
		}
		// ARRAY [ $a (, $b)* ]
		j, params := i+3, []int{i + 2}
		for j+1 < len(toks) && toks[j].Text == "," && toks[j+1].Kind == sqllex.TokParam {
			params = append(params, j+1)
			j += 2
		}
		if j >= len(toks) || toks[j].Text != "]" {
			continue
		}
		blank(b, toks[i].Off, toks[i+2].Off)                                  // ARRAY[
		blank(b, toks[params[0]].Off+len(toks[params[0]].Raw), toks[j].Off+1) // , $2 ... ]
		for _, p := range params[1:] {
			unused = append(unused, paramNumber(toks[p].Text))
		}
		i = j
	}
	if string(b) == sql {
		return sql, declared
	}
	n := sqllex.MaxParam(toks)
	oids := make([]uint32, n)
	for _, u := range unused {
		if u >= 1 && u <= n {
			oids[u-1] = pgtype.TextOID
		}
	}
	return string(b), oids
}

// blank writes spaces over b[from:to], keeping line breaks, so that the
// characters after it keep their positions.
func blank(b []byte, from, to int) {
	for k := from; k < to && k < len(b); k++ {
		if b[k] != '\n' {
			b[k] = ' '
		}
	}
}

func paramNumber(p string) int {
	n := 0
	fmt.Sscanf(strings.TrimPrefix(p, "$"), "%d", &n)
	return n
}

// notGeneric is the finding of a query with no declared params whose
// parameter type the server cannot tell from its text (42P18, or 42725 for
// an operator between two unknowns): a warning that says so plainly; nil
// for any other error.
func (r *runner) notGeneric(t *try) *drift.Finding {
	e := t.prepErr
	if e == nil || len(t.q.Params) > 0 || (e.Code != "42P18" && e.Code != "42725") {
		return nil
	}
	f := r.errorFinding(t, e, "prepare")
	f.Severity = drift.Warning
	f.Expected = "the query plans generically"
	f.Message = fmt.Sprintf("%s cannot be planned generically: %s, and the SQL alone does not say it (%s); the dry run could not check it", t.q.Name, lowerFirst(e.Message), e.Code)
	f.Hint = "normalised text (from pg_stat_statements or rbacdrift harvest) has its constants as $n with no type; move the query into the model's queries with the params the driver sends, e.g. params: [integer]"
	return f
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// text is the SQL sent to the server for t.
func (t *try) text() string {
	if t.sent != "" {
		return t.sent
	}
	return t.q.SQL
}
