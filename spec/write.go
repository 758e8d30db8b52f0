package spec

import (
	"bufio"
	"bytes"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Format renders the schema facts of m as a version-1 model file: the
// model-wide settings, tables, enums, functions, sequences, query_files and
// ignore, in the order m holds them. Queries written inline in a model are
// not rendered (a snapshot has none). Each header line becomes a comment at
// the top.
//
// The output is stable and reads like a hand-written model: one line per
// column in flow style ({ type: integer, nullable: false }) with the values
// aligned, keys and scalars quoted only where YAML or [Parse] needs it.
// Parsing the output gives back the same facts.
func Format(m *Model, header ...string) []byte {
	var b bytes.Buffer
	_ = Write(&b, m, header...) // a bytes.Buffer does not fail
	return b.Bytes()
}

// Write writes what [Format] returns to out as it is rendered, through a
// buffer, so that a big model (a snapshot of thousands of tables) is never
// held as one document in memory. The error is out's.
func Write(out io.Writer, m *Model, header ...string) error {
	w := &writer{b: bufio.NewWriterSize(out, 64<<10)}
	for _, h := range header {
		for _, l := range strings.Split(h, "\n") {
			w.line(0, strings.TrimRight("# "+l, " "))
		}
	}
	schema := m.Schema
	if schema == "" {
		schema = "public"
	}
	w.line(0, "version: 1")
	w.line(0, "schema: "+scalar(schema))
	if m.ExtraColumns != "" && m.ExtraColumns != ExtraWarn {
		w.line(0, "extra_columns: "+scalar(string(m.ExtraColumns)))
	}
	if m.RunAs != "" {
		w.line(0, "run_as: "+scalar(m.RunAs))
	}
	if m.Grants != "" {
		w.line(0, "grants: "+scalar(m.Grants))
	}
	if m.Settings != nil {
		w.settings(0, "settings", m.Settings)
	}
	defExtra := m.ExtraColumns
	if defExtra == "" {
		defExtra = ExtraWarn
	}
	if len(m.Tables) > 0 {
		w.line(0, "tables:")
		for _, t := range m.Tables {
			w.table(t, schema, defExtra)
		}
	}
	if len(m.Enums) > 0 {
		w.line(0, "enums:")
		for _, e := range m.Enums {
			key := scalar(FormatName(e.Name, schema))
			if e.Labels == nil {
				w.line(1, key+":")
				continue
			}
			w.line(1, key+": "+flowList(e.Labels))
		}
	}
	if len(m.Functions) > 0 {
		w.line(0, "functions:")
		keys, values := make([]string, len(m.Functions)), make([]string, len(m.Functions))
		for i, f := range m.Functions {
			keys[i], values[i] = scalar(FormatName(f.Name, schema)+"("+strings.Join(f.Args, ", ")+")"), function(f)
		}
		w.aligned(1, keys, values)
	}
	if len(m.Sequences) > 0 {
		w.line(0, "sequences:")
		keys, values := make([]string, len(m.Sequences)), make([]string, len(m.Sequences))
		for i, q := range m.Sequences {
			keys[i], values[i] = scalar(FormatName(q.Name, schema)), sequence(q, schema)
		}
		w.aligned(1, keys, values)
	}
	if m.RoleSettings != nil {
		w.roleSettings(m.RoleSettings)
	}
	if m.DefaultPrivileges != nil {
		w.defaultPrivileges(m.DefaultPrivileges)
	}
	if len(m.QueryFiles) > 0 {
		w.line(0, "query_files: "+flowList(m.QueryFiles))
	}
	if mg := m.Migrations; mg != nil {
		f := []string{"dir: " + scalar(mg.Dir)}
		if mg.Tool != "" {
			f = append(f, "tool: "+scalar(mg.Tool))
		}
		if mg.Table != "" {
			t := quotePart(mg.Table)
			if mg.Schema != "" {
				t = quotePart(mg.Schema) + "." + t
			}
			f = append(f, "table: "+scalar(t))
		}
		w.line(0, "migrations: "+flowMap(f))
	}
	if tf := m.TablesFrom; tf != nil {
		f := []string{tf.Kind() + ": " + scalar(tf.Path())}
		if tf.Tool != "" {
			f = append(f, "tool: "+scalar(tf.Tool))
		}
		w.line(0, "tables_from: "+flowMap(f))
	}
	if len(m.Ignore) > 0 {
		w.line(0, "ignore:")
		for _, wv := range m.Ignore {
			f := []string{"code: " + scalar(wv.Code), "object: " + scalar(wv.Object), "reason: " + scalar(wv.Reason)}
			if wv.Until != "" {
				f = append(f, "until: "+scalar(wv.Until))
			}
			w.line(1, "- "+flowMap(f))
		}
	}
	return w.b.Flush()
}

// FormatName renders a table or enum name as a model key: bare when it is in
// the model's schema, else schema.name; a part that holds a dot, or starts
// with a double quote, is double-quoted (see the model reference).
func FormatName(n Name, modelSchema string) string {
	if n.Schema == modelSchema {
		return quotePart(n.Name)
	}
	return quotePart(n.Schema) + "." + quotePart(n.Name)
}

func quotePart(s string) string {
	if s == "" || strings.Contains(s, ".") || strings.HasPrefix(s, `"`) {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}

// A writer renders lines into a buffered writer, which keeps the first
// write error and returns it from Flush.
type writer struct {
	b *bufio.Writer
}

// line writes one line of the given parts, indented.
func (w *writer) line(indent int, parts ...string) {
	for range indent {
		w.b.WriteString("  ")
	}
	for _, p := range parts {
		w.b.WriteString(p)
	}
	w.b.WriteByte('\n')
}

// spaces holds the padding of aligned values.
const spaces = "                                                                "

// aligned writes key: value lines with the values in one column.
func (w *writer) aligned(indent int, keys, values []string) {
	width := 0
	for _, k := range keys {
		width = max(width, utf8.RuneCountInString(k))
	}
	for i, k := range keys {
		if values[i] == "" {
			w.line(indent, k+":")
			continue
		}
		pad := width - utf8.RuneCountInString(k) + 1
		if pad <= len(spaces) {
			w.line(indent, k, ":", spaces[:pad], values[i])
		} else {
			w.line(indent, k, ":", strings.Repeat(" ", pad), values[i])
		}
	}
}

func (w *writer) table(t *Table, schema string, defExtra ExtraPolicy) {
	key := scalar(FormatName(t.Name, schema))
	empty := (t.Kind == "" || t.Kind == "table") && (t.ExtraColumns == "" || t.ExtraColumns == defExtra) &&
		t.Columns == nil && t.PrimaryKey == nil && t.Unique == nil && t.ForeignKeys == nil && t.Indexes == nil &&
		t.ForbiddenColumns == nil && t.Grants == nil && t.RLS == nil && t.GrantsMode == ""
	if empty {
		w.line(1, key+": {}")
		return
	}
	w.line(1, key+":")
	if t.Kind != "" && t.Kind != "table" {
		w.line(2, "kind: "+scalar(t.Kind))
	}
	if t.ExtraColumns != "" && t.ExtraColumns != defExtra {
		w.line(2, "extra_columns: "+scalar(string(t.ExtraColumns)))
	}
	if t.Columns != nil {
		if len(t.Columns) == 0 {
			w.line(2, "columns: {}")
		} else {
			w.line(2, "columns:")
			keys, values := make([]string, len(t.Columns)), make([]string, len(t.Columns))
			for i, c := range t.Columns {
				keys[i], values[i] = scalar(c.Name), column(c)
			}
			w.aligned(3, keys, values)
		}
	}
	if t.PrimaryKey != nil {
		w.line(2, "primary_key: "+keyText(t.PrimaryKey))
	}
	if t.Unique != nil {
		keys := make([]string, len(t.Unique))
		for i, u := range t.Unique {
			keys[i] = keyText(u)
		}
		w.line(2, "unique: ["+strings.Join(keys, ", ")+"]")
	}
	if len(t.ForeignKeys) > 0 {
		w.line(2, "foreign_keys:")
		for _, fk := range t.ForeignKeys {
			ref := []string{"table: " + scalar(FormatName(fk.References, schema))}
			if fk.RefColumns != nil {
				ref = append(ref, "columns: "+flowList(fk.RefColumns))
			}
			f := []string{"columns: " + flowList(fk.Columns), "references: " + flowMap(ref)}
			if fk.OnDelete != "" {
				f = append(f, "on_delete: "+scalar(fk.OnDelete))
			}
			if fk.OnUpdate != "" {
				f = append(f, "on_update: "+scalar(fk.OnUpdate))
			}
			f = appendBool(f, "deferrable", fk.Deferrable)
			f = appendBool(f, "initially_deferred", fk.InitiallyDeferred)
			f = appendBool(f, "valid", fk.Valid)
			w.line(3, "- "+flowMap(f))
		}
	}
	if len(t.Indexes) > 0 {
		w.line(2, "indexes:")
		for _, ix := range t.Indexes {
			w.line(3, "- "+index(ix))
		}
	}
	if len(t.ForbiddenColumns) > 0 {
		w.line(2, "forbidden_columns:")
		keys, values := make([]string, len(t.ForbiddenColumns)), make([]string, len(t.ForbiddenColumns))
		for i, fc := range t.ForbiddenColumns {
			keys[i] = scalar(fc.Column)
			if fc.Reason != "" {
				values[i] = scalar(fc.Reason)
			}
		}
		w.aligned(3, keys, values)
	}
	if t.Grants != nil {
		if len(t.Grants) == 0 {
			w.line(2, "grants: {}")
		} else {
			w.line(2, "grants:")
			keys, values := make([]string, len(t.Grants)), make([]string, len(t.Grants))
			for i, g := range t.Grants {
				keys[i], values[i] = scalar(g.Role), flowList(g.Privileges)
			}
			w.aligned(3, keys, values)
		}
	}
	if t.GrantsMode != "" {
		w.line(2, "grants_mode: "+scalar(t.GrantsMode))
	}
	if t.RLS != nil {
		w.rls(t.RLS)
	}
}

func (w *writer) rls(r *RLS) {
	var f []string
	if r.Enabled != nil {
		f = append(f, "enabled: "+strconv.FormatBool(*r.Enabled))
	}
	if r.Forced != nil {
		f = append(f, "forced: "+strconv.FormatBool(*r.Forced))
	}
	if r.Policies == nil {
		w.line(2, "row_level_security: "+flowMap(f))
		return
	}
	w.line(2, "row_level_security:")
	for _, s := range f {
		w.line(3, s)
	}
	if len(r.Policies) == 0 {
		w.line(3, "policies: []")
		return
	}
	w.line(3, "policies:")
	for _, p := range r.Policies {
		lines := []string{"name: " + scalar(p.Name)}
		if p.Command != "" {
			lines = append(lines, "command: "+scalar(p.Command))
		}
		if p.Roles != nil {
			lines = append(lines, "roles: "+flowList(p.Roles))
		}
		if p.Using != nil {
			lines = append(lines, "using: "+scalar(*p.Using))
		}
		if p.WithCheck != nil {
			lines = append(lines, "with_check: "+scalar(*p.WithCheck))
		}
		if p.Permissive != nil {
			lines = append(lines, "permissive: "+strconv.FormatBool(*p.Permissive))
		}
		for i, l := range lines {
			if i == 0 {
				w.line(4, "- "+l)
			} else {
				w.line(5, l)
			}
		}
	}
}

// keyText renders a primary or unique key: a flow list of its columns, or a
// flow mapping when the model states more.
func keyText(k *Key) string {
	if k.Deferrable == nil && k.InitiallyDeferred == nil && k.NullsNotDistinct == nil {
		return flowList(k.Columns)
	}
	f := []string{"columns: " + flowList(k.Columns)}
	f = appendBool(f, "deferrable", k.Deferrable)
	f = appendBool(f, "initially_deferred", k.InitiallyDeferred)
	f = appendBool(f, "nulls_not_distinct", k.NullsNotDistinct)
	return flowMap(f)
}

// index renders an index's facts as a flow mapping; a key column is its
// name (or expression) alone, or a flow mapping when it is not the default.
func index(ix *Index) string {
	var f []string
	if ix.Name != "" {
		f = append(f, "name: "+scalar(ix.Name))
	}
	if ix.Method != "" && ix.Method != "btree" {
		f = append(f, "method: "+scalar(ix.Method))
	}
	if ix.Columns != nil {
		cols := make([]string, len(ix.Columns))
		for i, c := range ix.Columns {
			cols[i] = scalar(c)
			if i >= len(ix.Keys) || ix.Keys[i].IsDefault() {
				continue
			}
			k := ix.Keys[i]
			kf := []string{"column: " + scalar(c)}
			if k.Opclass != "" {
				kf = append(kf, "opclass: "+scalar(k.Opclass))
			}
			if k.Collation != "" {
				kf = append(kf, "collation: "+scalar(k.Collation))
			}
			if k.Desc {
				kf = append(kf, "order: desc")
			}
			if k.NullsFirst != nil && *k.NullsFirst != k.Desc {
				kf = append(kf, "nulls: "+map[bool]string{true: "first", false: "last"}[*k.NullsFirst])
			}
			cols[i] = flowMap(kf)
		}
		f = append(f, "columns: ["+strings.Join(cols, ", ")+"]")
	}
	if ix.Include != nil {
		f = append(f, "include: "+flowList(ix.Include))
	}
	if ix.Unique != nil {
		f = append(f, "unique: "+strconv.FormatBool(*ix.Unique))
	}
	if ix.NullsNotDistinct {
		f = append(f, "nulls_not_distinct: true")
	}
	if ix.Where != nil {
		f = append(f, "where: "+scalar(*ix.Where))
	}
	f = appendBool(f, "valid", ix.Valid)
	if ix.Exclude != nil {
		f = append(f, "exclude: "+flowList(ix.Exclude))
	}
	f = appendBool(f, "deferrable", ix.Deferrable)
	f = appendBool(f, "initially_deferred", ix.InitiallyDeferred)
	return flowMap(f)
}

func appendBool(f []string, name string, b *bool) []string {
	if b == nil {
		return f
	}
	return append(f, name+": "+strconv.FormatBool(*b))
}

// column renders a column's facts as a flow mapping.
func column(c *Column) string {
	var f []string
	if c.Type != "" {
		f = append(f, "type: "+scalar(c.Type))
	}
	if c.Nullable != nil {
		f = append(f, "nullable: "+strconv.FormatBool(*c.Nullable))
	}
	if c.HasDefault {
		if c.Default == nil {
			f = append(f, "default: null")
		} else {
			f = append(f, "default: "+scalar(*c.Default))
		}
	}
	if c.Identity != nil {
		if *c.Identity == "" {
			f = append(f, "identity: false")
		} else {
			f = append(f, "identity: "+scalar(*c.Identity))
		}
	}
	if c.Generated != nil {
		if *c.Generated == "" {
			f = append(f, "generated: false")
		} else {
			f = append(f, "generated: "+scalar(*c.Generated))
		}
	}
	if c.Grants != nil {
		g := make([]string, len(c.Grants))
		for i, gr := range c.Grants {
			g[i] = scalar(gr.Role) + ": " + flowList(gr.Privileges)
		}
		f = append(f, "grants: "+flowMap(g))
	}
	return flowMap(f)
}

// function renders a function's facts as a flow mapping.
func function(f *Function) string {
	var out []string
	if f.Returns != "" {
		out = append(out, "returns: "+scalar(f.Returns))
	}
	if f.Security != "" {
		out = append(out, "security: "+f.Security)
	}
	if f.Volatility != "" {
		out = append(out, "volatility: "+f.Volatility)
	}
	if f.Language != "" {
		out = append(out, "language: "+scalar(f.Language))
	}
	if f.SearchPath != nil {
		out = append(out, "search_path: "+flowList(f.SearchPath))
	}
	if f.Grants != nil {
		g := make([]string, len(f.Grants))
		for i, gr := range f.Grants {
			g[i] = scalar(gr.Role) + ": " + flowList(gr.Privileges)
		}
		out = append(out, "grants: "+flowMap(g))
	}
	return flowMap(out)
}

// sequence renders a sequence's facts as a flow mapping.
func sequence(q *Sequence, schema string) string {
	var out []string
	if q.HasOwnedBy {
		if q.OwnedBy == nil {
			out = append(out, "owned_by: null")
		} else {
			out = append(out, "owned_by: "+scalar(FormatName(q.OwnedBy.Table, schema)+"."+quotePart(q.OwnedBy.Column)))
		}
	}
	if q.Grants != nil {
		g := make([]string, len(q.Grants))
		for i, gr := range q.Grants {
			g[i] = scalar(gr.Role) + ": " + flowList(gr.Privileges)
		}
		out = append(out, "grants: "+flowMap(g))
	}
	return flowMap(out)
}

func flowMap(fields []string) string {
	if len(fields) == 0 {
		return "{}"
	}
	return "{ " + strings.Join(fields, ", ") + " }"
}

func flowList(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = scalar(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// isPlain reports whether s has the conservative shape of a scalar written
// without quotes, ^[A-Za-z_][A-Za-z0-9_ .()$+\-/<=]*$: it starts with a
// letter or _, and holds no YAML indicator (: # , [ ] { } quotes & * ! | > %
// @ `), so it reads back as the same string in block and flow context alike.
// A loop, not a regular expression: a snapshot renders a million scalars.
func isPlain(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_':
		case i > 0 && (c >= '0' && c <= '9' || strings.IndexByte(" .()$+-/<=", c) >= 0):
		default:
			return false
		}
	}
	return true
}

// yamlWords are plain scalars that YAML (1.1 or 1.2) reads as something
// other than a string.
var yamlWords = map[string]bool{"true": true, "false": true, "yes": true, "no": true, "on": true, "off": true,
	"y": true, "n": true, "null": true}

// scalar renders s as a YAML scalar that reads back as the string s: plain
// where that is safe, else double-quoted with escapes.
func scalar(s string) string {
	if isPlain(s) && !strings.HasSuffix(s, " ") && !yamlWords[strings.ToLower(s)] {
		return s
	}
	return strconv.Quote(s)
}
