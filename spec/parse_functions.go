package spec

import (
	"strings"

	"gopkg.in/yaml.v3"
)

// FunctionPrivileges is the set of privileges a function grant may name.
var FunctionPrivileges = []string{"EXECUTE"}

// A Function represents a declared function, keyed by its signature:
// authorize(app_permission), auth.has_role(text, uuid). Nil and empty
// fields are not checked.
type Function struct {
	Name Name
	// Args are the input argument types as written; Signature the key as
	// written.
	Args       []string
	Signature  string
	Pos        Pos
	Returns    string   // a type name, or "setof <type>"; "" not checked
	ReturnsPos Pos      //
	Security   string   // "definer" or "invoker"; "" not checked
	Volatility string   // "immutable", "stable" or "volatile"; "" not checked
	Language   string   // "sql", "plpgsql" ...; "" not checked
	SearchPath []string // the function's own search_path setting; nil not checked, empty: none set
	Grants     []*Grant // EXECUTE by role; nil not checked
}

// String renders the function as schema.name(type, ...).
func (f *Function) String() string {
	return f.Name.String() + "(" + strings.Join(f.Args, ", ") + ")"
}

// ReturnType splits Returns into the type and whether it is a set.
func (f *Function) ReturnType() (typ string, set bool) {
	lower := strings.ToLower(f.Returns)
	if strings.HasPrefix(lower, "setof ") {
		return strings.TrimSpace(f.Returns[len("setof "):]), true
	}
	return f.Returns, false
}

func (d *decoder) functions(m *Model, n *yaml.Node) {
	seen := map[string]*yaml.Node{}
	m.Functions = []*Function{}
	d.mapping(n, "functions", func(key string, k, v *yaml.Node) {
		field := join("functions", key)
		open := strings.IndexByte(key, '(')
		if open < 0 || !strings.HasSuffix(key, ")") {
			d.errorf(k, field, "a function is keyed by its signature, name(type, ...): authorize(app_permission), or now() for none")
			return
		}
		name, ok := d.name(k, field, strings.TrimSpace(key[:open]), m.Schema)
		if !ok {
			return
		}
		f := &Function{Name: name, Signature: key, Pos: d.pos(k), Args: []string{}}
		for _, a := range splitArgs(key[open+1 : len(key)-1]) {
			if !ValidTypeName(a) {
				d.errorf(k, field, "argument type %q is not a type name", a)
				return
			}
			f.Args = append(f.Args, a)
		}
		sig := f.String()
		if prev, dup := seen[sig]; dup {
			d.errorf(k, field, "function %s is declared twice; first at line %d", sig, prev.Line)
			return
		}
		seen[sig] = k
		m.Functions = append(m.Functions, f)
		if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
			return // it must exist
		}
		d.mapping(v, field, func(key string, k, v *yaml.Node) {
			ff := join(field, key)
			switch key {
			case "returns":
				s, ok := d.nonEmpty(v, ff)
				if !ok {
					return
				}
				f.Returns, f.ReturnsPos = strings.TrimSpace(s), d.pos(v)
				if typ, _ := f.ReturnType(); !ValidTypeName(typ) {
					d.errorf(v, ff, "%q is not a type name (or setof <type>)", s)
				}
			case "security":
				f.Security, _ = d.oneOf(v, ff, "definer", "invoker")
			case "volatility":
				f.Volatility, _ = d.oneOf(v, ff, "immutable", "stable", "volatile")
			case "language":
				f.Language, _ = d.identifier(v, ff)
			case "search_path":
				f.SearchPath = []string{}
				if v.Kind == yaml.ScalarNode && v.Tag != "!!null" {
					if s, ok := d.nonEmpty(v, ff); ok {
						f.SearchPath = []string{s}
					}
					return
				}
				f.SearchPath = append(f.SearchPath, d.stringList(v, ff)...)
			case "grants":
				f.Grants = d.grantMap(v, ff, FunctionPrivileges, "function")
			default:
				d.unknown(k, field, key, "returns", "security", "volatility", "language", "search_path", "grants")
			}
		})
	})
}

// splitArgs splits a signature's argument list at the commas outside
// parentheses and quotes: numeric(10, 2), text.
func splitArgs(s string) []string {
	var out []string
	depth, quoted, start := 0, false, 0
	for i, r := range s {
		switch {
		case r == '"':
			quoted = !quoted
		case quoted:
		case r == '(':
			depth++
		case r == ')':
			depth--
		case r == ',' && depth == 0:
			out = append(out, strings.TrimSpace(s[start:i]))
			start = i + 1
		}
	}
	if last := strings.TrimSpace(s[start:]); last != "" || len(out) > 0 {
		out = append(out, last)
	}
	return out
}
