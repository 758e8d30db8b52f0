package dryrun

import (
	"strings"

	"github.com/rbacdrift/rbacdrift/internal/sqllex"
)

// The dry run reads the application's SQL only to explain what the server
// says: which tables a query names (for row-level security and hints), which
// table an alias stands for, what stands either side of an operator. It never
// rewrites the SQL.

// tokens splits sql with the model's lexer; an unterminated literal cannot
// reach the dry run (the model refuses it).
func tokens(sql string) []sqllex.Token {
	toks, _ := sqllex.Tokenize(sql)
	return toks
}

// maxParam returns the highest $N the SQL refers to, 0 for none.
func maxParam(sql string) int { return sqllex.MaxParam(tokens(sql)) }

func isName(t sqllex.Token) bool { return t.Kind == sqllex.TokIdent || t.Kind == sqllex.TokQuoted }

// A chain is a dotted name as the SQL writes it: rp.permission_id,
// public.roles, "Eval"."Roles".
type chain struct {
	parts []string // the names, quotes removed, unquoted ones lower-cased
	raw   string   // the SQL spelling, fit for to_regclass
	first int      // index of its first token
	last  int      // index of its last token
}

// chainAt reads the dotted name that starts at token i, if any.
func chainAt(toks []sqllex.Token, i int) (chain, bool) {
	if i >= len(toks) || !isName(toks[i]) {
		return chain{}, false
	}
	c := chain{first: i}
	for {
		c.parts = append(c.parts, toks[i].Text)
		c.last = i
		if i+2 < len(toks) && toks[i+1].Text == "." && isName(toks[i+2]) {
			i += 2
			continue
		}
		break
	}
	raw := make([]string, len(c.parts))
	for j := range c.parts {
		raw[j] = toks[c.first+2*j].Raw
	}
	c.raw = strings.Join(raw, ".")
	return c, true
}

// chainEndingAt reads the dotted name whose last token is i, if any.
func chainEndingAt(toks []sqllex.Token, i int) (chain, bool) {
	if i < 0 || i >= len(toks) || !isName(toks[i]) {
		return chain{}, false
	}
	j := i
	for j >= 2 && toks[j-1].Text == "." && isName(toks[j-2]) {
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
	toks    []sqllex.Token
	tables  []chain          // dotted names in table position (after FROM, JOIN, INTO, UPDATE, a comma in FROM)
	aliases map[string]chain // alias (or table name) -> the table it stands for
	names   []string         // every dotted name of at most two parts, as written, once each
	params  int              // the highest $N, 0 for none
}

func parseSQL(sql string) *sqlText {
	s := &sqlText{toks: tokens(sql), aliases: map[string]chain{}}
	s.params = sqllex.MaxParam(s.toks)
	seen := map[string]bool{}
	// inFrom: in a FROM list at parenthesis depth fromDepth, where a name
	// after a comma is a table.
	inFrom, depth, fromDepth := false, 0, 0
	for i := 0; i < len(s.toks); i++ {
		t := s.toks[i]
		switch {
		case t.Text == "(":
			depth++
		case t.Text == ")":
			depth--
			if depth < fromDepth {
				inFrom = false
			}
		case t.Kind != sqllex.TokIdent:
		case t.Text == "from" || t.Text == "join" || t.Text == "update" || t.Text == "into":
			inFrom, fromDepth = true, depth
		case t.Text == "where" || t.Text == "on" || t.Text == "group" || t.Text == "order" || t.Text == "limit" || t.Text == "set" ||
			t.Text == "values" || t.Text == "returning" || t.Text == "having" || t.Text == "select" || t.Text == "using":
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
			prev = s.toks[c.first-1].Text
		}
		isTable := c.first > 0 && s.toks[c.first-1].Kind == sqllex.TokIdent && tablePrefix[prev] ||
			inFrom && depth == fromDepth && prev == "," && !(c.last+1 < len(s.toks) && s.toks[c.last+1].Text == "(")
		if isTable && len(c.parts) <= 2 && !(t.Kind == sqllex.TokIdent && tablePrefix[t.Text]) {
			s.tables = append(s.tables, c)
			s.aliases[c.parts[len(c.parts)-1]] = c
			j := c.last + 1
			if j < len(s.toks) && s.toks[j].Text == "as" && s.toks[j].Kind == sqllex.TokIdent {
				j++
			}
			if j < len(s.toks) && isName(s.toks[j]) && !(s.toks[j].Kind == sqllex.TokIdent && notAlias[s.toks[j].Text]) {
				s.aliases[s.toks[j].Text] = c
			}
		}
		i = c.last
	}
	return s
}

// tokenAt returns the index of the token that starts at character offset pos.
func (s *sqlText) tokenAt(pos int) int {
	for i, t := range s.toks {
		if t.Pos == pos {
			return i
		}
		if t.Pos > pos {
			return i - 1
		}
	}
	return len(s.toks) - 1
}

// onConflictTarget returns the columns of ON CONFLICT (a, b), as written.
func (s *sqlText) onConflictTarget() []string {
	for i := 0; i+2 < len(s.toks); i++ {
		if s.toks[i].Text == "on" && s.toks[i+1].Text == "conflict" && s.toks[i+2].Text == "(" {
			var cols []string
			for j := i + 3; j < len(s.toks) && s.toks[j].Text != ")"; j++ {
				if isName(s.toks[j]) {
					cols = append(cols, s.toks[j].Raw)
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
		if s.toks[i].Text == "insert" && s.toks[i+1].Text == "into" {
			return chainAt(s.toks, i+2)
		}
	}
	return chain{}, false
}
