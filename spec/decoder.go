package spec

import (
	"fmt"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

func (d *decoder) pos(n *yaml.Node) Pos {
	if n == nil {
		return Pos{File: d.file}
	}
	return Pos{File: d.file, Line: n.Line, Column: n.Column}
}

func (d *decoder) errorf(n *yaml.Node, field, format string, args ...any) {
	if len(d.errs) >= maxErrors {
		return
	}
	d.errs = append(d.errs, &Error{Pos: d.pos(n), Field: field, Msg: fmt.Sprintf(format, args...)})
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "nothing (null)"
		}
		return fmt.Sprintf("%q", n.Value)
	}
	return "a document"
}

func join(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

// mapping calls fn for each key of n in order, reporting duplicate keys,
// non-string keys and anchors/aliases.
func (d *decoder) mapping(n *yaml.Node, field string, fn func(key string, k, v *yaml.Node)) bool {
	if n.Kind == yaml.AliasNode {
		d.errorf(n, field, "aliases (*name) are not supported in model files; write the value out")
		return false
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(n, field, "want a mapping, got %s", kindName(n))
		return false
	}
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.errorf(k, field, "want a name as key, got %s", kindName(k))
			continue
		}
		if k.Value == "<<" && k.Tag == "!!merge" {
			d.errorf(k, field, "merge keys (<<) are not supported in model files; write the value out")
			continue
		}
		if prev, dup := seen[k.Value]; dup {
			d.errorf(k, join(field, k.Value), "duplicate key; first given at line %d", prev.Line)
			continue
		}
		seen[k.Value] = k
		if v.Kind == yaml.AliasNode {
			d.errorf(v, join(field, k.Value), "aliases (*name) are not supported in model files; write the value out")
			continue
		}
		fn(k.Value, k, v)
	}
	return true
}

func (d *decoder) unknown(k *yaml.Node, field, key string, allowed ...string) {
	d.errorf(k, join(field, key), "unknown key; allowed here: %s", strings.Join(allowed, ", "))
}

func (d *decoder) seq(n *yaml.Node, field string) ([]*yaml.Node, bool) {
	if n.Kind == yaml.AliasNode {
		d.errorf(n, field, "aliases (*name) are not supported in model files; write the value out")
		return nil, false
	}
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, field, "want a list, got %s", kindName(n))
		return nil, false
	}
	for _, c := range n.Content {
		if c.Kind == yaml.AliasNode {
			d.errorf(c, field, "aliases (*name) are not supported in model files; write the value out")
			return nil, false
		}
	}
	return n.Content, true
}

func (d *decoder) str(n *yaml.Node, field string) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!str" {
		d.errorf(n, field, "want a string, got %s", kindName(n))
		return "", false
	}
	return n.Value, true
}

// text accepts any non-null scalar as text: a default of 0 or true is an expression.
func (d *decoder) text(n *yaml.Node, field string) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		d.errorf(n, field, "want a string, got %s", kindName(n))
		return "", false
	}
	return n.Value, true
}

func (d *decoder) nonEmpty(n *yaml.Node, field string) (string, bool) {
	s, ok := d.str(n, field)
	if ok && strings.TrimSpace(s) == "" {
		d.errorf(n, field, "must not be empty")
		return "", false
	}
	return s, ok
}

func (d *decoder) identifier(n *yaml.Node, field string) (string, bool) {
	s, ok := d.nonEmpty(n, field)
	if !ok {
		return "", false
	}
	if len(s) > 63 {
		d.errorf(n, field, "%q is longer than 63 bytes, PostgreSQL's limit for names", s)
		return "", false
	}
	return s, true
}

func (d *decoder) bool(n *yaml.Node, field string) (*bool, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
		d.errorf(n, field, "want true or false, got %s", kindName(n))
		return nil, false
	}
	b := n.Value == "true" || n.Value == "True" || n.Value == "TRUE"
	return &b, true
}

func (d *decoder) int(n *yaml.Node, field string) (int, bool) {
	var v int
	if n.Kind != yaml.ScalarNode || n.Tag != "!!int" || n.Decode(&v) != nil {
		d.errorf(n, field, "want a whole number, got %s", kindName(n))
		return 0, false
	}
	return v, true
}

func (d *decoder) oneOf(n *yaml.Node, field string, allowed ...string) (string, bool) {
	s, ok := d.str(n, field)
	if !ok {
		return "", false
	}
	for _, a := range allowed {
		if s == a {
			return s, true
		}
	}
	d.errorf(n, field, "%q is not one of %s", s, strings.Join(allowed, ", "))
	return "", false
}

func (d *decoder) policy(n *yaml.Node, field string) (ExtraPolicy, bool) {
	s, ok := d.oneOf(n, field, "ignore", "warn", "error")
	return ExtraPolicy(s), ok
}

func (d *decoder) stringList(n *yaml.Node, field string) []string {
	items, ok := d.seq(n, field)
	if !ok {
		return nil
	}
	out := make([]string, 0, len(items))
	for i, it := range items {
		if s, ok := d.nonEmpty(it, fmt.Sprintf("%s[%d]", field, i)); ok {
			out = append(out, s)
		}
	}
	return out
}

// columnList accepts a list of names, or one name for a one-column key.
func (d *decoder) columnList(n *yaml.Node, field string) []string {
	if n.Kind == yaml.ScalarNode {
		if s, ok := d.identifier(n, field); ok {
			return []string{s}
		}
		return nil
	}
	cols := d.stringList(n, field)
	if len(cols) == 0 && len(d.errs) == 0 {
		d.errorf(n, field, "want at least one column")
	}
	seen := map[string]bool{}
	for _, c := range cols {
		if seen[c] {
			d.errorf(n, field, "column %q is listed twice", c)
		}
		seen[c] = true
	}
	return cols
}

// splitName splits a possibly qualified name. Names are literal and
// case-sensitive, as stored in the catalog; double quotes are needed only
// around a part that holds a dot ("my.table"), with "" for a quote.
func splitName(s string) ([]string, error) {
	var parts []string
	var cur strings.Builder
	inQuote, quoted := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case inQuote && c == '"' && i+1 < len(s) && s[i+1] == '"':
			cur.WriteByte('"')
			i++
		case c == '"' && (inQuote || cur.Len() == 0):
			inQuote = !inQuote
			quoted = true
		case !inQuote && c == '.':
			if cur.Len() == 0 && !quoted {
				return nil, fmt.Errorf("empty name part in %q", s)
			}
			parts = append(parts, cur.String())
			cur.Reset()
			quoted = false
		default:
			cur.WriteByte(c)
		}
	}
	if inQuote {
		return nil, fmt.Errorf("unterminated quote in %q", s)
	}
	if cur.Len() == 0 && !quoted {
		return nil, fmt.Errorf("empty name part in %q", s)
	}
	parts = append(parts, cur.String())
	if len(parts) > 2 {
		return nil, fmt.Errorf("%q has %d parts; write table or schema.table (quote a part that holds a dot)", s, len(parts))
	}
	for _, p := range parts {
		if len(p) > 63 {
			return nil, fmt.Errorf("%q is longer than 63 bytes, PostgreSQL's limit for names", p)
		}
	}
	return parts, nil
}

func (d *decoder) name(n *yaml.Node, field, s, defSchema string) (Name, bool) {
	parts, err := splitName(s)
	if err != nil {
		d.errorf(n, field, "%v", err)
		return Name{}, false
	}
	if len(parts) == 1 {
		return Name{Schema: defSchema, Name: parts[0]}, true
	}
	return Name{Schema: parts[0], Name: parts[1]}, true
}

// unique reports an item of a list that declares again what an earlier one
// did (the same key): the comparison pairs items by such keys, so a
// duplicate would hide one of them. It records the key's first position in
// seen.
func (d *decoder) unique(seen map[string]Pos, key string, n *yaml.Node, field, what string) {
	if prev, dup := seen[key]; dup {
		d.errorf(n, field, "%s is declared twice; first at line %d", what, prev.Line)
		return
	}
	seen[key] = d.pos(n)
}
