package spec

import (
	"gopkg.in/yaml.v3"
)

// SequencePrivileges is the set of privileges a sequence grant may name:
// USAGE lets a role call nextval and currval, SELECT currval, UPDATE nextval
// and setval.
var SequencePrivileges = []string{"USAGE", "SELECT", "UPDATE"}

// A Sequence represents a declared sequence: one the application uses by
// name (nextval('invite_code_seq')) rather than through a serial or identity
// column, whose sequences are checked without being declared. Each field is
// optional; a field that is not given is not checked.
type Sequence struct {
	Name Name
	Pos  Pos // of the sequence's key
	// HasOwnedBy says the model states the owning column: OwnedBy, or
	// nil for a sequence no column owns (owned_by: null).
	HasOwnedBy bool
	OwnedBy    *ColumnRef
	OwnedByPos Pos
	Grants     []*Grant // USAGE, SELECT, UPDATE by role; nil: not checked
}

// A ColumnRef names a column of a table.
type ColumnRef struct {
	Table  Name
	Column string
}

// String renders the column as schema.table.column, without quoting.
func (c ColumnRef) String() string { return c.Table.String() + "." + c.Column }

func (d *decoder) sequences(m *Model, n *yaml.Node) {
	seen := map[Name]*yaml.Node{}
	m.Sequences = []*Sequence{}
	d.mapping(n, "sequences", func(key string, k, v *yaml.Node) {
		field := join("sequences", key)
		name, ok := d.name(k, field, key, m.Schema)
		if !ok {
			return
		}
		if prev, dup := seen[name]; dup {
			d.errorf(k, field, "sequence %s is declared twice; first at line %d", name, prev.Line)
			return
		}
		seen[name] = k
		s := &Sequence{Name: name, Pos: d.pos(k)}
		m.Sequences = append(m.Sequences, s)
		if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
			return // it must exist
		}
		d.mapping(v, field, func(key string, k, v *yaml.Node) {
			ff := join(field, key)
			switch key {
			case "owned_by":
				s.HasOwnedBy, s.OwnedByPos = true, d.pos(v)
				if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
					return
				}
				if text, ok := d.nonEmpty(v, ff); ok {
					s.OwnedBy = d.columnRef(v, ff, text, m.Schema)
				}
			case "grants":
				s.Grants = d.grantMap(v, ff, SequencePrivileges, "sequence")
			default:
				d.unknown(k, field, key, "owned_by", "grants")
			}
		})
	})
}

// columnRef reads table.column or schema.table.column; a part that holds a
// dot is double-quoted, as in table names.
func (d *decoder) columnRef(n *yaml.Node, field, s, defSchema string) *ColumnRef {
	dot, quoted := -1, false
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '"':
			quoted = !quoted
		case s[i] == '.' && !quoted:
			dot = i
		}
	}
	if dot < 0 {
		d.errorf(n, field, "%q names no column; write table.column or schema.table.column, or null for none", s)
		return nil
	}
	col, err := splitName(s[dot+1:])
	if err != nil || len(col) != 1 {
		d.errorf(n, field, "%q: the column after the last dot is not a name; quote a part that holds a dot", s)
		return nil
	}
	table, ok := d.name(n, field, s[:dot], defSchema)
	if !ok {
		return nil
	}
	return &ColumnRef{Table: table, Column: col[0]}
}
