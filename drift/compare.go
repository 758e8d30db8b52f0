package drift

import (
	"fmt"
	"slices"
	"strings"

	"github.com/rbacdrift/rbacdrift/introspect/catalog"
	"github.com/rbacdrift/rbacdrift/spec"
)

// Input is what [Compare] compares.
type Input struct {
	Model   *spec.Model
	Catalog *catalog.Catalog
	// Types maps each declared type name to the server's reading of it;
	// UnknownTypes maps the names the server does not know to its message.
	Types        map[string]catalog.Type
	UnknownTypes map[string]string
}

// Compare returns the findings of the model against the catalog, sorted.
func Compare(in Input) []*Finding {
	c := &comparer{Input: in}
	for _, t := range in.Model.Tables {
		c.table(t)
	}
	for _, e := range in.Model.Enums {
		c.enum(e)
	}
	Sort(c.out)
	return c.out
}

type comparer struct {
	Input
	out []*Finding
}

func (c *comparer) add(f *Finding, p spec.Pos) {
	if f.Severity == "" {
		f.Severity = Info(f.Code).Severity
	}
	c.out = append(c.out, f.At(p))
}

func relName(n spec.Name) catalog.Name { return catalog.Name{Schema: n.Schema, Name: n.Name} }

func (c *comparer) table(t *spec.Table) {
	obj := t.Name.String()
	r := c.Catalog.Relations[relName(t.Name)]
	if r == nil {
		f := &Finding{Code: "missing-table", Object: obj, Subject: obj, Expected: t.Kind, Actual: "none",
			Message: fmt.Sprintf("%s %s does not exist", kindWord(t.Kind), obj)}
		if others := c.Catalog.Elsewhere[relName(t.Name)]; len(others) > 0 {
			var where []string
			for _, o := range others {
				where = append(where, fmt.Sprintf("%s (%s%s)", o.Name, kindWord(o.Kind), rowsWord(o.EstimatedRows)))
			}
			f.Hint = fmt.Sprintf("a relation of that name exists elsewhere: %s; if it was moved, move it back (ALTER TABLE ... SET SCHEMA %s) or point the model and the application's search_path at it",
				strings.Join(where, ", "), QuoteIdent(t.Name.Schema))
		} else {
			f.Hint = fmt.Sprintf("the migration that creates %s has not run on this database, or the application expects another schema", obj)
		}
		c.add(f, t.Pos)
		return
	}
	if !kindMatches(t.Kind, r.Kind) {
		f := &Finding{Code: "wrong-relation-kind", Object: obj, Subject: obj, Expected: t.Kind, Actual: r.Kind,
			Message: fmt.Sprintf("%s is a %s, the model declares a %s", obj, kindWord(r.Kind), kindWord(t.Kind))}
		switch r.Kind {
		case catalog.KindView, catalog.KindMaterializedView:
			f.Hint = "a view is not a table: it may filter rows away (the application would load an empty policy) and writes through it land elsewhere; restore the table the view replaced"
		default:
			f.Hint = fmt.Sprintf("restore the %s, or declare kind: %s if the application really uses a %s", kindWord(t.Kind), r.Kind, kindWord(r.Kind))
		}
		p := t.KindPos
		if p.Line == 0 {
			p = t.Pos
		}
		c.add(f, p)
	}
	c.columns(t, r)
	c.keys(t, r)
	c.privileges(t, r)
}

func kindMatches(declared, live string) bool {
	if declared == catalog.KindTable {
		return live == catalog.KindTable || live == catalog.KindPartitionedTable
	}
	return declared == live
}

func kindWord(k string) string { return strings.ReplaceAll(k, "_", " ") }

func rowsWord(n float64) string {
	if n < 0 {
		return ""
	}
	return fmt.Sprintf(", about %.0f rows", n)
}

func (c *comparer) columns(t *spec.Table, r *catalog.Relation) {
	forbidden := map[string]*spec.Forbidden{}
	var presentForbidden []string
	for _, fc := range t.ForbiddenColumns {
		forbidden[fc.Column] = fc
		if r.Column(fc.Column) != nil {
			presentForbidden = append(presentForbidden, fc.Column)
		}
	}
	pairs, missing, extra := match(t.Columns, r.Columns,
		func(d *spec.Column) string { return d.Name },
		func(l *catalog.Column) string { return l.Name })
	var undeclared []*catalog.Column // live columns neither declared nor forbidden
	for _, l := range extra {
		if forbidden[l.Name] == nil {
			undeclared = append(undeclared, l)
		}
	}
	var missingNames []string
	for _, d := range missing {
		missingNames = append(missingNames, d.Name)
	}
	table := r.Name.Name

	for _, d := range missing {
		obj := r.Name.String() + "." + d.Name
		f := &Finding{Code: "missing-column", Object: obj, Subject: r.Name.String(), Expected: declaredColumn(d), Actual: "none",
			Message: fmt.Sprintf("column %s.%s does not exist", table, d.Name)}
		switch look := c.lookAlikes(d, undeclared); {
		case len(presentForbidden) > 0:
			f.Hint = fmt.Sprintf("%s still has the denormalised layout %s: the migration that introduces %s has not run on this database",
				table, list(presentForbidden), strings.Join(missingNames, ", "))
		case len(look) > 0 && (d.Type != "" || len(missing) == 1 || similarName(d.Name, look[0].Name)):
			f.Hint = fmt.Sprintf("%s.%s (%s) is not in the model: if %s was renamed to %s, rename it back (ALTER TABLE %s RENAME COLUMN %s TO %s) or update the model and the application's queries",
				table, look[0].Name, look[0].Type, d.Name, look[0].Name, QuoteName(spec.Name(r.Name)), QuoteIdent(look[0].Name), QuoteIdent(d.Name))
		case len(undeclared) > 0:
			var names []string
			for _, l := range undeclared {
				names = append(names, l.Name)
			}
			f.Hint = fmt.Sprintf("%s has %s where the model has %s: the database was migrated to a layout this model (and the application built from it) does not know, or the model is out of date",
				table, list(names), list(missingNames))
		default:
			f.Hint = fmt.Sprintf("the migration that adds %s.%s has not run on this database", table, d.Name)
		}
		c.add(f, d.Pos)
	}
	for _, p := range pairs {
		c.column(r, p.Declared, p.Live)
	}
	for _, name := range presentForbidden {
		fc := forbidden[name]
		obj := r.Name.String() + "." + name
		f := &Finding{Code: "forbidden-column", Object: obj, Subject: r.Name.String(), Expected: "none", Actual: r.Column(name).Type,
			Message: fmt.Sprintf("column %s.%s must not exist", table, name)}
		if fc.Reason != "" {
			f.Message += ": " + fc.Reason
		}
		if len(missingNames) > 0 {
			f.Hint = fmt.Sprintf("%s still has the denormalised layout %s: the migration that introduces %s has not run on this database",
				table, list(presentForbidden), strings.Join(missingNames, ", "))
		} else {
			f.Hint = fmt.Sprintf("the migration that drops %s.%s has not finished (ALTER TABLE %s DROP COLUMN %s once nothing reads it)", table, name, QuoteName(spec.Name(r.Name)), QuoteIdent(name))
		}
		c.add(f, fc.Pos)
	}
	if t.Columns == nil || t.ExtraColumns == spec.ExtraIgnore {
		return
	}
	sev := Warning
	if t.ExtraColumns == spec.ExtraError {
		sev = Error
	}
	for _, l := range undeclared {
		obj := r.Name.String() + "." + l.Name
		c.add(&Finding{Code: "unexpected-column", Severity: sev, Object: obj, Subject: r.Name.String(), Expected: "none", Actual: l.Type,
			Message: fmt.Sprintf("column %s.%s (%s) is not in the model", table, l.Name, l.Type),
			Hint:    "declare it in the model, drop it, or set extra_columns: ignore for this table"}, t.Pos)
	}
}

// lookAlikes returns the undeclared live columns that could be d renamed,
// best first: a similar name (p_type and ptype, authority and authorities)
// counts most, then the same type; with no type declared, a lone undeclared
// column is a candidate too.
func (c *comparer) lookAlikes(d *spec.Column, undeclared []*catalog.Column) []*catalog.Column {
	want, typed := c.Types[d.Type]
	typed = typed && d.Type != ""
	var similar, sameType []*catalog.Column
	for _, l := range undeclared {
		st := typed && l.TypeOID == want.OID && l.TypMod == want.TypMod
		switch {
		case similarName(d.Name, l.Name):
			similar = append(similar, l)
		case st:
			sameType = append(sameType, l)
		}
	}
	if out := append(similar, sameType...); len(out) > 0 {
		return out
	}
	if !typed && len(undeclared) == 1 {
		return undeclared
	}
	return nil
}

// similarName reports whether two column names look like one renamed: equal
// but for case and underscores, or a couple of edits apart.
func similarName(a, b string) bool {
	norm := func(s string) string { return strings.ReplaceAll(strings.ToLower(s), "_", "") }
	if norm(a) == norm(b) {
		return true
	}
	return min(len(a), len(b)) >= 5 && editDistance(strings.ToLower(a), strings.ToLower(b)) <= 2
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

func declaredColumn(d *spec.Column) string {
	s := d.Type
	if d.Nullable != nil && !*d.Nullable {
		s = strings.TrimSpace(s + " NOT NULL")
	}
	if s == "" {
		return "a column"
	}
	return s
}

func (c *comparer) column(r *catalog.Relation, d *spec.Column, l *catalog.Column) {
	obj := r.Name.String() + "." + d.Name
	subj := r.Name.String()
	col := r.Name.Name + "." + d.Name
	if d.Type != "" {
		want, known := c.Types[d.Type]
		switch {
		case !known:
			msg := c.UnknownTypes[d.Type]
			c.add(&Finding{Code: "type-mismatch", Object: obj, Subject: subj, Expected: d.Type, Actual: l.Type,
				Message: fmt.Sprintf("column %s is %s; the model's type %s does not exist on this database (%s)", col, l.Type, d.Type, msg),
				Hint:    fmt.Sprintf("create the type %s (a migration has not run), or correct the model", d.Type)}, d.TypePos)
		case want.OID != l.TypeOID || want.TypMod != l.TypMod:
			c.add(&Finding{Code: "type-mismatch", Object: obj, Subject: subj, Expected: d.Type, Actual: l.Type,
				Message: fmt.Sprintf("column %s is %s, the model says %s", col, l.Type, d.Type),
				Hint:    typeHint(r, d, l, want)}, d.TypePos)
		}
	}
	if d.Nullable != nil && *d.Nullable == l.NotNull {
		f := &Finding{Code: "nullability-mismatch", Object: obj, Subject: subj}
		if *d.Nullable {
			f.Expected, f.Actual = "NULL", "NOT NULL"
			f.Message = fmt.Sprintf("column %s is NOT NULL, the model allows NULL", col)
			f.Hint = fmt.Sprintf("writes that leave %s empty (bind NULL) fail with 23502; ALTER TABLE %s ALTER COLUMN %s DROP NOT NULL, or make the model and the application always set it", d.Name, QuoteName(spec.Name(r.Name)), QuoteIdent(d.Name))
		} else {
			f.Expected, f.Actual = "NOT NULL", "NULL"
			f.Message = fmt.Sprintf("column %s allows NULL, the model says NOT NULL", col)
			f.Hint = fmt.Sprintf("NULLs may already be stored; clean them, then ALTER TABLE %s ALTER COLUMN %s SET NOT NULL", QuoteName(spec.Name(r.Name)), QuoteIdent(d.Name))
		}
		c.add(f, d.Pos)
	}
	if d.HasDefault {
		c.columnDefault(r, d, l)
	}
	if d.Identity != nil && *d.Identity != l.Identity && !serialForIdentity(*d.Identity, l) {
		c.add(&Finding{Code: "identity-mismatch", Object: obj, Subject: subj, Expected: orNone(*d.Identity), Actual: orNone(l.Identity),
			Message: fmt.Sprintf("column %s identity is %s, the model says %s", col, orNone(l.Identity), orNone(*d.Identity)),
			Hint:    fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s ADD/DROP IDENTITY as the model says", QuoteName(spec.Name(r.Name)), QuoteIdent(d.Name))}, d.Pos)
	}
	if d.Generated != nil {
		live := ""
		if l.Generated != nil {
			live = *l.Generated
		}
		if (*d.Generated == "") != (live == "") || (live != "" && !sameExpr(*d.Generated, live)) {
			c.add(&Finding{Code: "identity-mismatch", Object: obj, Subject: subj, Expected: orNone(*d.Generated), Actual: orNone(live),
				Message: fmt.Sprintf("column %s is generated as %s, the model says %s", col, orNone(live), orNone(*d.Generated)),
				Hint:    "generated columns cannot be altered in place; add a new column with the declared expression"}, d.Pos)
		}
	}
}

// serialForIdentity treats a serial column (a nextval default) as meeting a
// declared "by_default" identity: databases created before an ORM switched to
// identity columns keep serial ones, and they behave the same for the
// application.
func serialForIdentity(declared string, l *catalog.Column) bool {
	return declared == "by_default" && l.Identity == "" && l.Default != nil && strings.HasPrefix(*l.Default, "nextval(")
}

func (c *comparer) columnDefault(r *catalog.Relation, d *spec.Column, l *catalog.Column) {
	obj := r.Name.String() + "." + d.Name
	col := r.Name.Name + "." + d.Name
	switch {
	case d.Default == nil && l.Default == nil, d.Default != nil && l.Default != nil && sameExpr(*d.Default, *l.Default):
		return
	case d.Default == nil && l.Identity == "" && serialForIdentity(derefOr(d.Identity, ""), l):
		return
	}
	f := &Finding{Code: "default-mismatch", Object: obj, Subject: r.Name.String(), Expected: orNone(derefOr(d.Default, "")), Actual: orNone(derefOr(l.Default, "")),
		Message: fmt.Sprintf("column %s default is %s, the model says %s", col, orNone(derefOr(l.Default, "")), orNone(derefOr(d.Default, "")))}
	if d.Default == nil {
		f.Hint = fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s DROP DEFAULT", QuoteName(spec.Name(r.Name)), QuoteIdent(d.Name))
	} else {
		f.Hint = fmt.Sprintf("inserts that omit %s get another value; ALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s", d.Name, QuoteName(spec.Name(r.Name)), QuoteIdent(d.Name), *d.Default)
	}
	c.add(f, d.Pos)
}

func typeHint(r *catalog.Relation, d *spec.Column, l *catalog.Column, want catalog.Type) string {
	h := fmt.Sprintf("a migration changed %s.%s (or has not run); ", r.Name.Name, d.Name)
	switch {
	case want.OID == l.TypeOID && l.TypMod >= 0 && want.TypMod > l.TypMod:
		h += "it is narrower than the model says: longer values fail on write (22001 for text, 22003 for numbers); "
	case want.OID == l.TypeOID:
		h += "only the modifier differs; "
	default:
		h += fmt.Sprintf("values the application binds as %s are read as %s; ", d.Type, l.Type)
	}
	h += fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s TYPE %s, or update the model and the code that binds this column", QuoteName(spec.Name(r.Name)), QuoteIdent(d.Name), d.Type)
	return h
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func derefOr(p *string, def string) string {
	if p == nil {
		return def
	}
	return *p
}

func (c *comparer) keys(t *spec.Table, r *catalog.Relation) {
	obj := r.Name.String()
	if t.PrimaryKey != nil {
		var live []string
		if r.PrimaryKey != nil {
			live = r.PrimaryKey.Columns
		}
		if !slices.Equal(t.PrimaryKey.Columns, live) {
			f := &Finding{Code: "primary-key-mismatch", Object: obj, Subject: obj, Expected: list(t.PrimaryKey.Columns), Actual: "none"}
			if live == nil {
				f.Message = fmt.Sprintf("%s has no primary key, the model says %s", obj, list(t.PrimaryKey.Columns))
				f.Hint = fmt.Sprintf("ALTER TABLE %s ADD PRIMARY KEY %s", QuoteName(spec.Name(r.Name)), quoteList(t.PrimaryKey.Columns))
			} else {
				f.Actual = list(live)
				f.Message = fmt.Sprintf("%s primary key is %s, the model says %s", obj, list(live), list(t.PrimaryKey.Columns))
				f.Hint = fmt.Sprintf("rows the application treats as distinct may collide, or duplicates may be accepted; replace the key: ALTER TABLE %s DROP CONSTRAINT %s, ADD PRIMARY KEY %s",
					QuoteName(spec.Name(r.Name)), QuoteIdent(r.PrimaryKey.Name), quoteList(t.PrimaryKey.Columns))
			}
			c.add(f, t.PrimaryKey.Pos)
		}
	}
	for _, u := range t.Unique {
		if !c.hasUnique(r, u.Columns) {
			c.add(&Finding{Code: "missing-unique", Object: obj, Subject: obj, Expected: "UNIQUE " + list(u.Columns), Actual: "none",
				Message: fmt.Sprintf("no unique constraint or unique index on %s%s", r.Name.Name, list(u.Columns)),
				Hint: fmt.Sprintf("duplicates can be stored, and INSERT ... ON CONFLICT %s fails with 42P10; ALTER TABLE %s ADD UNIQUE %s",
					list(u.Columns), QuoteName(spec.Name(r.Name)), quoteList(u.Columns))}, u.Pos)
		}
	}
	pairs, missing, _ := match(t.ForeignKeys, r.ForeignKeys,
		func(d *spec.ForeignKey) string { return strings.Join(d.Columns, "\x00") },
		func(l *catalog.ForeignKey) string { return strings.Join(l.Columns, "\x00") })
	for _, d := range missing {
		c.add(&Finding{Code: "missing-foreign-key", Object: obj, Subject: obj, Expected: fkText(d.Columns, d.References.String(), d.RefColumns), Actual: "none",
			Message: fmt.Sprintf("no foreign key %s%s -> %s", r.Name.Name, list(d.Columns), refText(d.References.String(), d.RefColumns)),
			Hint: fmt.Sprintf("orphan rows can be stored and joins silently drop them; ALTER TABLE %s ADD FOREIGN KEY %s REFERENCES %s%s",
				QuoteName(spec.Name(r.Name)), quoteList(d.Columns), QuoteName(d.References), optList(d.RefColumns))}, d.Pos)
	}
	for _, p := range pairs {
		c.foreignKey(r, p.Declared, p.Live)
	}
	for _, d := range t.Indexes {
		c.index(r, d)
	}
}

func (c *comparer) hasUnique(r *catalog.Relation, cols []string) bool {
	if r.PrimaryKey != nil && sameSet(r.PrimaryKey.Columns, cols) {
		return true
	}
	for _, u := range r.Uniques {
		if sameSet(u.Columns, cols) {
			return true
		}
	}
	for _, ix := range r.Indexes {
		if ix.Unique && ix.Valid && ix.Predicate == nil && sameSet(ix.Columns, cols) {
			return true
		}
	}
	return false
}

func (c *comparer) foreignKey(r *catalog.Relation, d *spec.ForeignKey, l *catalog.ForeignKey) {
	var diffs []string
	live := catalog.Name{Schema: l.References.Schema, Name: l.References.Name}
	if live != relName(d.References) {
		diffs = append(diffs, fmt.Sprintf("references %s, not %s", live, d.References))
	}
	if d.RefColumns != nil && !slices.Equal(d.RefColumns, l.RefColumns) {
		diffs = append(diffs, fmt.Sprintf("references columns %s, not %s", list(l.RefColumns), list(d.RefColumns)))
	}
	if d.OnDelete != "" && d.OnDelete != l.OnDelete {
		diffs = append(diffs, fmt.Sprintf("ON DELETE %s, not %s", actionWord(l.OnDelete), actionWord(d.OnDelete)))
	}
	if d.OnUpdate != "" && d.OnUpdate != l.OnUpdate {
		diffs = append(diffs, fmt.Sprintf("ON UPDATE %s, not %s", actionWord(l.OnUpdate), actionWord(d.OnUpdate)))
	}
	if len(diffs) == 0 {
		return
	}
	obj := r.Name.String()
	f := &Finding{Code: "foreign-key-mismatch", Object: obj, Subject: obj,
		Expected: fkText(d.Columns, d.References.String(), d.RefColumns) + actions(d.OnDelete, d.OnUpdate),
		Actual:   fkText(l.Columns, live.String(), l.RefColumns) + actions(l.OnDelete, l.OnUpdate),
		Message:  fmt.Sprintf("foreign key %s on %s%s %s", l.Name, r.Name.Name, list(l.Columns), strings.Join(diffs, "; ")),
		Hint:     fmt.Sprintf("drop and re-create it: ALTER TABLE %s DROP CONSTRAINT %s, ADD FOREIGN KEY %s REFERENCES %s%s%s", QuoteName(spec.Name(r.Name)), QuoteIdent(l.Name), quoteList(d.Columns), QuoteName(d.References), optList(d.RefColumns), actions(d.OnDelete, d.OnUpdate))}
	if d.OnDelete == "cascade" && l.OnDelete != "cascade" {
		f.Hint = "deleting a parent row now fails (or leaves rows behind) instead of cascading; " + f.Hint
	}
	c.add(f, d.Pos)
}

func actionWord(a string) string { return strings.ToUpper(strings.ReplaceAll(a, "_", " ")) }

func actions(del, upd string) string {
	s := ""
	if del != "" && del != "no_action" {
		s += " ON DELETE " + actionWord(del)
	}
	if upd != "" && upd != "no_action" {
		s += " ON UPDATE " + actionWord(upd)
	}
	return s
}

func fkText(cols []string, ref string, refCols []string) string {
	return list(cols) + " -> " + refText(ref, refCols)
}

func refText(ref string, refCols []string) string {
	if refCols == nil {
		return ref
	}
	return ref + list(refCols)
}

func optList(cols []string) string {
	if cols == nil {
		return ""
	}
	return " " + quoteList(cols)
}

func (c *comparer) index(r *catalog.Relation, d *spec.Index) {
	obj := r.Name.String()
	sameCols := func(ix *catalog.Index) bool {
		if len(ix.Columns) != len(d.Columns) {
			return false
		}
		for i := range d.Columns {
			if ix.Columns[i] != d.Columns[i] && !sameExpr(d.Columns[i], ix.Columns[i]) {
				return false
			}
		}
		return true
	}
	var candidates []*catalog.Index
	for _, ix := range r.Indexes {
		if (d.Name == "" || d.Name == ix.Name) && (d.Columns == nil || sameCols(ix)) {
			candidates = append(candidates, ix)
		}
	}
	want := "INDEX ON " + r.Name.Name + list(d.Columns)
	if d.Unique != nil && *d.Unique {
		want = "UNIQUE " + want
	}
	if d.Where != nil {
		want += " WHERE " + *d.Where
	}
	if len(candidates) == 0 {
		hint := fmt.Sprintf("permission look-ups on %s scan the table; CREATE INDEX ON %s %s", list(d.Columns), QuoteName(spec.Name(r.Name)), quoteList(d.Columns))
		if d.Unique != nil && *d.Unique {
			hint = fmt.Sprintf("duplicates can be stored; CREATE UNIQUE INDEX ON %s %s", QuoteName(spec.Name(r.Name)), quoteList(d.Columns))
		}
		c.add(&Finding{Code: "missing-index", Object: obj, Subject: obj, Expected: want, Actual: "none",
			Message: fmt.Sprintf("no index on %s%s", r.Name.Name, list(d.Columns)) + nameSuffix(d.Name), Hint: hint}, d.Pos)
		return
	}
	for _, ix := range candidates {
		if (d.Unique == nil || *d.Unique == ix.Unique) &&
			(d.Where == nil || ix.Predicate != nil && sameExpr(*d.Where, *ix.Predicate)) {
			return // one index satisfies the declaration
		}
	}
	ix := candidates[0]
	got := "INDEX " + ix.Name + " ON " + r.Name.Name + list(ix.Columns)
	if ix.Unique {
		got = "UNIQUE " + got
	}
	if ix.Predicate != nil {
		got += " WHERE " + *ix.Predicate
	}
	c.add(&Finding{Code: "index-mismatch", Object: obj, Subject: obj, Expected: want, Actual: got,
		Message: fmt.Sprintf("index %s on %s%s differs: %s", ix.Name, r.Name.Name, list(ix.Columns), got),
		Hint:    "re-create the index as the model declares it (CREATE INDEX CONCURRENTLY, then drop the old one)"}, d.Pos)
}

func nameSuffix(n string) string {
	if n == "" {
		return ""
	}
	return " named " + n
}

func (c *comparer) enum(e *spec.Enum) {
	obj := e.Name.String()
	subj := "enum " + obj
	l := c.Catalog.Enums[relName(e.Name)]
	switch {
	case l == nil:
		c.add(&Finding{Code: "missing-enum", Object: obj, Subject: subj, Expected: "enum " + list(e.Labels), Actual: "none",
			Message: fmt.Sprintf("enum type %s does not exist", obj),
			Hint:    fmt.Sprintf("the migration that creates it has not run: CREATE TYPE %s AS ENUM %s", QuoteName(e.Name), quoteLabels(e.Labels))}, e.Pos)
		return
	case !l.IsEnum:
		c.add(&Finding{Code: "missing-enum", Object: obj, Subject: subj, Expected: "enum", Actual: "another kind of type",
			Message: fmt.Sprintf("type %s exists but is not an enum", obj),
			Hint:    "a domain or composite type took the enum's name; values the application sends may be accepted without the enum's check"}, e.Pos)
		return
	}
	if e.Labels == nil {
		return
	}
	_, missing, extra := match(e.Labels, l.Labels, identity[string], identity[string])
	for _, m := range missing {
		c.add(&Finding{Code: "enum-label-missing", Object: obj, Subject: subj, Expected: m, Actual: "none",
			Message: fmt.Sprintf("enum %s has no label %q", obj, m),
			Hint:    fmt.Sprintf("writing %q fails with 22P02 and reads never match it; ALTER TYPE %s ADD VALUE %s", m, QuoteName(e.Name), quoteLiteral(m))}, e.Pos)
	}
	for _, x := range extra {
		c.add(&Finding{Code: "enum-label-unexpected", Object: obj, Subject: subj, Expected: "none", Actual: x,
			Message: fmt.Sprintf("enum %s has label %q, which the model does not declare", obj, x),
			Hint:    "rows may hold a value the application does not know; declare it in the model and handle it in the code"}, e.Pos)
	}
	if len(missing) == 0 && len(extra) == 0 && !slices.Equal(e.Labels, l.Labels) {
		c.add(&Finding{Code: "enum-label-order", Object: obj, Subject: subj, Expected: list(e.Labels), Actual: list(l.Labels),
			Message: fmt.Sprintf("enum %s labels are in the order %s, the model says %s", obj, list(l.Labels), list(e.Labels)),
			Hint:    "comparisons (scope >= 'org') and ORDER BY follow the label order; re-create the type in the declared order"}, e.Pos)
	}
}
