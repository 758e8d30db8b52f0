package drift

import (
	"regexp"
	"slices"
	"strings"
)

var (
	castRE  = regexp.MustCompile(`::\s*(?:(?:"[^"]+"|[a-z_][a-z0-9_]*)\.)?(?:"[^"]+"|[a-z_][a-z0-9_]*)(?:\s+(?:varying|precision|with(?:out)?\s+time\s+zone))?(?:\s*\(\s*\d+(?:\s*,\s*\d+)?\s*\))?(?:\[\])*`)
	spaceRE = regexp.MustCompile(`\s+`)
	// punctSpace drops the space next to parentheses and commas; built once,
	// as a Replacer is costly to build and normExpr runs per default and
	// index column.
	punctSpace = strings.NewReplacer("( ", "(", " )", ")", " ,", ",", ", ", ",")
)

// sameExpr reports whether a declared SQL expression (a default, an index
// expression, a predicate) says what the server's rendering says. The server
// adds explicit casts ('global'::text, nextval('s'::regclass)) and may change
// case and spacing; those differences do not count.
func sameExpr(declared, live string) bool {
	return normExpr(declared) == normExpr(live)
}

func normExpr(s string) string {
	var b strings.Builder
	// Lower-case outside string literals and quoted names.
	inStr, inIdent := false, false
	for _, r := range strings.TrimSpace(s) {
		switch {
		case r == '\'' && !inIdent:
			inStr = !inStr
		case r == '"' && !inStr:
			inIdent = !inIdent
		case !inStr && !inIdent && r >= 'A' && r <= 'Z':
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	out := castRE.ReplaceAllString(b.String(), "")
	out = spaceRE.ReplaceAllString(out, " ")
	out = punctSpace.Replace(out)
	for strings.HasPrefix(out, "(") && strings.HasSuffix(out, ")") && balanced(out[1:len(out)-1]) {
		out = out[1 : len(out)-1]
	}
	return out
}

func balanced(s string) bool {
	depth := 0
	for _, r := range s {
		switch r {
		case '(':
			depth++
		case ')':
			depth--
			if depth < 0 {
				return false
			}
		}
	}
	return depth == 0
}

// sameSet reports whether a and b hold the same strings, in any order.
func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}

// list renders column names as (a, b).
func list(cols []string) string { return "(" + strings.Join(cols, ", ") + ")" }
