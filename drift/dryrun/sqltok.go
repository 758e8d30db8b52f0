package dryrun

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// The dry run reads the application's SQL only to explain what the server
// says: which tables a query names (for row-level security and hints), which
// table an alias stands for, what stands either side of an operator. It never
// rewrites the SQL.

type tokKind int

const (
	tokIdent  tokKind = iota // a name or keyword; text is lower-cased unless quoted
	tokQuoted                // a "quoted" name; text is the name
	tokParam                 // $1
	tokOther                 // numbers, strings, operators, punctuation
)

type token struct {
	kind tokKind
	text string
	raw  string // as written
	pos  int    // character (rune) offset in the SQL
}

// tokenize splits sql into tokens, skipping blanks, comments and the inside
// of string literals.
func tokenize(sql string) []token {
	var out []token
	i, runes := 0, 0
	adv := func(n int) { // advance n bytes, counting runes
		runes += utf8.RuneCountInString(sql[i : i+n])
		i += n
	}
	for i < len(sql) {
		c := sql[i]
		rest := sql[i:]
		start := runes
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			adv(1)
		case strings.HasPrefix(rest, "--"):
			n := strings.IndexByte(rest, '\n')
			if n < 0 {
				n = len(rest)
			}
			adv(n)
		case strings.HasPrefix(rest, "/*"):
			depth, j := 0, 0
			for j < len(rest) {
				if strings.HasPrefix(rest[j:], "/*") {
					depth++
					j += 2
				} else if strings.HasPrefix(rest[j:], "*/") {
					depth--
					j += 2
					if depth == 0 {
						break
					}
				} else {
					j++
				}
			}
			adv(j)
		case c == '\'' || (c == 'E' || c == 'e') && strings.HasPrefix(rest[1:], "'"):
			j := 1
			escapes := c != '\''
			if escapes {
				j = 2
			}
			for j < len(rest) {
				if escapes && rest[j] == '\\' {
					j += 2
					continue
				}
				if rest[j] == '\'' {
					if j+1 < len(rest) && rest[j+1] == '\'' {
						j += 2
						continue
					}
					j++
					break
				}
				j++
			}
			j = min(j, len(rest))
			out = append(out, token{kind: tokOther, text: rest[:j], raw: rest[:j], pos: start})
			adv(j)
		case c == '"':
			j := 1
			var name strings.Builder
			for j < len(rest) {
				if rest[j] == '"' {
					if j+1 < len(rest) && rest[j+1] == '"' {
						name.WriteByte('"')
						j += 2
						continue
					}
					j++
					break
				}
				name.WriteByte(rest[j])
				j++
			}
			out = append(out, token{kind: tokQuoted, text: name.String(), raw: rest[:j], pos: start})
			adv(j)
		case c == '$' && len(rest) > 1 && rest[1] >= '0' && rest[1] <= '9':
			j := 1
			for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
				j++
			}
			out = append(out, token{kind: tokParam, text: rest[:j], raw: rest[:j], pos: start})
			adv(j)
		case c == '$':
			if tag, ok := dollarTag(rest); ok {
				end := strings.Index(rest[len(tag):], tag)
				j := len(rest)
				if end >= 0 {
					j = len(tag) + end + len(tag)
				}
				out = append(out, token{kind: tokOther, text: rest[:j], raw: rest[:j], pos: start})
				adv(j)
				continue
			}
			out = append(out, token{kind: tokOther, text: "$", raw: "$", pos: start})
			adv(1)
		case isIdentStart(rest):
			j := 0
			for j < len(rest) {
				r, n := utf8.DecodeRuneInString(rest[j:])
				if !(r == '_' || r == '$' || unicode.IsLetter(r) || unicode.IsDigit(r)) {
					break
				}
				j += n
			}
			out = append(out, token{kind: tokIdent, text: strings.ToLower(rest[:j]), raw: rest[:j], pos: start})
			adv(j)
		case c >= '0' && c <= '9':
			j := 0
			for j < len(rest) && (rest[j] >= '0' && rest[j] <= '9' || rest[j] == '.' || rest[j] == '_' || rest[j] == 'e' || rest[j] == 'E') {
				j++
			}
			out = append(out, token{kind: tokOther, text: rest[:j], raw: rest[:j], pos: start})
			adv(j)
		case strings.ContainsRune("+-*/<>=~!@#%^&|`?", rune(c)):
			j := 0
			for j < len(rest) && strings.ContainsRune("+-*/<>=~!@#%^&|`?", rune(rest[j])) {
				if strings.HasPrefix(rest[j:], "--") || strings.HasPrefix(rest[j:], "/*") {
					break
				}
				j++
			}
			out = append(out, token{kind: tokOther, text: rest[:j], raw: rest[:j], pos: start})
			adv(j)
		case c == ':' && strings.HasPrefix(rest, "::"):
			out = append(out, token{kind: tokOther, text: "::", raw: "::", pos: start})
			adv(2)
		default:
			_, n := utf8.DecodeRuneInString(rest)
			out = append(out, token{kind: tokOther, text: rest[:n], raw: rest[:n], pos: start})
			adv(n)
		}
	}
	return out
}

func isIdentStart(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return r == '_' || unicode.IsLetter(r)
}

// dollarTag returns the opening $tag$ of a dollar-quoted string at the start of s.
func dollarTag(s string) (string, bool) {
	for j := 1; j < len(s); j++ {
		switch c := s[j]; {
		case c == '$':
			return s[:j+1], true
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || j > 1 && c >= '0' && c <= '9':
		default:
			return "", false
		}
	}
	return "", false
}

func (t token) isName() bool { return t.kind == tokIdent || t.kind == tokQuoted }

// A chain is a dotted name as the SQL writes it: rp.permission_id,
// public.roles, "Eval"."Roles".
type chain struct {
	parts []string // the names, quotes removed, unquoted ones lower-cased
	raw   string   // the SQL spelling, fit for to_regclass
	first int      // index of its first token
	last  int      // index of its last token
}

// chainAt reads the dotted name that starts at token i, if any.
func chainAt(toks []token, i int) (chain, bool) {
	if i >= len(toks) || !toks[i].isName() {
		return chain{}, false
	}
	c := chain{first: i}
	for {
		c.parts = append(c.parts, toks[i].text)
		c.last = i
		if i+2 < len(toks) && toks[i+1].text == "." && toks[i+2].isName() {
			i += 2
			continue
		}
		break
	}
	raw := make([]string, len(c.parts))
	for j := range c.parts {
		raw[j] = toks[c.first+2*j].raw
	}
	c.raw = strings.Join(raw, ".")
	return c, true
}

// chainEndingAt reads the dotted name whose last token is i, if any.
func chainEndingAt(toks []token, i int) (chain, bool) {
	if i < 0 || i >= len(toks) || !toks[i].isName() {
		return chain{}, false
	}
	j := i
	for j >= 2 && toks[j-1].text == "." && toks[j-2].isName() {
		j -= 2
	}
	return chainAt(toks, j)
}

// notAlias lists the words that may follow a table name without being its alias.
var notAlias = map[string]bool{
	"on": true, "where": true, "join": true, "inner": true, "left": true, "right": true, "full": true,
	"cross": true, "natural": true, "using": true, "group": true, "order": true, "limit": true,
	"offset": true, "union": true, "except": true, "intersect": true, "set": true, "values": true,
	"returning": true, "having": true, "window": true, "for": true, "lateral": true, "select": true,
	"from": true, "and": true, "or": true, "not": true, "fetch": true, "into": true, "default": true,
	"do": true, "when": true, "then": true, "as": true, "outer": true, "tablesample": true, "only": true,
	"is": true, "in": true, "like": true, "between": true, "asc": true, "desc": true, "overriding": true,
}

// tablePrefix lists the words after which a dotted name is a table.
var tablePrefix = map[string]bool{"from": true, "join": true, "into": true, "update": true, "only": true, "table": true}

// A sqlText is the application's SQL, tokenised.
type sqlText struct {
	toks    []token
	tables  []chain          // dotted names in table position (after FROM, JOIN, INTO, UPDATE, a comma in FROM)
	aliases map[string]chain // alias (or table name) -> the table it stands for
	names   []string         // every dotted name of at most two parts, as written, once each
}

func parseSQL(sql string) *sqlText {
	s := &sqlText{toks: tokenize(sql), aliases: map[string]chain{}}
	seen := map[string]bool{}
	// inFrom: in a FROM list at parenthesis depth fromDepth, where a name
	// after a comma is a table.
	inFrom, depth, fromDepth := false, 0, 0
	for i := 0; i < len(s.toks); i++ {
		t := s.toks[i]
		switch {
		case t.text == "(":
			depth++
		case t.text == ")":
			depth--
			if depth < fromDepth {
				inFrom = false
			}
		case t.kind != tokIdent:
		case t.text == "from" || t.text == "join" || t.text == "update" || t.text == "into":
			inFrom, fromDepth = true, depth
		case t.text == "where" || t.text == "on" || t.text == "group" || t.text == "order" || t.text == "limit" || t.text == "set" ||
			t.text == "values" || t.text == "returning" || t.text == "having" || t.text == "select" || t.text == "using":
			inFrom = false
		}
		c, ok := chainAt(s.toks, i)
		if !ok {
			continue
		}
		if len(c.parts) <= 2 && !seen[c.raw] {
			seen[c.raw] = true
			s.names = append(s.names, c.raw)
		}
		prev := ""
		if c.first > 0 {
			prev = s.toks[c.first-1].text
		}
		isTable := c.first > 0 && s.toks[c.first-1].kind == tokIdent && tablePrefix[prev] ||
			inFrom && depth == fromDepth && prev == "," && !(c.last+1 < len(s.toks) && s.toks[c.last+1].text == "(")
		if isTable && len(c.parts) <= 2 && !(t.kind == tokIdent && tablePrefix[t.text]) {
			s.tables = append(s.tables, c)
			s.aliases[c.parts[len(c.parts)-1]] = c
			j := c.last + 1
			if j < len(s.toks) && s.toks[j].text == "as" && s.toks[j].kind == tokIdent {
				j++
			}
			if j < len(s.toks) && s.toks[j].isName() && !(s.toks[j].kind == tokIdent && notAlias[s.toks[j].text]) {
				s.aliases[s.toks[j].text] = c
			}
		}
		i = c.last
	}
	return s
}

// tokenAt returns the index of the token that starts at character offset pos.
func (s *sqlText) tokenAt(pos int) int {
	for i, t := range s.toks {
		if t.pos == pos {
			return i
		}
		if t.pos > pos {
			return i - 1
		}
	}
	return len(s.toks) - 1
}

// onConflictTarget returns the columns of ON CONFLICT (a, b), as written.
func (s *sqlText) onConflictTarget() []string {
	for i := 0; i+2 < len(s.toks); i++ {
		if s.toks[i].text == "on" && s.toks[i+1].text == "conflict" && s.toks[i+2].text == "(" {
			var cols []string
			for j := i + 3; j < len(s.toks) && s.toks[j].text != ")"; j++ {
				if s.toks[j].isName() {
					cols = append(cols, s.toks[j].raw)
				}
			}
			return cols
		}
	}
	return nil
}

// insertTarget returns the table of INSERT INTO t, as written.
func (s *sqlText) insertTarget() (chain, bool) {
	for i := 0; i+1 < len(s.toks); i++ {
		if s.toks[i].text == "insert" && s.toks[i+1].text == "into" {
			return chainAt(s.toks, i+2)
		}
	}
	return chain{}, false
}
