package spec

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// MaxFileSize is the largest model or query file read. A model that size is
// far beyond any RBAC schema; the limit keeps memory bounded on a wrong file.
const MaxFileSize = 4 << 20

// maxErrors is how many problems one parse reports before it stops.
const maxErrors = 50

// Load reads and parses the model file at path, then reads the query files it
// names (relative to the model file's folder).
func Load(path string) (*Model, error) {
	data, err := readFile(path)
	if err != nil {
		return nil, err
	}
	m, err := Parse(path, data)
	if err != nil {
		return nil, err
	}
	if err := m.loadQueryFiles(filepath.Dir(path)); err != nil {
		return nil, err
	}
	return m, nil
}

func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, Errors{{Pos: Pos{File: path}, Msg: "cannot read: " + describeOSError(err)}}
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return nil, Errors{{Pos: Pos{File: path}, Msg: "is a directory, not a model file"}}
	}
	var buf bytes.Buffer
	n, err := buf.ReadFrom(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, Errors{{Pos: Pos{File: path}, Msg: "cannot read: " + describeOSError(err)}}
	}
	if n > MaxFileSize {
		return nil, Errors{{Pos: Pos{File: path}, Msg: fmt.Sprintf("file is larger than %d MiB; a model file is a few kilobytes (is this the right file?)", MaxFileSize>>20)}}
	}
	return buf.Bytes(), nil
}

func describeOSError(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// Parse decodes a model from data; file names it in positions.
func Parse(file string, data []byte) (*Model, error) {
	d := &decoder{file: file}
	m := d.model(data)
	if len(d.errs) > 0 {
		return nil, d.errs
	}
	return m, nil
}

type decoder struct {
	file string
	errs Errors
}

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

func (d *decoder) model(data []byte) *Model {
	if bytes.IndexByte(data, 0) >= 0 || !utf8.Valid(data) {
		d.errorf(nil, "", "not a text file (binary content); a model file is YAML")
		return nil
	}
	if len(bytes.TrimSpace(data)) == 0 {
		d.errorf(nil, "", "file is empty; a model starts with \"version: 1\"")
		return nil
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		msg := err.Error()
		line := 0
		if mm := yamlLine.FindStringSubmatch(msg); mm != nil {
			fmt.Sscan(mm[1], &line)
			msg = mm[2]
		}
		msg = strings.TrimPrefix(msg, "yaml: ")
		d.errs = append(d.errs, &Error{Pos: Pos{File: d.file, Line: line}, Msg: "invalid YAML: " + msg})
		return nil
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		d.errorf(&extra, "", "a model file holds one YAML document; found a second one")
		return nil
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind != yaml.MappingNode {
		d.errorf(root, "", "want a mapping with \"version: 1\" at the top, got %s", kindName(root))
		return nil
	}
	m := &Model{File: d.file, Schema: "public", ExtraColumns: ExtraWarn}
	var tablesNode, enumsNode, queriesNode *yaml.Node
	hasVersion := false
	d.mapping(root, "", func(key string, k, v *yaml.Node) {
		switch key {
		case "version":
			hasVersion = true
			if n, ok := d.int(v, key); ok && n != 1 {
				d.errorf(v, key, "unsupported version %d; this rbacdrift reads version 1", n)
			}
			m.Version = 1
		case "schema":
			if s, ok := d.identifier(v, key); ok {
				m.Schema = s
			}
		case "extra_columns":
			if p, ok := d.policy(v, key); ok {
				m.ExtraColumns = p
			}
		case "tables":
			tablesNode = v
		case "enums":
			enumsNode = v
		case "run_as":
			if s, ok := d.identifier(v, key); ok {
				m.RunAs, m.RunAsPos = s, d.pos(v)
			}
		case "queries":
			queriesNode = v
		case "query_files":
			m.QueryFiles, m.QueryFilesPos = d.stringList(v, key), d.pos(v)
		case "ignore":
			m.Ignore = d.waivers(v, key)
		default:
			d.unknown(k, "", key, "version", "schema", "extra_columns", "tables", "enums", "run_as", "queries", "query_files", "ignore")
		}
	})
	if !hasVersion {
		d.errorf(root, "version", "missing; a model starts with \"version: 1\"")
	}
	if tablesNode != nil {
		d.tables(m, tablesNode)
	}
	if enumsNode != nil {
		d.enums(m, enumsNode)
	}
	if queriesNode != nil {
		d.queries(m, queriesNode)
		lines := strings.Split(string(data), "\n")
		for _, q := range m.Queries {
			fixLiteral(q, lines)
		}
	}
	return m
}

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
			t.PrimaryKey = &Key{Columns: d.columnList(v, f), Pos: d.pos(v)}
		case "unique":
			items, ok := d.seq(v, f)
			if !ok {
				return
			}
			t.Unique = []*Key{}
			for i, it := range items {
				t.Unique = append(t.Unique, &Key{Columns: d.columnList(it, fmt.Sprintf("%s[%d]", f, i)), Pos: d.pos(it)})
			}
		case "foreign_keys":
			items, ok := d.seq(v, f)
			if !ok {
				return
			}
			for i, it := range items {
				if fk := d.foreignKey(m, it, fmt.Sprintf("%s[%d]", f, i)); fk != nil {
					t.ForeignKeys = append(t.ForeignKeys, fk)
				}
			}
		case "indexes":
			items, ok := d.seq(v, f)
			if !ok {
				return
			}
			for i, it := range items {
				if ix := d.index(it, fmt.Sprintf("%s[%d]", f, i)); ix != nil {
					t.Indexes = append(t.Indexes, ix)
				}
			}
		case "forbidden_columns":
			d.forbidden(t, v, f)
		case "grants":
			d.grants(t, v, f)
		case "row_level_security":
			t.RLS = d.rls(v, f)
		default:
			d.unknown(k, field, key, "kind", "columns", "extra_columns", "primary_key", "unique", "foreign_keys", "indexes", "forbidden_columns", "grants", "row_level_security")
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
			default:
				d.unknown(k, f, key, "type", "nullable", "default", "identity", "generated")
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
		default:
			d.unknown(k, field, key, "columns", "references", "on_delete", "on_update")
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

func (d *decoder) index(n *yaml.Node, field string) *Index {
	ix := &Index{Pos: d.pos(n)}
	ok := d.mapping(n, field, func(key string, k, v *yaml.Node) {
		f := join(field, key)
		switch key {
		case "name":
			ix.Name, _ = d.identifier(v, f)
		case "columns":
			ix.Columns = d.columnList(v, f)
		case "unique":
			ix.Unique, _ = d.bool(v, f)
		case "where":
			if s, ok := d.nonEmpty(v, f); ok {
				ix.Where = &s
			}
		default:
			d.unknown(k, field, key, "name", "columns", "unique", "where")
		}
	})
	if !ok {
		return nil
	}
	if ix.Columns == nil && ix.Name == "" {
		d.errorf(n, join(field, "columns"), "missing; say which columns (or expressions) the index covers")
	}
	return ix
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

// Privileges is the set of table privileges a grant may name.
var Privileges = []string{"SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER"}

func (d *decoder) grants(t *Table, n *yaml.Node, field string) {
	t.Grants = []*Grant{}
	d.mapping(n, field, func(key string, k, v *yaml.Node) {
		f := join(field, key)
		if _, ok := d.identifier(k, f); !ok {
			return
		}
		g := &Grant{Role: key, Pos: d.pos(k)}
		var privs []string
		if v.Kind == yaml.ScalarNode {
			if s, ok := d.nonEmpty(v, f); ok {
				privs = []string{s}
			}
		} else {
			privs = d.stringList(v, f)
		}
		seen := map[string]bool{}
		for _, p := range privs {
			up := strings.ToUpper(strings.TrimSpace(p))
			if up == "ALL" || up == "ALL PRIVILEGES" {
				for _, a := range Privileges {
					if !seen[a] {
						g.Privileges = append(g.Privileges, a)
						seen[a] = true
					}
				}
				continue
			}
			valid := false
			for _, a := range Privileges {
				valid = valid || a == up
			}
			if !valid {
				d.errorf(v, f, "%q is not a table privilege (one of %s, or ALL)", p, strings.Join(Privileges, ", "))
				continue
			}
			if !seen[up] {
				g.Privileges = append(g.Privileges, up)
				seen[up] = true
			}
		}
		t.Grants = append(t.Grants, g)
	})
}

var policyCommands = []string{"ALL", "SELECT", "INSERT", "UPDATE", "DELETE"}

func (d *decoder) rls(n *yaml.Node, field string) *RLS {
	r := &RLS{Pos: d.pos(n)}
	d.mapping(n, field, func(key string, k, v *yaml.Node) {
		f := join(field, key)
		switch key {
		case "enabled":
			r.Enabled, _ = d.bool(v, f)
		case "forced":
			r.Forced, _ = d.bool(v, f)
		case "policies":
			items, ok := d.seq(v, f)
			if !ok {
				return
			}
			r.Policies = []*Policy{}
			for i, it := range items {
				if p := d.rlsPolicy(it, fmt.Sprintf("%s[%d]", f, i)); p != nil {
					r.Policies = append(r.Policies, p)
				}
			}
		default:
			d.unknown(k, field, key, "enabled", "forced", "policies")
		}
	})
	return r
}

func (d *decoder) rlsPolicy(n *yaml.Node, field string) *Policy {
	p := &Policy{Pos: d.pos(n)}
	ok := d.mapping(n, field, func(key string, k, v *yaml.Node) {
		f := join(field, key)
		switch key {
		case "name":
			p.Name, _ = d.identifier(v, f)
		case "command":
			if s, ok := d.str(v, f); ok {
				up := strings.ToUpper(s)
				for _, c := range policyCommands {
					if c == up {
						p.Command = up
					}
				}
				if p.Command == "" {
					d.errorf(v, f, "%q is not one of %s", s, strings.Join(policyCommands, ", "))
				}
			}
		case "roles":
			if v.Kind == yaml.ScalarNode {
				if s, ok := d.identifier(v, f); ok {
					p.Roles = []string{s}
				}
			} else {
				p.Roles = d.stringList(v, f)
			}
		case "using":
			if s, ok := d.nonEmpty(v, f); ok {
				p.Using = &s
			}
		case "with_check":
			if s, ok := d.nonEmpty(v, f); ok {
				p.WithCheck = &s
			}
		case "permissive":
			p.Permissive, _ = d.bool(v, f)
		default:
			d.unknown(k, field, key, "name", "command", "roles", "using", "with_check", "permissive")
		}
	})
	if !ok {
		return nil
	}
	if p.Name == "" {
		d.errorf(n, join(field, "name"), "missing; a policy is known by its name")
		return nil
	}
	return p
}

func (d *decoder) enums(m *Model, n *yaml.Node) {
	seen := map[Name]*yaml.Node{}
	d.mapping(n, "enums", func(key string, k, v *yaml.Node) {
		field := join("enums", key)
		name, ok := d.name(k, field, key, m.Schema)
		if !ok {
			return
		}
		if prev, dup := seen[name]; dup {
			d.errorf(k, field, "enum %s is declared twice; first at line %d", name, prev.Line)
			return
		}
		seen[name] = k
		e := &Enum{Name: name, Pos: d.pos(k)}
		if !(v.Kind == yaml.ScalarNode && v.Tag == "!!null") {
			items, ok := d.seq(v, field)
			if !ok {
				return
			}
			e.Labels = []string{}
			labels := map[string]bool{}
			for i, it := range items {
				// labels are text: "yes" or 1 are labels too
				s, ok := d.text(it, fmt.Sprintf("%s[%d]", field, i))
				if !ok {
					continue
				}
				if labels[s] {
					d.errorf(it, field, "label %q is listed twice", s)
				}
				labels[s] = true
				e.Labels = append(e.Labels, s)
			}
		}
		m.Enums = append(m.Enums, e)
	})
}

func (d *decoder) waivers(n *yaml.Node, field string) []*Waiver {
	items, ok := d.seq(n, field)
	if !ok {
		return nil
	}
	var out []*Waiver
	for i, it := range items {
		f := fmt.Sprintf("%s[%d]", field, i)
		w := &Waiver{Pos: d.pos(it)}
		ok := d.mapping(it, f, func(key string, k, v *yaml.Node) {
			ff := join(f, key)
			switch key {
			case "code":
				w.Code, _ = d.nonEmpty(v, ff)
			case "object":
				if s, ok := d.nonEmpty(v, ff); ok {
					if _, err := matchGlob(s, ""); err != nil {
						d.errorf(v, ff, "%q is not a valid glob: %v", s, err)
					} else {
						w.Object = s
					}
				}
			case "reason":
				w.Reason, _ = d.nonEmpty(v, ff)
			case "until":
				s, ok := d.text(v, ff)
				if !ok {
					return
				}
				if _, err := time.Parse("2006-01-02", s); err != nil {
					d.errorf(v, ff, "%q is not a date; write YYYY-MM-DD", s)
					return
				}
				w.Until = s
			default:
				d.unknown(k, f, key, "code", "object", "reason", "until")
			}
		})
		if !ok {
			continue
		}
		if w.Code == "" {
			d.errorf(it, join(f, "code"), "missing; say which finding code the waiver covers (or \"*\")")
		}
		if w.Object == "" {
			d.errorf(it, join(f, "object"), "missing; say which object the waiver covers (a glob such as public.role_permissions.*)")
		}
		if w.Reason == "" {
			d.errorf(it, join(f, "reason"), "missing; a waiver must say why the finding is accepted")
		}
		out = append(out, w)
	}
	return out
}
