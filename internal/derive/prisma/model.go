package prisma

import (
	"fmt"
	"strings"

	"github.com/rbacdrift/rbacdrift/drift"
	"github.com/rbacdrift/rbacdrift/internal/safefile"

	"github.com/rbacdrift/rbacdrift/spec"
)

// Header returns the comment lines that head the YAML derived from the
// schema file at path: where it came from and what a Prisma schema cannot
// say, so a reader knows what is left unchecked.
func Header(path string) string {
	return "model derived from " + path + " by rbacdrift\n" +
		"a Prisma schema does not say, so this model leaves unchecked: grants, row-level security\n" +
		"(enabled, forced, policies), defaults the client computes (uuid(), cuid(), nanoid(), ulid(),\n" +
		"@updatedAt), DateTime literal defaults, indexes and constraints added by hand in migration.sql,\n" +
		"and the join tables of implicit many-to-many relations"
}

// FromFile reads the Prisma schema at path and returns the model of the
// tables Prisma Migrate creates for it.
func FromFile(path string) (*spec.Model, error) {
	src, err := safefile.ReadFile(path, safefile.MaxSchema, "a Prisma schema")
	if err != nil {
		return nil, fmt.Errorf("reading prisma schema: %w", err)
	}
	s, err := Parse(path, src)
	if err != nil {
		return nil, err
	}
	return ToModel(s)
}

// Prisma's scalar types and the column types Prisma Migrate gives them on
// PostgreSQL when no @db attribute says otherwise.
var scalarTypes = map[string]string{
	"Int":      "integer",
	"BigInt":   "bigint",
	"String":   "text",
	"DateTime": "timestamp(3)",
	"Boolean":  "boolean",
	"Json":     "jsonb",
	"Decimal":  "decimal(65,30)",
	"Float":    "double precision",
	"Bytes":    "bytea",
}

// nativeTypes maps the PostgreSQL connector's @db.* attributes to type
// names: the name, and how many arguments it takes at most.
var nativeTypes = map[string]struct {
	name    string
	maxArgs int
}{
	"Text": {"text", 0}, "Char": {"char", 1}, "VarChar": {"varchar", 1}, "Bit": {"bit", 1}, "VarBit": {"varbit", 1},
	"Uuid": {"uuid", 0}, "Xml": {"xml", 0}, "Inet": {"inet", 0}, "Citext": {"citext", 0},
	"Boolean": {"boolean", 0}, "Integer": {"integer", 0}, "SmallInt": {"smallint", 0}, "BigInt": {"bigint", 0},
	"Oid": {"oid", 0}, "DoublePrecision": {"double precision", 0}, "Real": {"real", 0},
	"Decimal": {"decimal", 2}, "Money": {"money", 0},
	"Timestamp": {"timestamp", 1}, "Timestamptz": {"timestamptz", 1}, "Date": {"date", 0},
	"Time": {"time", 1}, "Timetz": {"timetz", 1},
	"Json": {"json", 0}, "JsonB": {"jsonb", 0}, "ByteA": {"bytea", 0},
}

// referentialActions maps Prisma's referential actions to the model's.
var referentialActions = map[string]string{
	"Cascade": "cascade", "Restrict": "restrict", "NoAction": "no_action", "SetNull": "set_null", "SetDefault": "set_default",
}

// clientDefaults are the @default functions Prisma Client computes: the
// database column has no default.
var clientDefaults = map[string]bool{"uuid": true, "cuid": true, "nanoid": true, "ulid": true}

// A mapper turns a parsed schema into a model.
type mapper struct {
	s            *Schema
	models       map[string]*Block
	enums        map[string]*Block
	relationMode string // "foreignKeys" (the default) or "prisma"
}

// ToModel maps a parsed schema to the model of what Prisma Migrate creates
// on PostgreSQL: a table per model and a view per view, an enum per enum.
func ToModel(s *Schema) (*spec.Model, error) {
	mp := &mapper{s: s, models: map[string]*Block{}, enums: map[string]*Block{}, relationMode: "foreignKeys"}
	for _, b := range s.Blocks {
		switch b.Kind {
		case "model", "view", "type":
			if mp.models[b.Name] != nil || mp.enums[b.Name] != nil {
				return nil, errorf(b.Pos, "%s is defined twice", b.Name)
			}
			mp.models[b.Name] = b
		case "enum":
			if mp.models[b.Name] != nil || mp.enums[b.Name] != nil {
				return nil, errorf(b.Pos, "%s is defined twice", b.Name)
			}
			mp.enums[b.Name] = b
		case "datasource":
			for _, p := range b.Props {
				switch p.Key {
				case "provider":
					if p.Value.Kind == ExprString && p.Value.Text != "postgresql" && p.Value.Text != "postgres" {
						return nil, errorf(p.Value.Pos, "datasource provider is %q: only postgresql is supported", p.Value.Text)
					}
				case "relationMode", "referentialIntegrity":
					if p.Value.Kind == ExprString {
						mp.relationMode = p.Value.Text
					}
				}
			}
		}
	}
	m := &spec.Model{File: s.File, Version: 1, Schema: "public", ExtraColumns: spec.ExtraWarn}
	for _, b := range s.Blocks {
		switch b.Kind {
		case "enum":
			e, err := mp.enum(b)
			if err != nil {
				return nil, err
			}
			m.Enums = append(m.Enums, e)
		case "model", "view":
			t, err := mp.table(b)
			if err != nil {
				return nil, err
			}
			m.Tables = append(m.Tables, t)
		}
	}
	return m, nil
}

// dbName returns the database name of a block: @@map, else its name.
func dbName(b *Block) (string, error) {
	if a := attr(b.Attrs, "map"); a != nil {
		return stringArg(a, "name", 0)
	}
	return b.Name, nil
}

// schemaOf returns @@schema of a block, else public.
func schemaOf(b *Block) (string, error) {
	if a := attr(b.Attrs, "schema"); a != nil {
		return stringArg(a, "", 0)
	}
	return "public", nil
}

func stringArg(a *Attr, name string, pos int) (string, error) {
	g := a.arg(name, pos)
	if g == nil || g.Value.Kind != ExprString {
		at := a.Pos
		if g != nil {
			at = g.Value.Pos
		}
		return "", errorf(at, "@%s needs a string argument", a.Name)
	}
	return g.Value.Text, nil
}

func (mp *mapper) enumName(b *Block) (spec.Name, error) {
	name, err := dbName(b)
	if err != nil {
		return spec.Name{}, err
	}
	schema, err := schemaOf(b)
	return spec.Name{Schema: schema, Name: name}, err
}

func (mp *mapper) enum(b *Block) (*spec.Enum, error) {
	n, err := mp.enumName(b)
	if err != nil {
		return nil, err
	}
	e := &spec.Enum{Name: n, Pos: b.Pos, Labels: []string{}}
	for _, v := range b.Fields {
		label, err := enumLabel(v)
		if err != nil {
			return nil, err
		}
		e.Labels = append(e.Labels, label)
	}
	return e, nil
}

func enumLabel(v *Field) (string, error) {
	if a := attr(v.Attrs, "map"); a != nil {
		return stringArg(a, "name", 0)
	}
	return v.Name, nil
}

// column is a scalar field with its database name.
type column struct {
	field *Field
	name  string
}

func (mp *mapper) table(b *Block) (*spec.Table, error) {
	name, err := dbName(b)
	if err != nil {
		return nil, err
	}
	schema, err := schemaOf(b)
	if err != nil {
		return nil, err
	}
	t := &spec.Table{Name: spec.Name{Schema: schema, Name: name}, Pos: b.Pos, Kind: "table", Columns: []*spec.Column{}}
	if b.Kind == "view" {
		t.Kind = "view"
	}
	cols := map[string]*column{} // by field name
	var order []*column
	for _, f := range b.Fields {
		if mp.models[f.Type.Name] != nil {
			continue // a relation field: the foreign key is on its scalar fields
		}
		cname := f.Name
		if a := attr(f.Attrs, "map"); a != nil {
			if cname, err = stringArg(a, "name", 0); err != nil {
				return nil, err
			}
		}
		c := &column{field: f, name: cname}
		cols[f.Name] = c
		order = append(order, c)
	}
	for _, c := range order {
		sc, err := mp.column(b, c)
		if err != nil {
			return nil, err
		}
		t.Columns = append(t.Columns, sc)
		if b.Kind == "view" {
			continue
		}
		if a := attr(c.field.Attrs, "id"); a != nil {
			t.PrimaryKey = &spec.Key{Columns: []string{c.name}, Pos: a.Pos}
		}
		if a := attr(c.field.Attrs, "unique"); a != nil {
			t.Unique = append(t.Unique, &spec.Key{Columns: []string{c.name}, Pos: a.Pos})
		}
	}
	if b.Kind == "view" {
		return t, nil
	}
	for _, a := range b.Attrs {
		switch a.Name {
		case "id", "unique", "index":
			g := a.arg("fields", 0)
			if g == nil {
				return nil, errorf(a.Pos, "@@%s needs a list of fields", a.Name)
			}
			names, err := fieldList(g.Value, cols, b.Name)
			if err != nil {
				return nil, err
			}
			switch a.Name {
			case "id":
				t.PrimaryKey = &spec.Key{Columns: names, Pos: a.Pos}
			case "unique":
				t.Unique = append(t.Unique, &spec.Key{Columns: names, Pos: a.Pos})
			case "index":
				ix := &spec.Index{Columns: names, Unique: pointerTo(false), Pos: a.Pos}
				if g := a.arg("map", -1); g != nil && g.Value.Kind == ExprString {
					ix.Name = g.Value.Text
				}
				if ix.Method, err = indexMethod(a); err != nil {
					return nil, err
				}
				if ix.Keys, err = indexKeys(g.Value); err != nil {
					return nil, err
				}
				t.Indexes = append(t.Indexes, ix)
			}
		}
	}
	if mp.relationMode == "prisma" {
		return t, nil // relations are emulated by Prisma Client: no foreign keys
	}
	for _, f := range b.Fields {
		target := mp.models[f.Type.Name]
		if target == nil {
			continue
		}
		fk, err := mp.foreignKey(b, f, target, cols)
		if err != nil {
			return nil, err
		}
		if fk != nil {
			t.ForeignKeys = append(t.ForeignKeys, fk)
		}
	}
	return t, nil
}

// fieldList reads [a, b(sort: Desc)] as the columns of the fields named.
func fieldList(e *Expr, cols map[string]*column, model string) ([]string, error) {
	if e.Kind != ExprArray {
		return nil, errorf(e.Pos, "expected a list of fields such as [a, b]")
	}
	var names []string
	for _, it := range e.Items {
		if it.Kind != ExprIdent && it.Kind != ExprCall {
			return nil, errorf(it.Pos, "expected a field name")
		}
		c := cols[it.Text]
		if c == nil {
			return nil, errorf(it.Pos, "model %s has no scalar field %s", model, it.Text)
		}
		names = append(names, c.name)
	}
	return names, nil
}

// indexMethods maps @@index's type: argument to the access method Prisma
// Migrate writes after USING; BTree, the default, is "" as in a model.
var indexMethods = map[string]string{"BTree": "", "Hash": "hash", "Gist": "gist", "Gin": "gin", "SpGist": "spgist", "Brin": "brin"}

// indexMethod returns the access method of an @@index.
func indexMethod(a *Attr) (string, error) {
	g := a.arg("type", -1)
	if g == nil {
		return "", nil
	}
	m, ok := indexMethods[g.Value.Text]
	if !ok || g.Value.Kind != ExprIdent {
		return "", errorf(g.Value.Pos, "type must be one of BTree, Hash, Gist, Gin, SpGist, Brin")
	}
	return m, nil
}

// indexKeys reads how each field of [a(sort: Desc), b(ops: JsonbPathOps)]
// is ordered and compared, as Prisma Migrate creates the index: the
// operator class after the column, then DESC; nil when every key has the
// defaults. Prisma has no NULLS FIRST or LAST: a descending key has its
// nulls first, PostgreSQL's default.
func indexKeys(e *Expr) ([]spec.IndexKey, error) {
	keys := make([]spec.IndexKey, len(e.Items))
	any := false
	for i, it := range e.Items {
		if it.Kind != ExprCall {
			continue
		}
		for _, g := range it.Args {
			switch g.Name {
			case "sort":
				if g.Value.Kind != ExprIdent || g.Value.Text != "Asc" && g.Value.Text != "Desc" {
					return nil, errorf(g.Value.Pos, "sort must be Asc or Desc")
				}
				keys[i].Desc = g.Value.Text == "Desc"
			case "ops":
				opc, err := opclass(g.Value)
				if err != nil {
					return nil, err
				}
				keys[i].Opclass = opc
			}
		}
		any = any || !keys[i].IsDefault()
	}
	if !any {
		return nil, nil
	}
	return keys, nil
}

// opclass maps an ops: value to the operator class's name: raw("name")
// as given, else Prisma's name of it (JsonbPathOps, Int4MinMaxMultiOps,
// TimestampTzBloomOps) in PostgreSQL's spelling (jsonb_path_ops,
// int4_minmax_multi_ops, timestamptz_bloom_ops).
func opclass(e *Expr) (string, error) {
	if e.Kind == ExprCall && e.Text == "raw" && len(e.Args) == 1 && e.Args[0].Value.Kind == ExprString {
		return e.Args[0].Value.Text, nil
	}
	if e.Kind != ExprIdent || !strings.HasSuffix(e.Text, "Ops") || e.Text == "Ops" {
		return "", errorf(e.Pos, `ops must be an operator class such as JsonbPathOps, or raw("name")`)
	}
	var words []string
	start := 0
	name := strings.TrimSuffix(e.Text, "Ops")
	for i := 1; i <= len(name); i++ {
		if i == len(name) || name[i] >= 'A' && name[i] <= 'Z' {
			words = append(words, strings.ToLower(name[start:i]))
			start = i
		}
	}
	s := strings.Join(words, "_") + "_ops"
	for _, r := range [][2]string{{"min_max", "minmax"}, {"var_bit", "varbit"}, {"timestamp_tz", "timestamptz"}, {"time_tz", "timetz"}} {
		s = strings.ReplaceAll(s, r[0], r[1])
	}
	return s, nil
}

// foreignKey maps the @relation of a relation field; nil for the side of
// a relation that holds no fields (the back-relation, or a list).
func (mp *mapper) foreignKey(b *Block, f *Field, target *Block, cols map[string]*column) (*spec.ForeignKey, error) {
	a := attr(f.Attrs, "relation")
	if a == nil {
		return nil, nil
	}
	fields := a.arg("fields", -1)
	if fields == nil {
		return nil, nil
	}
	refs := a.arg("references", -1)
	if refs == nil {
		return nil, errorf(a.Pos, "@relation on %s.%s has fields but no references", b.Name, f.Name)
	}
	from, err := fieldList(fields.Value, cols, b.Name)
	if err != nil {
		return nil, err
	}
	targetCols, err := scalarColumns(target, mp)
	if err != nil {
		return nil, err
	}
	to, err := fieldList(refs.Value, targetCols, target.Name)
	if err != nil {
		return nil, err
	}
	if len(from) != len(to) {
		return nil, errorf(a.Pos, "@relation on %s.%s has %d fields and %d references", b.Name, f.Name, len(from), len(to))
	}
	tname, err := dbName(target)
	if err != nil {
		return nil, err
	}
	tschema, err := schemaOf(target)
	if err != nil {
		return nil, err
	}
	// Prisma's defaults (psl's default_on_delete_action and
	// default_on_update_action): Restrict when a referencing field is
	// required, else SetNull; on update Cascade.
	required := false
	for _, it := range fields.Value.Items {
		if c := cols[it.Text]; c != nil && !c.field.Type.Optional {
			required = true
		}
	}
	onDelete, onUpdate := "set_null", "cascade"
	if required {
		onDelete = "restrict"
	}
	for _, k := range []struct {
		name string
		into *string
	}{{"onDelete", &onDelete}, {"onUpdate", &onUpdate}} {
		g := a.arg(k.name, -1)
		if g == nil {
			continue
		}
		act, ok := referentialActions[g.Value.Text]
		if !ok || g.Value.Kind != ExprIdent {
			return nil, errorf(g.Value.Pos, "%s must be one of Cascade, Restrict, NoAction, SetNull, SetDefault", k.name)
		}
		*k.into = act
	}
	return &spec.ForeignKey{Columns: from, References: spec.Name{Schema: tschema, Name: tname}, RefColumns: to,
		OnDelete: onDelete, OnUpdate: onUpdate, Pos: a.Pos}, nil
}

func scalarColumns(b *Block, mp *mapper) (map[string]*column, error) {
	cols := map[string]*column{}
	for _, f := range b.Fields {
		if mp.models[f.Type.Name] != nil {
			continue
		}
		name := f.Name
		if a := attr(f.Attrs, "map"); a != nil {
			var err error
			if name, err = stringArg(a, "name", 0); err != nil {
				return nil, err
			}
		}
		cols[f.Name] = &column{field: f, name: name}
	}
	return cols, nil
}

// column maps one scalar field: type, nullability, default.
func (mp *mapper) column(b *Block, c *column) (*spec.Column, error) {
	f := c.field
	sc := &spec.Column{Name: c.name, Pos: f.Pos, TypePos: f.Type.Pos}
	typ, enum, err := mp.columnType(f)
	if err != nil {
		return nil, err
	}
	sc.Type = typ
	if b.Kind == "view" {
		return sc, nil // a view's columns are never NOT NULL in the catalog
	}
	// Prisma Migrate writes NOT NULL for required scalars and for none of
	// the lists: "tags" TEXT[].
	sc.Nullable = pointerTo(f.Type.Optional || f.Type.List)
	d := attr(f.Attrs, "default")
	if d == nil {
		return sc, nil
	}
	g := d.arg("value", 0)
	if g == nil {
		return nil, errorf(d.Pos, "@default needs a value")
	}
	v := g.Value
	switch {
	case v.Kind == ExprCall && v.Text == "autoincrement":
		serial := map[string]string{"integer": "serial", "bigint": "bigserial", "smallint": "smallserial"}[typ]
		if serial == "" {
			return nil, errorf(v.Pos, "autoincrement() on a %s column", typ)
		}
		sc.Type = serial
		sc.Identity = pointerTo("by_default") // a serial column meets by_default
	case v.Kind == ExprCall && v.Text == "now":
		sc.HasDefault, sc.Default = true, pointerTo("CURRENT_TIMESTAMP")
	case v.Kind == ExprCall && v.Text == "dbgenerated":
		if len(v.Args) > 0 && v.Args[0].Value.Kind == ExprString {
			sc.HasDefault, sc.Default = true, pointerTo(v.Args[0].Value.Text)
		}
	case v.Kind == ExprCall && (clientDefaults[v.Text] || v.Text == "sequence" || v.Text == "auto"):
		// computed by Prisma Client (or not PostgreSQL): no database default
	case v.Kind == ExprCall:
		return nil, errorf(v.Pos, "unknown default function %s()", v.Text)
	default:
		if lit, ok := literalDefault(v, f, typ, enum); ok {
			sc.HasDefault, sc.Default = true, pointerTo(lit)
		}
	}
	return sc, nil
}

// columnType returns the column type of a scalar field and, for an enum
// field, the enum block.
func (mp *mapper) columnType(f *Field) (string, *Block, error) {
	tr := f.Type
	var typ string
	var enum *Block
	switch {
	case tr.Unsupported != "":
		if !spec.ValidTypeName(tr.Unsupported) {
			return "", nil, nil // not a plain type name: leave the type unchecked
		}
		typ = tr.Unsupported
	case mp.enums[tr.Name] != nil:
		enum = mp.enums[tr.Name]
		n, err := mp.enumName(enum)
		if err != nil {
			return "", nil, err
		}
		typ = enumTypeName(n)
	case scalarTypes[tr.Name] != "":
		typ = scalarTypes[tr.Name]
		for _, a := range f.Attrs {
			native, ok := strings.CutPrefix(a.Name, "db.")
			if !ok {
				continue
			}
			nt, known := nativeTypes[native]
			if !known {
				return "", nil, errorf(a.Pos, "unknown PostgreSQL native type @db.%s", native)
			}
			if len(a.Args) > nt.maxArgs {
				return "", nil, errorf(a.Pos, "@db.%s takes at most %d arguments", native, nt.maxArgs)
			}
			typ = nt.name
			var mods []string
			for _, g := range a.Args {
				if g.Value.Kind != ExprNumber {
					return "", nil, errorf(g.Value.Pos, "@db.%s takes numbers", native)
				}
				mods = append(mods, g.Value.Text)
			}
			if len(mods) > 0 {
				typ += "(" + strings.Join(mods, ",") + ")"
			}
		}
	case mp.models[tr.Name] != nil:
		return "", nil, errorf(tr.Pos, "%s is a model, not a column type", tr.Name)
	default:
		return "", nil, errorf(tr.Pos, "unknown type %s", tr.Name)
	}
	if tr.List {
		typ += "[]"
	}
	return typ, enum, nil
}

// enumTypeName renders an enum's name as a column type: bare in public (the
// checker resolves a model enum's bare name in its own schema), else
// schema-qualified, double-quoted where the server would fold or misread it.
func enumTypeName(n spec.Name) string {
	if n.Schema == "public" {
		return n.Name
	}
	return drift.QuoteIdent(n.Schema) + "." + drift.QuoteIdent(n.Name)
}

// literalDefault renders a literal @default as PostgreSQL renders the
// column default (pg_get_expr), casts included; ok is false when the model
// should leave the default unchecked (a DateTime or Bytes literal, a
// non-empty list).
func literalDefault(v *Expr, f *Field, typ string, enum *Block) (string, bool) {
	base := strings.TrimSuffix(typ, "[]")
	if f.Type.List {
		if v.Kind == ExprArray && len(v.Items) == 0 {
			return "ARRAY[]::" + castName(base, enum) + "[]", true
		}
		return "", false
	}
	switch {
	case enum != nil && v.Kind == ExprIdent:
		for _, ev := range enum.Fields {
			if ev.Name == v.Text {
				label, err := enumLabel(ev)
				if err != nil {
					return "", false
				}
				return drift.QuoteLiteral(label) + "::" + castName(base, enum), true
			}
		}
		return "", false
	case v.Kind == ExprIdent && (v.Text == "true" || v.Text == "false"):
		return v.Text, true
	case v.Kind == ExprNumber:
		if strings.HasPrefix(v.Text, "-") {
			return drift.QuoteLiteral(v.Text) + "::" + castName(base, nil), true
		}
		return v.Text, true
	case v.Kind == ExprString:
		switch f.Type.Name {
		case "String", "Json", "Decimal":
			return drift.QuoteLiteral(v.Text) + "::" + castName(base, nil), true
		}
	}
	return "", false
}

// castName renders a type as pg_get_expr writes it in a cast.
func castName(typ string, enum *Block) string {
	if enum != nil {
		if !strings.Contains(typ, ".") {
			return drift.QuoteIdent(typ) // in public, written bare; the cast names it as the server does
		}
		return typ
	}
	name, _, _ := strings.Cut(typ, "(")
	switch name {
	case "varchar":
		return "character varying"
	case "char":
		return "bpchar"
	case "decimal":
		return "numeric"
	case "timestamptz":
		return "timestamp with time zone"
	case "timestamp":
		return "timestamp without time zone"
	}
	return name
}

func pointerTo[T any](v T) *T { return &v }
