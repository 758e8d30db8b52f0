package introspect

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/rbacdrift/rbacdrift/internal/pgsession"
	"github.com/rbacdrift/rbacdrift/introspect/catalog"
)

// serialTypes are the CREATE TABLE shorthands that are not types: PostgreSQL's
// parser rewrites them to an integer type with a sequence default.
var serialTypes = map[string]string{
	"serial": "integer", "serial4": "integer",
	"bigserial": "bigint", "serial8": "bigint",
	"smallserial": "smallint", "serial2": "smallint",
}

// ResolveTypes asks the server what each declared type name means, without
// keeping an alias table: it describes (never executes) SELECT $1::t1, $2::t2 ...
// The parameter types give the OIDs (a domain stays a domain) and the result
// columns give the modifiers (varchar(64) is 68). Names the server does not
// know come back in unknown with its message. The names must have passed
// spec.ValidTypeName, so they are words, digits and brackets only.
func ResolveTypes(ctx context.Context, conn *pgsession.Session, names []string) (known map[string]catalog.Type, unknown map[string]string, err error) {
	known, unknown = map[string]catalog.Type{}, map[string]string{}
	todo := []string{}
	seen := map[string]bool{}
	for _, n := range names {
		if !seen[n] {
			seen[n] = true
			todo = append(todo, n)
		}
	}
	for len(todo) > 0 {
		var sql strings.Builder
		sql.WriteString("SELECT ")
		starts := make([]int, len(todo)) // character offset of each cast in sql
		for i, n := range todo {
			if i > 0 {
				sql.WriteString(", ")
			}
			starts[i] = utf8.RuneCountInString(sql.String())
			fmt.Fprintf(&sql, "$%d::%s", i+1, castable(n))
		}
		var sd *pgconn.StatementDescription
		perr := conn.Unit(ctx, pgsession.UnitOptions{}, func(q *pgsession.Queue) { q.Prepare("", sql.String(), nil) }, func(r *pgsession.Results) error {
			var err error
			sd, err = r.Prepare()
			return err
		})
		if perr == nil {
			for i, n := range todo {
				t := catalog.Type{OID: sd.ParamOIDs[i], TypMod: sd.Fields[i].TypeModifier}
				if sd.Fields[i].DataTypeOID != t.OID {
					t.TypMod = -1 // a domain: its columns carry no modifier of their own
				}
				known[n] = t
			}
			return known, unknown, nil
		}
		var pgErr *pgconn.PgError
		if !errors.As(perr, &pgErr) || pgErr.Position == 0 {
			return nil, nil, fmt.Errorf("resolving declared types: %w", perr)
		}
		// The error points into the statement: the cast it points at is the culprit.
		bad := 0
		for i := range todo {
			if int(pgErr.Position)-1 >= starts[i] {
				bad = i
			}
		}
		unknown[todo[bad]] = pgErr.Message
		todo = append(todo[:bad], todo[bad+1:]...)
	}
	return known, unknown, nil
}

func castable(name string) string {
	if t, ok := serialTypes[strings.ToLower(strings.TrimSpace(name))]; ok {
		return t
	}
	return name
}
