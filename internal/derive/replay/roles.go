package replay

import "github.com/rbacdrift/rbacdrift/internal/sqllex"

// roleNames reads the roles that sql names, statement by statement: the
// grantees of GRANT ... TO and REVOKE ... FROM (and both sides of a role
// membership grant), the roles of CREATE POLICY ... TO, of OWNER TO and of
// AUTHORIZATION; and, apart, the roles it creates (CREATE ROLE, CREATE
// USER). Statements inside function bodies and DO blocks are not read.
func roleNames(sql string) (named, created []string) {
	toks, _ := sqllex.Tokenize(sql)
	start := 0
	for i := 0; i <= len(toks); i++ {
		if i < len(toks) && !(toks[i].Kind == sqllex.TokOther && toks[i].Text == ";") {
			continue
		}
		n, c := statementRoles(toks[start:i])
		named, created = append(named, n...), append(created, c...)
		start = i + 1
	}
	return named, created
}

func isWord(t sqllex.Token, w string) bool { return t.Kind == sqllex.TokIdent && t.Text == w }

func isName(t sqllex.Token) bool { return t.Kind == sqllex.TokIdent || t.Kind == sqllex.TokQuoted }

// nameList reads "name [, name ...]" from ts[i:], skipping GROUP and USER
// before a name (GRANT ... TO GROUP x).
func nameList(ts []sqllex.Token, i int) []string {
	var out []string
	for i < len(ts) {
		if i+1 < len(ts) && (isWord(ts[i], "group") || isWord(ts[i], "user")) && isName(ts[i+1]) {
			i++
		}
		if !isName(ts[i]) {
			break
		}
		out = append(out, ts[i].Text)
		i++
		if i >= len(ts) || !(ts[i].Kind == sqllex.TokOther && ts[i].Text == ",") {
			break
		}
		i++
	}
	return out
}

func statementRoles(ts []sqllex.Token) (named, created []string) {
	if len(ts) == 0 {
		return nil, nil
	}
	if len(ts) >= 3 && isWord(ts[0], "create") && (isWord(ts[1], "role") || isWord(ts[1], "user")) && isName(ts[2]) {
		return nil, []string{ts[2].Text}
	}
	grant := isWord(ts[0], "grant")
	revoke := isWord(ts[0], "revoke")
	if len(ts) > 2 && isWord(ts[0], "alter") && isWord(ts[1], "default") {
		for k, t := range ts {
			if isWord(t, "grant") || isWord(t, "revoke") {
				grant, revoke = isWord(t, "grant"), isWord(t, "revoke")
				break
			} else if isWord(t, "for") && k+2 < len(ts) && (isWord(ts[k+1], "role") || isWord(ts[k+1], "user")) {
				named = append(named, nameList(ts, k+2)...)
			}
		}
	}
	depth, on := 0, false
	for k, t := range ts {
		switch {
		case t.Kind == sqllex.TokOther && t.Text == "(":
			depth++
		case t.Kind == sqllex.TokOther && t.Text == ")":
			depth--
		case depth > 0:
		case isWord(t, "on"):
			on = true
		case grant && isWord(t, "to"), revoke && isWord(t, "from"):
			named = append(named, nameList(ts, k+1)...)
			if !on && isWord(ts[0], "grant") {
				named = append(named, nameList(ts, 1)...) // GRANT role TO member
			}
		case !grant && !revoke && isWord(t, "to") && k > 0 && isWord(ts[k-1], "owner"):
			named = append(named, nameList(ts, k+1)...)
		case !grant && !revoke && isWord(t, "to") && isWord(ts[0], "create") && len(ts) > 1 && isWord(ts[1], "policy"):
			named = append(named, nameList(ts, k+1)...)
		case isWord(t, "authorization") && isWord(ts[0], "create"):
			named = append(named, nameList(ts, k+1)...)
		}
	}
	return named, created
}
