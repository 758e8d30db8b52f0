package drift

import (
	"strings"

	"github.com/rbacdrift/rbacdrift/introspect/catalog"
	"github.com/rbacdrift/rbacdrift/spec"
)

// QuoteIdent quotes a name for the SQL in hints, only where it must be:
// user, "UserRoles" and "my.table" are quoted, role_permissions is not.
func QuoteIdent(s string) string {
	if s != "" && strings.ToLower(s) == s && !reserved[s] && strings.IndexFunc(s, func(r rune) bool {
		return !(r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	}) < 0 && !(s[0] >= '0' && s[0] <= '9') {
		return s
	}
	return `"` + strings.ReplaceAll(strings.ReplaceAll(s, "\x00", ""), `"`, `""`) + `"`
}

// QuoteName renders a relation for the SQL in hints, leaving out public.
func QuoteName(n spec.Name) string {
	if n.Schema == "public" || n.Schema == "" {
		return QuoteIdent(n.Name)
	}
	return QuoteIdent(n.Schema) + "." + QuoteIdent(n.Name)
}

func quoteList(cols []string) string {
	q := make([]string, len(cols))
	for i, c := range cols {
		q[i] = QuoteIdent(c)
	}
	return "(" + strings.Join(q, ", ") + ")"
}

// quoteKeys renders an index's keys for CREATE INDEX: a column of r as a
// quoted identifier, anything else (an expression such as lower(email)) in
// parentheses, as the statement wants an expression.
func quoteKeys(r *catalog.Relation, keys []string) string {
	q := make([]string, len(keys))
	for i, k := range keys {
		if r.Column(k) != nil || !strings.ContainsAny(k, "()+-*/|:' ") {
			q[i] = QuoteIdent(k)
		} else if wrapped(k) {
			q[i] = k
		} else {
			q[i] = "(" + k + ")"
		}
	}
	return "(" + strings.Join(q, ", ") + ")"
}

// QuoteLiteral quotes s as an SQL string literal.
func QuoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func quoteLabels(labels []string) string {
	q := make([]string, len(labels))
	for i, l := range labels {
		q[i] = QuoteLiteral(l)
	}
	return "(" + strings.Join(q, ", ") + ")"
}

// reserved holds the keywords that must be quoted as names (a small set that
// RBAC schemas meet: user, group, order, role is not reserved).
var reserved = map[string]bool{"user": true, "group": true, "order": true, "table": true, "select": true,
	"grant": true, "check": true, "default": true, "limit": true, "all": true, "from": true, "where": true,
	"primary": true, "references": true, "to": true, "using": true, "column": true, "constraint": true}

// wrapped reports whether s is one parenthesised expression: its first
// parenthesis closes at its end. (Parentheses inside string literals are
// counted too; at worst the key gets a second pair.)
func wrapped(s string) bool {
	if !strings.HasPrefix(s, "(") {
		return false
	}
	depth := 0
	for i, r := range s {
		switch r {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return i == len(s)-1
			}
		}
	}
	return false
}
