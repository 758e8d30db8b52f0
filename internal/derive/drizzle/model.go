package drizzle

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/rbacdrift/rbacdrift/drift"
	"github.com/rbacdrift/rbacdrift/internal/safefile"
	"github.com/rbacdrift/rbacdrift/internal/sqllex"

	"github.com/rbacdrift/rbacdrift/spec"
)

// Header returns the comment lines that head the YAML derived from the
// snapshot at path: where it came from and what a drizzle-kit snapshot
// cannot say, so a reader knows what is left unchecked.
func Header(path string) string {
	return "model derived from " + path + " by rbacdrift\n" +
		"a drizzle-kit snapshot does not say, so this model leaves unchecked: grants, FORCE ROW LEVEL\n" +
		"SECURITY, check constraints, sequences, roles, views, policies declared outside their table,\n" +
		"and what the migrations' SQL does beyond the snapshot (statements written by hand)"
}

// FromFile returns the model of the newest snapshot of a drizzle-kit
// migrations folder (see [Snapshot]), or of the snapshot file at path.
func FromFile(path string) (*spec.Model, error) {
	dir, rel, err := locate(path)
	if err != nil {
		return nil, err
	}
	var data []byte
	if dir == "" {
		data, err = safefile.ReadFile(path, safefile.MaxSchema, "a drizzle-kit snapshot")
	} else {
		data, err = safefile.ReadFileIn(dir, rel, safefile.MaxSchema, "a drizzle-kit snapshot")
		path = filepath.Join(dir, rel)
	}
	if err != nil {
		return nil, fmt.Errorf("reading drizzle snapshot: %w", err)
	}
	return Parse(path, data)
}

// Snapshot returns the snapshot that describes the schema after the last
// migration of the folder at path: with meta/_journal.json (drizzle-kit
// before 1.0), meta/NNNN_snapshot.json of the journal's last entry; else
// (drizzle-kit 1.0) the snapshot.json of the last migration folder, whose
// names start with their timestamp. A path that is a file is the snapshot.
func Snapshot(path string) (string, error) {
	dir, rel, err := locate(path)
	if err != nil || dir == "" {
		return path, err
	}
	return filepath.Join(dir, rel), nil
}

// locate finds the snapshot as [Snapshot] says: rel, a file of the folder
// dir, which must not lead out of it (a link, a journal's entry); or, when
// path is a file, dir and rel are empty.
func locate(path string) (dir, rel string, err error) {
	st, err := os.Stat(path)
	if err != nil {
		return "", "", fmt.Errorf("reading drizzle migrations: %w", err)
	}
	if !st.IsDir() {
		return "", "", nil
	}
	meta := "meta"
	if filepath.Base(path) == "meta" {
		meta = "."
	}
	jpath := filepath.Join(path, meta, "_journal.json")
	if data, err := safefile.ReadFileIn(path, filepath.Join(meta, "_journal.json"), safefile.MaxSchema, "a drizzle-kit journal"); err == nil {
		ix, err := indexJSON(jpath, data)
		if err != nil {
			return "", "", err
		}
		var j journal
		if err := ix.decode(&j); err != nil {
			return "", "", err
		}
		if j.Dialect != "postgresql" && j.Dialect != "pg" {
			return "", "", ix.errorIn([]string{"dialect"}, "dialect is %q: only postgresql is supported", j.Dialect)
		}
		if len(j.Entries) == 0 {
			return "", "", ix.errorIn([]string{"entries"}, "the journal lists no migration")
		}
		last := j.Entries[len(j.Entries)-1]
		return path, filepath.Join(meta, fmt.Sprintf("%04d_snapshot.json", last.Idx)), nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", "", fmt.Errorf("reading drizzle journal: %w", err)
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return "", "", fmt.Errorf("reading drizzle migrations: %w", err)
	}
	var dirs []string
	for _, e := range entries {
		if e.IsDir() {
			if _, err := os.Stat(filepath.Join(path, e.Name(), "snapshot.json")); err == nil {
				dirs = append(dirs, e.Name())
			}
		}
	}
	if len(dirs) == 0 {
		return "", "", fmt.Errorf("%s: no drizzle-kit snapshot: neither meta/_journal.json nor a migration folder with snapshot.json", path)
	}
	slices.Sort(dirs)
	return path, filepath.Join(dirs[len(dirs)-1], "snapshot.json"), nil
}

// Parse maps the drizzle-kit snapshot data, read from file, to a model.
func Parse(file string, data []byte) (*spec.Model, error) {
	ix, err := indexJSON(file, data)
	if err != nil {
		return nil, err
	}
	var h header
	if err := ix.decode(&h); err != nil {
		return nil, err
	}
	m := &spec.Model{File: file, Version: 1, Schema: "public", ExtraColumns: spec.ExtraWarn}
	switch {
	case h.Version == "8" && h.Dialect == "postgres":
		var s snapshot8
		if err := ix.decode(&s); err != nil {
			return nil, err
		}
		err = mapV8(ix, &s, m)
	case (h.Version == "7" || h.Version == "6") && h.Dialect == "postgresql", h.Version == "5" && h.Dialect == "pg":
		var s snapshot7
		if err := ix.decode(&s); err != nil {
			return nil, err
		}
		err = mapV7(ix, &s, m)
	case h.Dialect != "postgresql" && h.Dialect != "postgres" && h.Dialect != "pg":
		return nil, ix.errorIn([]string{"dialect"}, "dialect is %q: only postgresql is supported", h.Dialect)
	default:
		return nil, ix.errorIn([]string{"version"}, "snapshot version %q is not one rbacdrift reads (5 to 8)", h.Version)
	}
	if err != nil {
		return nil, err
	}
	return m, nil
}

// typeNamer renders column types, knowing the snapshot's enums.
type typeNamer struct {
	enums map[spec.Name]bool
	bare  map[string]string // enum name -> its schema, for snapshots that do not record typeSchema
}

// columnType renders a drizzle column type as a model type: an enum by its
// name (bare in public, the checker resolves it there; else qualified), a
// serial type as itself, any other type as drizzle wrote it when it is a
// plain type name. "" leaves the type unchecked.
func (tn typeNamer) columnType(typ, typeSchema string, dims int) string {
	arr := strings.Repeat("[]", dims)
	base := typ
	for strings.HasSuffix(base, "[]") {
		base, arr = strings.TrimSuffix(base, "[]"), arr+"[]"
	}
	schema, name := typeSchema, base
	if s, n, ok := splitQuoted(base); ok {
		schema, name = s, n
	} else if strings.HasPrefix(base, `"`) && strings.HasSuffix(base, `"`) && len(base) > 1 {
		name = strings.ReplaceAll(base[1:len(base)-1], `""`, `"`)
	}
	if schema == "" {
		schema = tn.bare[name]
	}
	if schema != "" && tn.enums[spec.Name{Schema: schema, Name: name}] {
		if schema == "public" {
			return name + arr
		}
		return drift.QuoteIdent(schema) + "." + drift.QuoteIdent(name) + arr
	}
	if !spec.ValidTypeName(base) {
		return ""
	}
	return base + arr
}

// splitQuoted splits "schema"."name".
func splitQuoted(s string) (string, string, bool) {
	if !strings.HasPrefix(s, `"`) {
		return "", "", false
	}
	a, b, ok := strings.Cut(s[1:], `"."`)
	if !ok || !strings.HasSuffix(b, `"`) {
		return "", "", false
	}
	return a, strings.TrimSuffix(b, `"`), true
}

// serialTypes are CREATE TABLE shorthands: an integer with a sequence
// default, which the model states as the type and a by_default identity.
var serialTypes = map[string]bool{"serial": true, "bigserial": true, "smallserial": true}

// action maps drizzle's referential actions ("cascade", "no action"; "NO
// ACTION" in 1.0) to the model's; none given is PostgreSQL's NO ACTION.
func action(s string) (string, bool) {
	if s == "" {
		return "no_action", true
	}
	a := strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), " ", "_")
	switch a {
	case "no_action", "restrict", "cascade", "set_null", "set_default":
		return a, true
	}
	return "", false
}

func mapV7(ix *jsonIndex, s *snapshot7, m *spec.Model) error {
	tn := typeNamer{enums: map[spec.Name]bool{}, bare: map[string]string{}}
	for _, key := range ix.order("enums") {
		e := s.Enums[key]
		schema := cmp.Or(e.Schema, "public")
		if e.Schema == "" && strings.Contains(key, ".") {
			schema, _, _ = strings.Cut(key, ".")
		}
		labels, err := enumValues(ix, e.Values, "enums", key, "values")
		if err != nil {
			return err
		}
		n := spec.Name{Schema: schema, Name: e.Name}
		tn.enums[n] = true
		tn.bare[e.Name] = schema
		m.Enums = append(m.Enums, &spec.Enum{Name: n, Labels: labels, Pos: ix.posOf("enums", key)})
	}
	for _, key := range ix.order("tables") {
		t := s.Tables[key]
		p := []string{"tables", key}
		st := &spec.Table{Name: spec.Name{Schema: cmp.Or(t.Schema, "public"), Name: t.Name}, Kind: "table",
			Pos: ix.posOf(p...), Columns: []*spec.Column{}}
		for _, ck := range ix.order(append(p, "columns")...) {
			c := t.Columns[ck]
			cp := append(p[:2:2], "columns", ck)
			sc := &spec.Column{Name: c.Name, Pos: ix.posOf(cp...), TypePos: ix.posOf(append(cp, "type")...),
				Type: tn.columnType(c.Type, c.TypeSchema, 0), Nullable: pointerTo(!c.NotNull)}
			switch {
			case serialTypes[c.Type]:
				sc.Identity = pointerTo("by_default")
			case c.Identity != nil:
				sc.Identity = pointerTo(map[string]string{"always": "always", "byDefault": "by_default"}[c.Identity.Type])
			case c.Generated != nil:
				sc.Generated = pointerTo(c.Generated.As)
			default:
				d, err := defaultV7(ix, c.Default, append(cp, "default"))
				if err != nil {
					return err
				}
				if d != nil {
					sc.HasDefault, sc.Default = true, d
				}
			}
			st.Columns = append(st.Columns, sc)
			if c.PrimaryKey {
				st.PrimaryKey = &spec.Key{Columns: []string{c.Name}, Pos: sc.Pos}
			}
			if len(c.IsUnique) > 0 && string(c.IsUnique) != "false" && string(c.IsUnique) != "null" {
				st.Unique = append(st.Unique, &spec.Key{Columns: []string{c.Name}, Pos: sc.Pos})
			}
		}
		for _, k := range ix.order(append(p, "compositePrimaryKeys")...) {
			st.PrimaryKey = &spec.Key{Columns: t.CompositePrimaryKeys[k].Columns, Pos: ix.posOf(append(p, "compositePrimaryKeys", k)...)}
		}
		for _, k := range ix.order(append(p, "uniqueConstraints")...) {
			st.Unique = append(st.Unique, &spec.Key{Columns: t.UniqueConstraints[k].Columns, Pos: ix.posOf(append(p, "uniqueConstraints", k)...)})
		}
		for _, k := range ix.order(append(p, "foreignKeys")...) {
			fk := t.ForeignKeys[k]
			fp := append(p[:2:2], "foreignKeys", k)
			onDelete, ok := action(fk.OnDelete)
			if !ok {
				return ix.errorIn(append(fp, "onDelete"), "unknown referential action %q", fk.OnDelete)
			}
			onUpdate, ok := action(fk.OnUpdate)
			if !ok {
				return ix.errorIn(append(fp, "onUpdate"), "unknown referential action %q", fk.OnUpdate)
			}
			st.ForeignKeys = append(st.ForeignKeys, &spec.ForeignKey{Columns: fk.ColumnsFrom,
				References: spec.Name{Schema: cmp.Or(fk.SchemaTo, "public"), Name: fk.TableTo}, RefColumns: fk.ColumnsTo,
				OnDelete: onDelete, OnUpdate: onUpdate, Pos: ix.posOf(fp...)})
		}
		for _, k := range ix.order(append(p, "indexes")...) {
			in := t.Indexes[k]
			ip := append(p[:2:2], "indexes", k)
			cols, keys, err := indexColumns7(ix, in.Columns, append(ip, "columns"))
			if err != nil {
				return err
			}
			st.Indexes = append(st.Indexes, &spec.Index{Method: indexMethod(in.Method), Columns: cols, Keys: keys,
				Unique: pointerTo(in.IsUnique), Where: in.Where, Pos: ix.posOf(ip...)})
		}
		var policies []*spec.Policy
		for _, k := range ix.order(append(p, "policies")...) {
			pl := t.Policies[k]
			policies = append(policies, policy(pl.Name, pl.As, pl.For, pl.To, pl.Using, pl.WithCheck, ix.posOf(append(p, "policies", k)...)))
		}
		st.RLS = rls(t.IsRLSEnabled, policies, st.Pos)
		m.Tables = append(m.Tables, st)
	}
	return nil
}

// rls states what drizzle-kit does: it enables row-level security for a
// table marked so or with policies, and leaves FORCE alone.
func rls(enabled bool, policies []*spec.Policy, pos spec.Pos) *spec.RLS {
	r := &spec.RLS{Enabled: pointerTo(enabled || len(policies) > 0), Pos: pos}
	if *r.Enabled {
		r.Policies = append([]*spec.Policy{}, policies...)
	}
	return r
}

func policy(name, as, command string, roles []string, using, withCheck *string, pos spec.Pos) *spec.Policy {
	p := &spec.Policy{Name: name, Command: strings.ToUpper(command), Using: using, WithCheck: withCheck, Pos: pos}
	if roles != nil {
		p.Roles = []string{}
		for _, r := range roles {
			if strings.EqualFold(r, "public") {
				r = "public"
			}
			p.Roles = append(p.Roles, r)
		}
	}
	switch strings.ToUpper(as) {
	case "PERMISSIVE":
		p.Permissive = pointerTo(true)
	case "RESTRICTIVE":
		p.Permissive = pointerTo(false)
	}
	return p
}

// enumValues reads an enum's labels: a list, or (before version 6) an
// object whose values are the labels.
func enumValues(ix *jsonIndex, raw json.RawMessage, parts ...string) ([]string, error) {
	var list []string
	if err := json.Unmarshal(raw, &list); err == nil {
		return list, nil
	}
	var obj map[string]string
	if err := json.Unmarshal(raw, &obj); err != nil {
		return nil, ix.errorIn(parts, "enum values must be a list of strings")
	}
	labels := []string{}
	for _, k := range ix.order(parts...) {
		labels = append(labels, obj[k])
	}
	return labels, nil
}

// defaultV7 renders a version 7 default: drizzle-kit keeps SQL text as a
// JSON string ('global', now()) and numbers and booleans as JSON values.
func defaultV7(ix *jsonIndex, raw json.RawMessage, parts []string) (*string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return &s, nil
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, ix.errorIn(parts, "unreadable default: %v", err)
	}
	switch v.(type) {
	case bool, float64:
		return pointerTo(string(raw)), nil
	}
	return nil, ix.errorIn(parts, "a default must be SQL text, a number or a boolean")
}

// indexColumns7 returns the key columns of a version 7 index and how each
// is compared and ordered (nil when every key has the defaults).
func indexColumns7(ix *jsonIndex, raw json.RawMessage, parts []string) ([]string, []spec.IndexKey, error) {
	var plain []string // before version 7
	if err := json.Unmarshal(raw, &plain); err == nil {
		return plain, nil, nil
	}
	var names []string
	var keys []spec.IndexKey
	var cols []indexColumn7
	if err := json.Unmarshal(raw, &cols); err != nil {
		return nil, nil, ix.errorIn(parts, "index columns must be a list of names or of {expression, isExpression}")
	}
	for _, c := range cols {
		if c.IsExpression {
			c.Expression = unquoteNames(c.Expression)
		}
		names = append(names, c.Expression)
		keys = append(keys, indexKey7(c))
	}
	return names, keysOrNil(keys), nil
}

// indexKey7 is the key drizzle-kit (0.22 to 0.31) creates for c: its
// PgCreateIndexConvertor writes the operator class, or else the order and
// NULLS FIRST or LAST unless they are ASC NULLS LAST. With an operator
// class it writes neither order nor nulls, so the key is ascending.
func indexKey7(c indexColumn7) spec.IndexKey {
	if c.Opclass != "" {
		return spec.IndexKey{Opclass: c.Opclass}
	}
	k := spec.IndexKey{Desc: c.Asc != nil && !*c.Asc}
	switch c.Nulls {
	case "first":
		k.NullsFirst = pointerTo(true)
	case "last":
		k.NullsFirst = pointerTo(false)
	}
	return normalKey(k)
}

// indexKey8 is the key drizzle-kit 1.0 creates for c: the operator class unless
// it is the type's default, the order, and the nulls.
func indexKey8(c indexColumn8) spec.IndexKey {
	var k spec.IndexKey
	if c.Opclass != nil && !c.Opclass.Default {
		k.Opclass = c.Opclass.Name
	}
	k.Desc = c.Asc != nil && !*c.Asc
	k.NullsFirst = c.NullsFirst
	return normalKey(k)
}

// normalKey leaves out NULLS FIRST or LAST where it is the direction's
// default, as the snapshot writer does.
func normalKey(k spec.IndexKey) spec.IndexKey {
	if k.NullsFirst != nil && *k.NullsFirst == k.Desc {
		k.NullsFirst = nil
	}
	return k
}

// keysOrNil returns nil when every key has the defaults.
func keysOrNil(keys []spec.IndexKey) []spec.IndexKey {
	for _, k := range keys {
		if !k.IsDefault() {
			return keys
		}
	}
	return nil
}

// unquoteNames writes the quoted names of an index expression that need
// no quotes bare, as pg_get_indexdef renders them: drizzle-kit writes
// lower("email"), the server lower(email).
func unquoteNames(expr string) string {
	toks, unterminated := sqllex.Tokenize(expr)
	if unterminated {
		return expr
	}
	var b strings.Builder
	last := 0
	for _, t := range toks {
		if t.Kind == sqllex.TokQuoted && drift.QuoteIdent(t.Text) == t.Text {
			b.WriteString(expr[last:t.Off])
			b.WriteString(t.Text)
			last = t.Off + len(t.Raw)
		}
	}
	return b.String() + expr[last:]
}

// indexMethod returns the model's access method: "" for btree, the
// default drizzle-kit writes when the schema names none.
func indexMethod(m string) string {
	m = strings.ToLower(strings.TrimSpace(m))
	if m == "btree" {
		return ""
	}
	return m
}

func mapV8(ix *jsonIndex, s *snapshot8, m *spec.Model) error {
	tn := typeNamer{enums: map[spec.Name]bool{}, bare: map[string]string{}}
	tables := map[spec.Name]*spec.Table{}
	type tableRLS struct {
		enabled  bool
		policies []*spec.Policy
	}
	security := map[spec.Name]*tableRLS{}
	for i, e := range s.DDL {
		n := spec.Name{Schema: cmp.Or(e.Schema, "public"), Name: e.Name}
		switch e.EntityType {
		case "enums":
			tn.enums[n] = true
			tn.bare[e.Name] = n.Schema
			m.Enums = append(m.Enums, &spec.Enum{Name: n, Labels: append([]string{}, e.Values...), Pos: ix.posOf("ddl", fmt.Sprint(i))})
		case "tables":
			t := &spec.Table{Name: n, Kind: "table", Pos: ix.posOf("ddl", fmt.Sprint(i)), Columns: []*spec.Column{}}
			tables[n] = t
			security[n] = &tableRLS{enabled: e.IsRlsEnabled}
			m.Tables = append(m.Tables, t)
		}
	}
	for i, e := range s.DDL {
		ep := []string{"ddl", fmt.Sprint(i)}
		tname := spec.Name{Schema: cmp.Or(e.Schema, "public"), Name: e.Table}
		if e.EntityType == "enums" || e.EntityType == "tables" {
			continue
		}
		t := tables[tname]
		switch e.EntityType {
		case "columns", "pks", "uniques", "fks", "indexes", "policies":
			if t == nil {
				return ix.errorIn(ep, "%s %s belongs to table %s, which the snapshot does not list", e.EntityType, e.Name, tname)
			}
		default:
			continue // schemas, sequences, roles, checks, views: not in a model
		}
		switch e.EntityType {
		case "columns":
			typeSchema := ""
			if e.TypeSchema != nil {
				typeSchema = *e.TypeSchema
			}
			c := &spec.Column{Name: e.Name, Pos: ix.posOf(ep...), TypePos: ix.posOf(append(ep, "type")...),
				Type: tn.columnType(e.Type, typeSchema, e.Dimensions), Nullable: pointerTo(!e.NotNull)}
			switch {
			case serialTypes[e.Type] && e.Dimensions == 0:
				c.Identity = pointerTo("by_default")
			case e.Identity != nil:
				c.Identity = pointerTo(map[string]string{"always": "always", "byDefault": "by_default"}[e.Identity.Type])
			case e.Generated != nil:
				c.Generated = pointerTo(e.Generated.As)
			default:
				d, err := defaultV8(ix, e.Default, append(ep, "default"))
				if err != nil {
					return err
				}
				if d != nil {
					c.HasDefault, c.Default = true, d
				}
			}
			t.Columns = append(t.Columns, c)
		case "pks", "uniques", "fks":
			var cols []string
			if err := json.Unmarshal(e.Columns, &cols); err != nil {
				return ix.errorIn(append(ep, "columns"), "columns must be a list of names")
			}
			switch e.EntityType {
			case "pks":
				t.PrimaryKey = &spec.Key{Columns: cols, Pos: ix.posOf(ep...)}
			case "uniques":
				t.Unique = append(t.Unique, &spec.Key{Columns: cols, Pos: ix.posOf(ep...)})
			case "fks":
				onDelete, ok := action(deref(e.OnDelete))
				if !ok {
					return ix.errorIn(append(ep, "onDelete"), "unknown referential action %q", deref(e.OnDelete))
				}
				onUpdate, ok := action(deref(e.OnUpdate))
				if !ok {
					return ix.errorIn(append(ep, "onUpdate"), "unknown referential action %q", deref(e.OnUpdate))
				}
				t.ForeignKeys = append(t.ForeignKeys, &spec.ForeignKey{Columns: cols,
					References: spec.Name{Schema: cmp.Or(e.SchemaTo, "public"), Name: e.TableTo}, RefColumns: e.ColumnsTo,
					OnDelete: onDelete, OnUpdate: onUpdate, Pos: ix.posOf(ep...)})
			}
		case "indexes":
			var cols []indexColumn8
			if err := json.Unmarshal(e.Columns, &cols); err != nil {
				return ix.errorIn(append(ep, "columns"), "index columns must be a list of {value, isExpression}")
			}
			ixd := &spec.Index{Method: indexMethod(e.Method), Unique: pointerTo(e.IsUnique), Where: e.Where, Pos: ix.posOf(ep...)}
			var keys []spec.IndexKey
			for _, c := range cols {
				if c.IsExpression {
					c.Value = unquoteNames(c.Value)
				}
				ixd.Columns = append(ixd.Columns, c.Value)
				keys = append(keys, indexKey8(c))
			}
			ixd.Keys = keysOrNil(keys)
			t.Indexes = append(t.Indexes, ixd)
		case "policies":
			sec := security[tname]
			sec.policies = append(sec.policies, policy(e.Name, e.As, e.For, e.Roles, e.Using, e.WithCheck, ix.posOf(ep...)))
		}
	}
	for _, t := range m.Tables {
		sec := security[t.Name]
		t.RLS = rls(sec.enabled, sec.policies, t.Pos)
	}
	return nil
}

// defaultV8 renders a drizzle-kit 1.0 default: SQL text, or the early
// betas' {value, type}, quoted as drizzle-kit's defaultToSQL quotes it.
func defaultV8(ix *jsonIndex, raw json.RawMessage, parts []string) (*string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return &s, nil
	}
	var d default8
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, ix.errorIn(parts, "a default must be SQL text or {value, type}")
	}
	switch d.Type {
	case "string":
		return pointerTo("'" + strings.ReplaceAll(d.Value, "'", "''") + "'"), nil
	case "array", "bigint", "json", "jsonb":
		return pointerTo("'" + d.Value + "'"), nil
	}
	return pointerTo(d.Value), nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func pointerTo[T any](v T) *T { return &v }
