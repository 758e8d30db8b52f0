package spec

import (
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

func (d *decoder) tables(m *Model, n *yaml.Node) {
	seen := map[Name]*yaml.Node{}
	d.mapping(n, "tables", func(key string, k, v *yaml.Node) {
		field := join("tables", key)
		name, ok := d.name(k, field, key, m.Schema)
		if !ok {
			return
		}
		if prev, dup := seen[name]; dup {
			d.errorf(k, field, "table %s is declared twice; first at line %d", name, prev.Line)
			return
		}
		seen[name] = k
		t := &Table{Name: name, Pos: d.pos(k), Kind: "table", ExtraColumns: m.ExtraColumns}
		if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
			// "users:" alone: the table must exist, nothing more is checked.
			m.Tables = append(m.Tables, t)
			return
		}
		d.table(m, t, v, field)
		m.Tables = append(m.Tables, t)
	})
}

// Kinds is the set of relation kinds a table entry may declare.
var Kinds = []string{"table", "partitioned_table", "view", "materialized_view", "foreign_table"}

func (d *decoder) table(m *Model, t *Table, n *yaml.Node, field string) {
	d.mapping(n, field, func(key string, k, v *yaml.Node) {
		f := join(field, key)
		switch key {
		case "kind":
			if s, ok := d.oneOf(v, f, Kinds...); ok {
				t.Kind, t.KindPos = s, d.pos(v)
			}
		case "extra_columns":
			if p, ok := d.policy(v, f); ok {
				t.ExtraColumns = p
			}
		case "columns":
			d.columns(t, v, f)
		case "primary_key":
			t.PrimaryKey = d.key(v, f, false)
		case "unique":
			items, ok := d.seq(v, f)
			if !ok {
				return
			}
			t.Unique = []*Key{}
			seen := map[string]Pos{}
			for i, it := range items {
				fi := fmt.Sprintf("%s[%d]", f, i)
				k := d.key(it, fi, true)
				sorted := slices.Clone(k.Columns)
				slices.Sort(sorted)
				d.unique(seen, strings.Join(sorted, "\x00"), it, fi, "unique key ("+strings.Join(k.Columns, ", ")+")")
				t.Unique = append(t.Unique, k)
			}
		case "foreign_keys":
			items, ok := d.seq(v, f)
			if !ok {
				return
			}
			seen := map[string]Pos{}
			for i, it := range items {
				fi := fmt.Sprintf("%s[%d]", f, i)
				if fk := d.foreignKey(m, it, fi); fk != nil {
					d.unique(seen, strings.Join(fk.Columns, "\x00")+"\x01"+fk.References.String(), it, fi,
						fmt.Sprintf("foreign key (%s) -> %s", strings.Join(fk.Columns, ", "), fk.References))
					t.ForeignKeys = append(t.ForeignKeys, fk)
				}
			}
		case "indexes":
			items, ok := d.seq(v, f)
			if !ok {
				return
			}
			seen := map[string]Pos{}
			for i, it := range items {
				fi := fmt.Sprintf("%s[%d]", f, i)
				if ix := d.index(it, fi); ix != nil {
					key, what := "name\x00"+ix.Name, "index "+ix.Name
					if ix.Name == "" {
						// Two indexes that differ in anything that changes
						// what they do are two declarations.
						key, what = "def\x00"+IndexIdentity(ix), "index on ("+strings.Join(ix.Columns, ", ")+")"
					}
					d.unique(seen, key, it, fi, what)
					t.Indexes = append(t.Indexes, ix)
				}
			}
		case "forbidden_columns":
			d.forbidden(t, v, f)
		case "grants":
			d.grants(t, v, f)
		case "row_level_security":
			t.RLS = d.rls(v, f)
		case "grants_mode":
			t.GrantsMode, _ = d.oneOf(v, f, GrantModes...)
		default:
			d.unknown(k, field, key, "kind", "columns", "extra_columns", "primary_key", "unique", "foreign_keys", "indexes", "forbidden_columns", "grants", "row_level_security", "grants_mode")
		}
	})
	declared := map[string]bool{}
	for _, c := range t.Columns {
		declared[c.Name] = true
	}
	for _, fc := range t.ForbiddenColumns {
		if declared[fc.Column] {
			d.errs = append(d.errs, &Error{Pos: fc.Pos, Field: join(field, "forbidden_columns."+fc.Column), Msg: "the column is both declared and forbidden"})
		}
	}
}

func (d *decoder) columns(t *Table, n *yaml.Node, field string) {
	d.mapping(n, field, func(key string, k, v *yaml.Node) {
		f := join(field, key)
		if _, ok := d.identifier(k, f); !ok {
			return
		}
		c := &Column{Name: key, Pos: d.pos(k)}
		t.Columns = append(t.Columns, c)
		switch {
		case v.Kind == yaml.ScalarNode && v.Tag == "!!null":
			return // the column must exist; nothing more is checked
		case v.Kind == yaml.ScalarNode:
			// shorthand: "id: integer"
			if s, ok := d.typeName(v, f); ok {
				c.Type, c.TypePos = s, d.pos(v)
			}
			return
		}
		d.mapping(v, f, func(key string, k, v *yaml.Node) {
			ff := join(f, key)
			switch key {
			case "type":
				if s, ok := d.typeName(v, ff); ok {
					c.Type, c.TypePos = s, d.pos(v)
				}
			case "nullable":
				c.Nullable, _ = d.bool(v, ff)
			case "default":
				c.HasDefault = true
				if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
					return
				}
				if s, ok := d.text(v, ff); ok {
					c.Default = &s
				}
			case "identity":
				if v.Kind == yaml.ScalarNode && v.Tag == "!!bool" && v.Value == "false" {
					s := ""
					c.Identity = &s
					return
				}
				if s, ok := d.oneOf(v, ff, "always", "by_default"); ok {
					c.Identity = &s
				}
			case "generated":
				if v.Kind == yaml.ScalarNode && v.Tag == "!!bool" && v.Value == "false" {
					s := ""
					c.Generated = &s
					return
				}
				if s, ok := d.nonEmpty(v, ff); ok {
					c.Generated = &s
				}
			case "grants":
				c.Grants = d.grantMap(v, ff, ColumnPrivileges, "column")
			default:
				d.unknown(k, f, key, "type", "nullable", "default", "identity", "generated", "grants")
			}
		})
	})
}

func (d *decoder) typeName(n *yaml.Node, field string) (string, bool) {
	s, ok := d.nonEmpty(n, field)
	if !ok {
		return "", false
	}
	s = strings.TrimSpace(s)
	if !ValidTypeName(s) {
		d.errorf(n, field, "%q is not a type name (write it as PostgreSQL does: integer, varchar(64), text[], timestamp with time zone, myschema.my_enum)", s)
		return "", false
	}
	return s, true
}

var fkActions = []string{"no_action", "restrict", "cascade", "set_null", "set_default"}

func (d *decoder) foreignKey(m *Model, n *yaml.Node, field string) *ForeignKey {
	fk := &ForeignKey{Pos: d.pos(n)}
	hasRef := false
	ok := d.mapping(n, field, func(key string, k, v *yaml.Node) {
		f := join(field, key)
		switch key {
		case "columns":
			fk.Columns = d.columnList(v, f)
		case "references":
			hasRef = true
			hasTable := false
			d.mapping(v, f, func(key string, k, v *yaml.Node) {
				ff := join(f, key)
				switch key {
				case "table":
					hasTable = true
					if s, ok := d.nonEmpty(v, ff); ok {
						fk.References, _ = d.name(v, ff, s, m.Schema)
					}
				case "columns":
					fk.RefColumns = d.columnList(v, ff)
				default:
					d.unknown(k, f, key, "table", "columns")
				}
			})
			if !hasTable {
				d.errorf(v, join(f, "table"), "missing; say which table the key references")
			}
		case "on_delete":
			fk.OnDelete, _ = d.oneOf(v, f, fkActions...)
		case "on_update":
			fk.OnUpdate, _ = d.oneOf(v, f, fkActions...)
		case "deferrable":
			fk.Deferrable, _ = d.bool(v, f)
		case "initially_deferred":
			fk.InitiallyDeferred, _ = d.bool(v, f)
		case "valid":
			fk.Valid, _ = d.bool(v, f)
		default:
			d.unknown(k, field, key, "columns", "references", "on_delete", "on_update", "deferrable", "initially_deferred", "valid")
		}
	})
	if !ok {
		return nil
	}
	if fk.Columns == nil {
		d.errorf(n, join(field, "columns"), "missing; say which columns hold the key")
	}
	if !hasRef {
		d.errorf(n, join(field, "references"), "missing; say which table the key references")
	}
	if fk.RefColumns != nil && fk.Columns != nil && len(fk.RefColumns) != len(fk.Columns) {
		d.errorf(n, join(field, "references.columns"), "%d referenced columns for %d key columns", len(fk.RefColumns), len(fk.Columns))
	}
	return fk
}

// key reads a primary key or a unique key: a list of columns (one name
// for a one-column key), or a mapping with the columns and how the key is
// checked; withNulls allows nulls_not_distinct (a unique key's).
func (d *decoder) key(n *yaml.Node, field string, withNulls bool) *Key {
	k := &Key{Pos: d.pos(n)}
	if n.Kind != yaml.MappingNode {
		k.Columns = d.columnList(n, field)
		return k
	}
	allowed := []string{"columns", "deferrable", "initially_deferred"}
	if withNulls {
		allowed = append(allowed, "nulls_not_distinct")
	}
	d.mapping(n, field, func(key string, kn, v *yaml.Node) {
		f := join(field, key)
		switch {
		case key == "columns":
			k.Columns = d.columnList(v, f)
		case key == "deferrable":
			k.Deferrable, _ = d.bool(v, f)
		case key == "initially_deferred":
			k.InitiallyDeferred, _ = d.bool(v, f)
		case key == "nulls_not_distinct" && withNulls:
			k.NullsNotDistinct, _ = d.bool(v, f)
		default:
			d.unknown(kn, field, key, allowed...)
		}
	})
	if k.Columns == nil {
		d.errorf(n, join(field, "columns"), "missing; say which columns hold the key")
	}
	return k
}

func (d *decoder) index(n *yaml.Node, field string) *Index {
	ix := &Index{Pos: d.pos(n)}
	ok := d.mapping(n, field, func(key string, k, v *yaml.Node) {
		f := join(field, key)
		switch key {
		case "name":
			ix.Name, _ = d.identifier(v, f)
		case "method":
			ix.Method, _ = d.identifier(v, f)
		case "columns":
			d.indexColumns(ix, v, f)
		case "include":
			ix.Include = d.columnList(v, f)
		case "unique":
			ix.Unique, _ = d.bool(v, f)
		case "nulls_not_distinct":
			if b, ok := d.bool(v, f); ok && b != nil {
				ix.NullsNotDistinct = *b
			}
		case "where":
			if s, ok := d.nonEmpty(v, f); ok {
				ix.Where = &s
			}
		case "valid":
			ix.Valid, _ = d.bool(v, f)
		case "exclude":
			ix.Exclude = d.stringList(v, f)
			if len(ix.Exclude) == 0 && len(d.errs) == 0 {
				d.errorf(v, f, "want one operator per key column")
			}
		case "deferrable":
			ix.Deferrable, _ = d.bool(v, f)
		case "initially_deferred":
			ix.InitiallyDeferred, _ = d.bool(v, f)
		default:
			d.unknown(k, field, key, "name", "method", "columns", "include", "unique", "nulls_not_distinct", "where", "valid",
				"exclude", "deferrable", "initially_deferred")
		}
	})
	if !ok {
		return nil
	}
	if ix.Columns == nil && ix.Name == "" {
		d.errorf(n, join(field, "columns"), "missing; say which columns (or expressions) the index covers")
	}
	if ix.Exclude != nil && ix.Columns != nil && len(ix.Exclude) != len(ix.Columns) {
		d.errorf(n, join(field, "exclude"), "%d operators for %d key columns", len(ix.Exclude), len(ix.Columns))
	}
	return ix
}

// indexColumns reads an index's key columns: each a column name or an
// expression, or a mapping with the column (or expression) and how it is
// compared and ordered: opclass, collation, order (asc, desc), nulls
// (first, last).
func (d *decoder) indexColumns(ix *Index, n *yaml.Node, field string) {
	if n.Kind == yaml.ScalarNode {
		ix.Columns = d.columnList(n, field)
		return
	}
	items, ok := d.seq(n, field)
	if !ok {
		return
	}
	if len(items) == 0 {
		d.errorf(n, field, "want at least one column")
		return
	}
	cols, keys := make([]string, 0, len(items)), make([]IndexKey, 0, len(items))
	stated := false
	for i, it := range items {
		fi := fmt.Sprintf("%s[%d]", field, i)
		if it.Kind != yaml.MappingNode {
			if s, ok := d.nonEmpty(it, fi); ok {
				cols, keys = append(cols, s), append(keys, IndexKey{})
			}
			continue
		}
		var col string
		var k IndexKey
		d.mapping(it, fi, func(key string, kn, v *yaml.Node) {
			f := join(fi, key)
			switch key {
			case "column":
				col, _ = d.nonEmpty(v, f)
			case "opclass":
				k.Opclass, _ = d.nonEmpty(v, f)
			case "collation":
				k.Collation, _ = d.nonEmpty(v, f)
			case "order":
				if s, ok := d.oneOf(v, f, "asc", "desc"); ok {
					k.Desc = s == "desc"
				}
			case "nulls":
				if s, ok := d.oneOf(v, f, "first", "last"); ok {
					first := s == "first"
					k.NullsFirst = &first
				}
			default:
				d.unknown(kn, fi, key, "column", "opclass", "collation", "order", "nulls")
			}
		})
		if col == "" {
			d.errorf(it, join(fi, "column"), "missing; say which column (or expression) the key is")
			continue
		}
		stated = stated || !k.IsDefault()
		cols, keys = append(cols, col), append(keys, k)
	}
	ix.Columns = cols
	if stated {
		ix.Keys = keys
	}
}

// IndexIdentity renders everything that changes what an index declared
// with columns does, with the defaults filled in: two declarations with
// the same identity declare the same index.
func IndexIdentity(ix *Index) string {
	var b strings.Builder
	method := ix.Method
	if method == "" {
		method = "btree"
	}
	fmt.Fprintf(&b, "%s\x00%d", method, len(ix.Columns))
	for i, c := range ix.Columns {
		k := IndexKey{}
		if i < len(ix.Keys) {
			k = ix.Keys[i]
		}
		first := k.Desc
		if k.NullsFirst != nil {
			first = *k.NullsFirst
		}
		fmt.Fprintf(&b, "\x00%q %q %q %v %v", c, k.Opclass, k.Collation, k.Desc, first)
	}
	fmt.Fprintf(&b, "\x01%q\x01%v\x01%v\x01%q\x01%q", ix.Include, ix.Unique != nil && *ix.Unique, ix.NullsNotDistinct, ix.Exclude, ptrString(ix.Where))
	if ix.Valid != nil {
		fmt.Fprintf(&b, "\x01valid=%v", *ix.Valid)
	}
	return b.String()
}

func ptrString(s *string) string {
	if s == nil {
		return "\x00none"
	}
	return *s
}

func (d *decoder) forbidden(t *Table, n *yaml.Node, field string) {
	if n.Kind == yaml.SequenceNode {
		items, _ := d.seq(n, field)
		for i, it := range items {
			if s, ok := d.identifier(it, fmt.Sprintf("%s[%d]", field, i)); ok {
				t.ForbiddenColumns = append(t.ForbiddenColumns, &Forbidden{Column: s, Pos: d.pos(it)})
			}
		}
		return
	}
	d.mapping(n, field, func(key string, k, v *yaml.Node) {
		f := join(field, key)
		fc := &Forbidden{Column: key, Pos: d.pos(k)}
		if !(v.Kind == yaml.ScalarNode && v.Tag == "!!null") {
			fc.Reason, _ = d.str(v, f)
		}
		t.ForbiddenColumns = append(t.ForbiddenColumns, fc)
	})
}
