package prisma

import (
	"strings"

	"github.com/rbacdrift/rbacdrift/spec"
)

// A Schema is a parsed Prisma schema file: its blocks in file order.
type Schema struct {
	File   string
	Blocks []*Block
}

// A Block is one top-level block: model, view, type, enum, datasource or
// generator.
type Block struct {
	Kind   string
	Name   string
	Pos    spec.Pos // of the name
	Fields []*Field // model, view and type fields; enum values (with a nil Type)
	Attrs  []*Attr  // block attributes (@@map, @@id, ...)
	Props  []*Prop  // datasource and generator settings
}

// A Field is a field of a model (or a value of an enum, with a nil Type).
type Field struct {
	Name  string
	Pos   spec.Pos
	Type  *TypeRef
	Attrs []*Attr
}

// A TypeRef is a field's type: a name with an optional ? or [] modifier.
// Unsupported("...") keeps the database type in Unsupported.
type TypeRef struct {
	Name        string
	Pos         spec.Pos
	Optional    bool
	List        bool
	Unsupported string
}

// An Attr is a field attribute (@id, @db.VarChar(64)) or a block attribute
// (@@index([a, b])), with its arguments.
type Attr struct {
	Name  string // without the @ or @@
	Block bool
	Pos   spec.Pos // of the @ or @@
	Args  []*Arg
}

// An Arg is a positional (Name "") or named argument.
type Arg struct {
	Name  string
	Pos   spec.Pos
	Value *Expr
}

// An ExprKind is the kind of an argument value.
type ExprKind int

// The kinds of values.
const (
	ExprString ExprKind = iota
	ExprNumber
	ExprIdent // a name or a constant: Cascade, true, global
	ExprArray
	ExprCall // a function call: now(), dbgenerated("..."), a field with arguments (email(sort: Desc))
)

// An Expr is a value in an attribute's arguments or a setting.
type Expr struct {
	Kind  ExprKind
	Text  string // the string's value, the number, the name or the called function
	Items []*Expr
	Args  []*Arg // of a call
	Pos   spec.Pos
}

// A Prop is a key = value setting of a datasource or generator block.
type Prop struct {
	Key   string
	Pos   spec.Pos
	Value *Expr
}

// Attr returns the first attribute named name, or nil.
func attr(attrs []*Attr, name string) *Attr {
	for _, a := range attrs {
		if a.Name == name {
			return a
		}
	}
	return nil
}

// Arg returns the argument named name, else the positional argument at
// index pos (when pos >= 0), or nil.
func (a *Attr) arg(name string, pos int) *Arg {
	i := 0
	for _, g := range a.Args {
		if g.Name == name {
			return g
		}
	}
	for _, g := range a.Args {
		if g.Name == "" {
			if i == pos {
				return g
			}
			i++
		}
	}
	return nil
}

// Parse parses the Prisma schema src, read from file. Every error names
// file:line:column.
func Parse(file string, src []byte) (*Schema, error) {
	toks, err := lex(file, string(src))
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	s := &Schema{File: file}
	for p.peek().kind != tEOF {
		b, err := p.block()
		if err != nil {
			return nil, err
		}
		s.Blocks = append(s.Blocks, b)
	}
	return s, nil
}

type parser struct {
	toks  []token
	i     int
	depth int // nesting of lists and calls in the expression being read
}

// MaxDepth is the deepest nesting of lists and function calls an attribute's
// arguments may have (@default(dbgenerated("...")) nests two); deeper input
// would only grow the parser's stack.
const MaxDepth = 32

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

func (p *parser) isPunct(s string) bool {
	t := p.peek()
	return t.kind == tPunct && t.text == s
}

func (p *parser) expectPunct(s, what string) (token, error) {
	t := p.next()
	if t.kind != tPunct || t.text != s {
		return t, errorf(t.pos, "expected %q %s, found %s", s, what, t.describe())
	}
	return t, nil
}

func (p *parser) expectIdent(what string) (token, error) {
	t := p.next()
	if t.kind != tIdent || strings.Contains(t.text, ".") {
		return t, errorf(t.pos, "expected %s, found %s", what, t.describe())
	}
	return t, nil
}

var blockKinds = map[string]bool{"model": true, "view": true, "type": true, "enum": true, "datasource": true, "generator": true}

func (p *parser) block() (*Block, error) {
	kw := p.next()
	if kw.kind != tIdent || !blockKinds[kw.text] {
		return nil, errorf(kw.pos, "expected a block (model, enum, view, type, datasource or generator), found %s", kw.describe())
	}
	name, err := p.expectIdent("a " + kw.text + " name")
	if err != nil {
		return nil, err
	}
	if _, err := p.expectPunct("{", "after "+kw.text+" "+name.text); err != nil {
		return nil, err
	}
	b := &Block{Kind: kw.text, Name: name.text, Pos: name.pos}
	for {
		t := p.peek()
		switch {
		case t.kind == tPunct && t.text == "}":
			p.next()
			return b, nil
		case t.kind == tEOF:
			return nil, errorf(t.pos, "unexpected end of file: %s %s is not closed with }", kw.text, name.text)
		case !t.nl:
			return nil, errorf(t.pos, "unexpected %s: each member of %s %s goes on a line of its own", t.describe(), kw.text, name.text)
		case t.kind == tPunct && t.text == "@@" && b.Kind != "datasource" && b.Kind != "generator":
			a, err := p.attribute()
			if err != nil {
				return nil, err
			}
			b.Attrs = append(b.Attrs, a)
		case b.Kind == "datasource" || b.Kind == "generator":
			key, err := p.expectIdent("a setting name")
			if err != nil {
				return nil, err
			}
			if _, err := p.expectPunct("=", "after setting "+key.text); err != nil {
				return nil, err
			}
			v, err := p.expr()
			if err != nil {
				return nil, err
			}
			b.Props = append(b.Props, &Prop{Key: key.text, Pos: key.pos, Value: v})
		default:
			f, err := p.field(b.Kind == "enum")
			if err != nil {
				return nil, err
			}
			b.Fields = append(b.Fields, f)
		}
	}
}

func (p *parser) field(enumValue bool) (*Field, error) {
	what := "a field name"
	if enumValue {
		what = "an enum value"
	}
	name, err := p.expectIdent(what)
	if err != nil {
		return nil, err
	}
	f := &Field{Name: name.text, Pos: name.pos}
	if !enumValue {
		t := p.peek()
		if t.nl || t.kind != tIdent {
			return nil, errorf(t.pos, "expected the type of field %s, found %s", name.text, t.describe())
		}
		p.next()
		f.Type = &TypeRef{Name: t.text, Pos: t.pos}
		if t.text == "Unsupported" && p.isPunct("(") {
			p.next()
			s := p.next()
			if s.kind != tString {
				return nil, errorf(s.pos, "expected the database type as a string in Unsupported(...), found %s", s.describe())
			}
			f.Type.Unsupported = s.text
			if _, err := p.expectPunct(")", "after Unsupported(\"...\""); err != nil {
				return nil, err
			}
		}
		switch {
		case p.isPunct("?") && !p.peek().nl:
			p.next()
			f.Type.Optional = true
		case p.isPunct("[") && !p.peek().nl:
			p.next()
			if _, err := p.expectPunct("]", "to close the list type "+t.text+"[]"); err != nil {
				return nil, err
			}
			f.Type.List = true
		}
	}
	for p.isPunct("@") && !p.peek().nl {
		a, err := p.attribute()
		if err != nil {
			return nil, err
		}
		f.Attrs = append(f.Attrs, a)
	}
	if t := p.peek(); !t.nl {
		return nil, errorf(t.pos, "unexpected %s after field %s: expected an attribute (@...) or the end of the line", t.describe(), name.text)
	}
	return f, nil
}

// attribute parses @name or @@name with optional arguments; the current
// token is the @ or @@.
func (p *parser) attribute() (*Attr, error) {
	at := p.next()
	name := p.next()
	if name.kind != tIdent || name.pos.Line != at.pos.Line || name.pos.Column != at.pos.Column+len(at.text) {
		return nil, errorf(name.pos, "expected an attribute name right after %s, found %s", at.text, name.describe())
	}
	a := &Attr{Name: name.text, Block: at.text == "@@", Pos: at.pos}
	if p.isPunct("(") {
		p.next()
		args, err := p.args(")")
		if err != nil {
			return nil, err
		}
		a.Args = args
	}
	return a, nil
}

// args parses arguments up to the closing punctuation, which it consumes.
func (p *parser) args(closing string) ([]*Arg, error) {
	var args []*Arg
	for {
		if p.isPunct(closing) {
			p.next()
			return args, nil
		}
		g := &Arg{Pos: p.peek().pos}
		if t := p.peek(); t.kind == tIdent && p.toks[p.i+1].kind == tPunct && p.toks[p.i+1].text == ":" {
			p.next()
			p.next()
			g.Name = t.text
		}
		v, err := p.expr()
		if err != nil {
			return nil, err
		}
		g.Value = v
		args = append(args, g)
		if p.isPunct(",") {
			p.next()
			continue
		}
		if !p.isPunct(closing) {
			t := p.peek()
			return nil, errorf(t.pos, "expected \",\" or %q in the arguments, found %s", closing, t.describe())
		}
	}
}

func (p *parser) expr() (*Expr, error) {
	t := p.next()
	if p.depth++; p.depth > MaxDepth {
		return nil, errorf(t.pos, "values nested more than %d deep", MaxDepth)
	}
	defer func() { p.depth-- }()
	switch {
	case t.kind == tString:
		return &Expr{Kind: ExprString, Text: t.text, Pos: t.pos}, nil
	case t.kind == tNumber:
		return &Expr{Kind: ExprNumber, Text: t.text, Pos: t.pos}, nil
	case t.kind == tIdent:
		e := &Expr{Kind: ExprIdent, Text: t.text, Pos: t.pos}
		if p.isPunct("(") {
			p.next()
			args, err := p.args(")")
			if err != nil {
				return nil, err
			}
			e.Kind, e.Args = ExprCall, args
		}
		return e, nil
	case t.kind == tPunct && t.text == "[":
		e := &Expr{Kind: ExprArray, Pos: t.pos}
		for {
			if p.isPunct("]") {
				p.next()
				return e, nil
			}
			item, err := p.expr()
			if err != nil {
				return nil, err
			}
			e.Items = append(e.Items, item)
			if p.isPunct(",") {
				p.next()
				continue
			}
			if !p.isPunct("]") {
				n := p.peek()
				return nil, errorf(n.pos, "expected \",\" or \"]\" in the list, found %s", n.describe())
			}
		}
	}
	return nil, errorf(t.pos, "expected a value, found %s", t.describe())
}
