package migrations

import (
	"strings"

	"github.com/rbacdrift/rbacdrift/internal/sqllex"
)

// An Object is a database object that a migration's SQL creates, alters,
// drops, renames, or grants or revokes privileges on.
type Object struct {
	// Kind is table, column, type, index, policy, function, view, sequence,
	// schema, trigger or role.
	Kind string
	// Name is the name as written, unquoted, lower-cased unless it was quoted:
	// role_permissions or public.role_permissions. A column is named
	// table.column (public.role_permissions.permission_id when the table was
	// qualified); an index, policy or trigger by its own name (empty for an
	// index created without one).
	Name string
	// Table is the table an index, policy, trigger or column belongs to.
	Table string
	// Action is create, alter, drop, rename, grant or revoke.
	Action string
	// To is the new name of a rename.
	To string
	// Line is the line of the statement in the migration, from 1.
	Line int
}

// Touches lists the objects that sql creates, alters, drops, renames or
// grants on, in the order of its statements. It reads tokens of the
// project's SQL lexer ([sqllex.Tokenize]), so comments, string literals and
// dollar-quoted bodies are never mistaken for statements; the bodies of
// functions and DO blocks are not looked into. Statements it does not know
// (INSERT, UPDATE, COMMENT, ...) add nothing.
func Touches(sql string) []Object {
	toks, _ := sqllex.Tokenize(sql)
	var out []Object
	start := 0
	for i := 0; i <= len(toks); i++ {
		if i < len(toks) && !(toks[i].Kind == sqllex.TokOther && toks[i].Text == ";") {
			continue
		}
		if i > start {
			line := 1 + strings.Count(sql[:toks[start].Off], "\n")
			p := &stmtParser{ts: toks[start:i], line: line}
			out = append(out, p.statement()...)
		}
		start = i + 1
	}
	return out
}

// A stmtParser reads one statement's tokens.
type stmtParser struct {
	ts   []sqllex.Token
	i    int
	line int
	out  []Object
}

func (p *stmtParser) add(o Object) {
	o.Line = p.line
	p.out = append(p.out, o)
}

// peek reports whether the next tokens are the keywords words.
func (p *stmtParser) peek(words ...string) bool {
	for k, w := range words {
		j := p.i + k
		if j >= len(p.ts) || p.ts[j].Kind != sqllex.TokIdent || p.ts[j].Text != w {
			return false
		}
	}
	return true
}

// opt consumes the keywords words if they come next.
func (p *stmtParser) opt(words ...string) bool {
	if p.peek(words...) {
		p.i += len(words)
		return true
	}
	return false
}

// anyOf consumes and returns the next keyword if it is one of words.
func (p *stmtParser) anyOf(words ...string) string {
	for _, w := range words {
		if p.opt(w) {
			return w
		}
	}
	return ""
}

func (p *stmtParser) punct(s string) bool {
	if p.i < len(p.ts) && p.ts[p.i].Kind == sqllex.TokOther && p.ts[p.i].Text == s {
		p.i++
		return true
	}
	return false
}

// ident reads one name part.
func (p *stmtParser) ident() (string, bool) {
	if p.i < len(p.ts) && (p.ts[p.i].Kind == sqllex.TokIdent || p.ts[p.i].Kind == sqllex.TokQuoted) {
		p.i++
		return p.ts[p.i-1].Text, true
	}
	return "", false
}

// name reads a possibly qualified name.
func (p *stmtParser) name() (string, bool) {
	n, ok := p.ident()
	if !ok {
		return "", false
	}
	for p.i+1 < len(p.ts) && p.ts[p.i].Kind == sqllex.TokOther && p.ts[p.i].Text == "." {
		p.i++
		part, ok := p.ident()
		if !ok {
			break
		}
		n += "." + part
	}
	return n, true
}

// skipParens skips a parenthesised group if one comes next.
func (p *stmtParser) skipParens() {
	if p.i >= len(p.ts) || p.ts[p.i].Text != "(" || p.ts[p.i].Kind != sqllex.TokOther {
		return
	}
	depth := 0
	for ; p.i < len(p.ts); p.i++ {
		switch t := p.ts[p.i]; {
		case t.Kind != sqllex.TokOther:
		case t.Text == "(":
			depth++
		case t.Text == ")":
			depth--
			if depth == 0 {
				p.i++
				return
			}
		}
	}
}

// items splits the rest of the statement (or the parenthesised group that
// comes next, when inParens) at top-level commas.
func (p *stmtParser) items(inParens bool) [][]sqllex.Token {
	ts := p.ts[p.i:]
	if inParens {
		if len(ts) == 0 || ts[0].Text != "(" {
			return nil
		}
		ts = ts[1:]
	}
	var out [][]sqllex.Token
	depth, start := 0, 0
	for j, t := range ts {
		if t.Kind != sqllex.TokOther {
			continue
		}
		switch t.Text {
		case "(", "[":
			depth++
		case ")", "]":
			depth--
			if depth < 0 && inParens {
				return append(out, ts[start:j])
			}
		case ",":
			if depth == 0 {
				out = append(out, ts[start:j])
				start = j + 1
			}
		}
	}
	return append(out, ts[start:])
}

func (p *stmtParser) statement() []Object {
	switch {
	case p.opt("create"):
		p.create()
	case p.opt("alter"):
		p.alter()
	case p.opt("drop"):
		p.drop()
	case p.peek("grant"), p.peek("revoke"):
		p.grant()
	}
	return p.out
}

func (p *stmtParser) create() {
	p.opt("or", "replace")
	for p.anyOf("temp", "temporary", "unlogged", "global", "local", "unique", "recursive", "constraint") != "" {
	}
	switch kind := p.anyOf("table", "type", "index", "policy", "function", "procedure", "view", "materialized", "sequence", "schema", "trigger", "role", "user"); kind {
	case "table":
		p.opt("if", "not", "exists")
		t, ok := p.name()
		if !ok {
			return
		}
		p.add(Object{Kind: "table", Name: t, Action: "create"})
		for _, item := range p.items(true) {
			if c, ok := columnDef(item); ok {
				p.add(Object{Kind: "column", Name: t + "." + c, Table: t, Action: "create"})
			}
		}
	case "index":
		p.opt("concurrently")
		p.opt("if", "not", "exists")
		idx := ""
		if !p.peek("on") {
			idx, _ = p.name()
		}
		if p.opt("on") {
			p.opt("only")
			t, _ := p.name()
			p.add(Object{Kind: "index", Name: idx, Table: t, Action: "create"})
		}
	case "policy", "trigger":
		p.onTable(kind, "create")
	case "materialized":
		if p.opt("view") {
			p.simple("view", "create")
		}
	case "":
	default:
		p.opt("if", "not", "exists")
		p.simple(kind, "create")
	}
}

// simple adds the object whose name comes next.
func (p *stmtParser) simple(kind, action string) {
	if n, ok := p.name(); ok {
		switch kind {
		case "procedure":
			kind = "function"
		case "user":
			kind = "role"
		}
		p.add(Object{Kind: kind, Name: n, Action: action})
	}
}

// onTable reads "name ON table" of a policy or trigger; a trigger's ON
// comes after its events.
func (p *stmtParser) onTable(kind, action string) {
	p.opt("if", "exists")
	n, ok := p.ident()
	if !ok {
		return
	}
	for p.i < len(p.ts) && !p.peek("on") {
		p.i++
	}
	if p.opt("on") {
		t, _ := p.name()
		p.add(Object{Kind: kind, Name: n, Table: t, Action: action})
	}
}

// columnDef returns the column a CREATE TABLE item defines, if it is one.
func columnDef(item []sqllex.Token) (string, bool) {
	if len(item) == 0 {
		return "", false
	}
	t := item[0]
	if t.Kind == sqllex.TokIdent {
		switch t.Text {
		case "constraint", "primary", "unique", "foreign", "check", "exclude", "like":
			return "", false
		}
	}
	if t.Kind != sqllex.TokIdent && t.Kind != sqllex.TokQuoted {
		return "", false
	}
	return t.Text, true
}

func (p *stmtParser) alter() {
	switch kind := p.anyOf("table", "type", "index", "policy", "function", "procedure", "view", "materialized", "sequence", "schema", "trigger", "role", "user"); kind {
	case "table":
		p.opt("if", "exists")
		p.opt("only")
		t, ok := p.name()
		if !ok {
			return
		}
		p.punct("*")
		if p.opt("rename", "to") {
			to, _ := p.name()
			p.add(Object{Kind: "table", Name: t, Action: "rename", To: to})
			return
		}
		p.add(Object{Kind: "table", Name: t, Action: "alter"})
		for _, item := range p.items(false) {
			p.alterAction(t, item)
		}
	case "policy", "trigger":
		p.onTable(kind, "alter")
	case "materialized":
		if p.opt("view") {
			p.opt("if", "exists")
			p.simple("view", "alter")
		}
	case "":
	default:
		p.opt("if", "exists")
		p.simple(kind, "alter")
	}
}

// alterAction reads one action of ALTER TABLE t.
func (p *stmtParser) alterAction(t string, item []sqllex.Token) {
	q := &stmtParser{ts: item, line: p.line}
	col := func(action string) {
		if c, ok := q.ident(); ok {
			p.add(Object{Kind: "column", Name: t + "." + c, Table: t, Action: action})
		}
	}
	switch {
	case q.opt("add"):
		if q.anyOf("constraint", "primary", "unique", "foreign", "check", "exclude") != "" {
			return
		}
		q.opt("column")
		q.opt("if", "not", "exists")
		col("create")
	case q.opt("drop"):
		if q.peek("constraint") {
			return
		}
		q.opt("column")
		q.opt("if", "exists")
		col("drop")
	case q.opt("alter"):
		if q.peek("constraint") {
			return
		}
		q.opt("column")
		col("alter")
	case q.opt("rename"):
		if q.peek("constraint") {
			return
		}
		q.opt("column")
		from, ok := q.ident()
		if ok && q.opt("to") {
			to, _ := q.ident()
			p.add(Object{Kind: "column", Name: t + "." + from, Table: t, Action: "rename", To: to})
		}
	}
}

func (p *stmtParser) drop() {
	kind := p.anyOf("table", "type", "index", "policy", "function", "procedure", "view", "materialized", "sequence", "schema", "trigger", "role", "user")
	switch kind {
	case "":
		return
	case "policy", "trigger":
		p.onTable(kind, "drop")
		return
	case "materialized":
		if !p.opt("view") {
			return
		}
		kind = "view"
	case "procedure":
		kind = "function"
	case "user":
		kind = "role"
	}
	p.opt("concurrently")
	p.opt("if", "exists")
	for _, item := range p.items(false) {
		q := &stmtParser{ts: item}
		if n, ok := q.name(); ok {
			p.add(Object{Kind: kind, Name: n, Action: "drop"})
		}
	}
}

// grant reads GRANT ... ON [kind] names TO ... and REVOKE ... ON ... FROM;
// a grant of a role (no ON) touches no object.
func (p *stmtParser) grant() {
	action := p.anyOf("grant", "revoke")
	depth := 0
	for ; p.i < len(p.ts); p.i++ {
		t := p.ts[p.i]
		if t.Kind == sqllex.TokOther && t.Text == "(" {
			depth++
		} else if t.Kind == sqllex.TokOther && t.Text == ")" {
			depth--
		} else if depth == 0 && t.Kind == sqllex.TokIdent && t.Text == "on" {
			break
		}
	}
	if !p.opt("on") {
		return
	}
	kind := "table"
	switch {
	case p.opt("all"):
		p.anyOf("tables", "sequences", "functions", "procedures", "routines")
		if p.opt("in", "schema") {
			kind = "schema"
		}
	default:
		switch k := p.anyOf("table", "sequence", "function", "procedure", "routine", "schema", "type", "domain", "database", "foreign"); k {
		case "", "table":
		case "procedure", "routine":
			kind = "function"
		case "foreign":
			return
		default:
			kind = k
		}
	}
	for {
		n, ok := p.name()
		if !ok {
			return
		}
		p.add(Object{Kind: kind, Name: n, Action: action})
		p.skipParens()
		if !p.punct(",") {
			return
		}
	}
}
