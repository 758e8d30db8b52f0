package harvest

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"

	"github.com/rbacdrift/rbacdrift/internal/sqllex"
)

// Key is the identity of a statement across harvests: its tokens joined by
// one space, so that white space, comments and a final semicolon do not
// make two statements of one. The normalisation of pg_stat_statements
// (constants as $n) is already applied to the text.
func Key(sql string) string {
	toks, _ := sqllex.Tokenize(sql)
	parts := make([]string, 0, len(toks))
	for _, t := range toks {
		parts = append(parts, t.Raw)
	}
	for len(parts) > 0 && parts[len(parts)-1] == ";" {
		parts = parts[:len(parts)-1]
	}
	return strings.Join(parts, " ")
}

// shortHash is 8 hex digits of the SHA-256 of the statement's key.
func shortHash(sql string) string {
	sum := sha256.Sum256([]byte(Key(sql)))
	return hex.EncodeToString(sum[:4])
}

// Name names a statement: its verb, its main table and a short hash of its
// text, like select_role_permissions_1a2b3c4d. The main table is the one it
// writes (tables[0] when operation is set), else the first of tables that
// its SQL names (after FROM, JOIN, INTO or UPDATE), else the first of tables
// by name; the text decides, not the plan, whose join order may change with
// the data.
func Name(sql, operation string, tables []string) string {
	verb := strings.ToLower(operation)
	if verb == "" {
		verb = strings.ToLower(sqllex.FirstKeyword(sql))
		if verb == "with" || verb == "values" || verb == "table" {
			verb = "select"
		}
	}
	main := ""
	switch {
	case len(tables) == 0:
	case operation != "":
		main = tables[0]
	default:
		main = slices.Min(tables)
		if named := firstNamed(sql, tables); named != "" {
			main = named
		}
	}
	parts := []string{verb}
	if main != "" {
		parts = append(parts, nameWord(main))
	}
	return strings.Join(append(parts, shortHash(sql)), "_")
}

// firstNamed returns the first of tables (bare names) that sql names after
// FROM, JOIN, INTO or UPDATE, schema-qualified or not.
func firstNamed(sql string, tables []string) string {
	toks, _ := sqllex.Tokenize(sql)
	for i := 0; i+1 < len(toks); i++ {
		switch toks[i].Text {
		case "from", "join", "into", "update":
		default:
			continue
		}
		if toks[i].Kind != sqllex.TokIdent {
			continue
		}
		// schema.table or table
		j := i + 1
		if j+2 < len(toks) && toks[j+1].Text == "." {
			j += 2
		}
		if toks[j].Kind != sqllex.TokIdent && toks[j].Kind != sqllex.TokQuoted {
			continue
		}
		for _, t := range tables {
			if toks[j].Text == t {
				return t
			}
		}
	}
	return ""
}

// nameWord keeps the letters, digits and underscores of s, lower-cased, so
// that the name is one a query file takes.
func nameWord(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}
