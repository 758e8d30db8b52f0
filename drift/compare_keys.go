package drift

import (
	"fmt"
	"slices"
	"strings"

	"github.com/rbacdrift/rbacdrift/introspect/catalog"
	"github.com/rbacdrift/rbacdrift/spec"
)

func (c *comparer) keys(t *spec.Table, r *catalog.Relation) {
	obj := r.Name.String()
	if t.PrimaryKey != nil {
		var live []string
		if r.PrimaryKey != nil {
			live = r.PrimaryKey.Columns
		}
		if !slices.Equal(t.PrimaryKey.Columns, live) {
			f := &Finding{Code: PrimaryKeyMismatch, Object: obj, Subject: obj, Expected: list(t.PrimaryKey.Columns), Actual: "none"}
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
	// Uniques are keyed by their set of columns; the live side is every
	// key that keeps rows unique: the primary key, unique constraints, and
	// valid unique indexes without a predicate.
	_, missingUniques, _ := match(t.Unique, uniqueKeys(r),
		func(u *spec.Key) string { return setKey(u.Columns) }, setKey)
	for _, u := range missingUniques {
		c.add(&Finding{Code: MissingUnique, Object: obj, Subject: obj, Expected: "UNIQUE " + list(u.Columns), Actual: "none",
			Message: fmt.Sprintf("no unique constraint or unique index on %s%s", r.Name.Name, list(u.Columns)),
			Hint: fmt.Sprintf("duplicates can be stored, and INSERT ... ON CONFLICT %s fails with 42P10; ALTER TABLE %s ADD UNIQUE %s",
				list(u.Columns), QuoteName(spec.Name(r.Name)), quoteList(u.Columns))}, u.Pos)
	}
	// Foreign keys are keyed by their columns and the table they reference:
	// two on the same columns to different tables are legal. A declared one
	// with no such match is then paired by its columns alone, to tell "it
	// references another table" from "it is missing".
	pairs, unmatched, others := match(t.ForeignKeys, r.ForeignKeys,
		func(d *spec.ForeignKey) string { return fkKey(d.Columns, relName(d.References)) },
		func(l *catalog.ForeignKey) string { return fkKey(l.Columns, l.References) })
	byColumns, missing, _ := match(unmatched, others,
		func(d *spec.ForeignKey) string { return strings.Join(d.Columns, "\x00") },
		func(l *catalog.ForeignKey) string { return strings.Join(l.Columns, "\x00") })
	pairs = append(pairs, byColumns...)
	for _, d := range missing {
		c.add(&Finding{Code: MissingForeignKey, Object: obj, Subject: obj, Expected: fkText(d.Columns, d.References.String(), d.RefColumns), Actual: "none",
			Message: fmt.Sprintf("no foreign key %s%s -> %s", r.Name.Name, list(d.Columns), refText(d.References.String(), d.RefColumns)),
			Hint: fmt.Sprintf("orphan rows can be stored and joins silently drop them; ALTER TABLE %s ADD FOREIGN KEY %s REFERENCES %s%s",
				QuoteName(spec.Name(r.Name)), quoteList(d.Columns), QuoteName(d.References), optList(d.RefColumns))}, d.Pos)
	}
	for _, p := range pairs {
		c.foreignKey(r, p.Declared, p.Live)
	}
	c.indexes(r, t.Indexes)
}

func fkKey(cols []string, ref catalog.Name) string {
	return strings.Join(cols, "\x00") + "\x01" + ref.Schema + "\x00" + ref.Name
}

// uniqueKeys returns the column lists that r keeps unique.
func uniqueKeys(r *catalog.Relation) [][]string {
	var out [][]string
	if r.PrimaryKey != nil {
		out = append(out, r.PrimaryKey.Columns)
	}
	for _, u := range r.Uniques {
		out = append(out, u.Columns)
	}
	for _, ix := range r.Indexes {
		if ix.Unique && ix.Valid && ix.Predicate == nil {
			out = append(out, ix.Columns)
		}
	}
	return out
}

// setKey is the key of a set of columns, whatever their order.
func setKey(cols []string) string {
	s := slices.Clone(cols)
	slices.Sort(s)
	return strings.Join(s, "\x00")
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
	f := &Finding{Code: ForeignKeyMismatch, Object: obj, Subject: obj,
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

// indexes compares the declared indexes with r's through the differ. An
// index satisfies a declaration when it has the declared columns (as the
// server renders them), and the name, uniqueness and predicate where the
// model gives them, and is valid when it must keep rows unique. Each live
// index is keyed once for every combination of the optional facts, so that
// a declaration's key, built from what it gives, finds any index that
// satisfies it. What nothing satisfies is then paired by its columns (and
// name) alone, to tell "differs" from "missing".
func (c *comparer) indexes(r *catalog.Relation, ds []*spec.Index) {
	type entry struct {
		key string
		ix  *catalog.Index
	}
	var live []entry
	for _, ix := range r.Indexes {
		for mask := range 16 {
			name, uniq, where, cols := "", "", "", ix.Columns
			if mask&1 != 0 {
				name = ix.Name
			}
			if mask&2 != 0 {
				if ix.Unique && !ix.Valid {
					continue // an invalid index keeps nothing unique
				}
				uniq = fmt.Sprint(ix.Unique)
			}
			if mask&4 != 0 {
				if ix.Predicate == nil {
					continue
				}
				where = normExpr(*ix.Predicate)
			}
			if mask&8 != 0 {
				cols = nil // a declaration without columns: any columns
			}
			live = append(live, entry{indexKey(mask, name, cols, uniq, where), ix})
		}
	}
	declKey := func(d *spec.Index) string {
		mask, uniq, where := baseMask(d), "", ""
		if d.Unique != nil {
			mask, uniq = mask|2, fmt.Sprint(*d.Unique)
		}
		if d.Where != nil {
			mask, where = mask|4, normExpr(*d.Where)
		}
		return indexKey(mask, d.Name, d.Columns, uniq, where)
	}
	// Several declarations may be satisfied by one index: match each alone.
	for _, d := range ds {
		if _, missing, _ := match([]*spec.Index{d}, live, declKey, func(e entry) string { return e.key }); len(missing) == 0 {
			continue
		}
		var candidates []*catalog.Index
		for _, e := range live {
			if e.key == indexKey(baseMask(d), d.Name, d.Columns, "", "") {
				candidates = append(candidates, e.ix)
			}
		}
		c.indexFinding(r, d, candidates)
	}
}

// baseMask is the part of a declaration's key mask that name and columns
// decide.
func baseMask(d *spec.Index) int {
	m := 0
	if d.Name != "" {
		m |= 1
	}
	if d.Columns == nil {
		m |= 8
	}
	return m
}

// indexKey is the key of an index under mask: which of name (1),
// uniqueness (2) and predicate (4) it holds, and whether the columns are
// left out (8); columns are as the server renders them.
func indexKey(mask int, name string, cols []string, uniq, where string) string {
	norm := "*"
	if cols != nil {
		n := make([]string, len(cols))
		for i, col := range cols {
			n[i] = normExpr(col)
		}
		norm = strings.Join(n, "\x00")
	}
	return string(rune('0'+mask)) + "\x01" + name + "\x01" + norm + "\x01" + uniq + "\x01" + where
}

// indexFinding reports a declared index that no live index satisfies:
// candidates are the indexes with its columns (and name).
func (c *comparer) indexFinding(r *catalog.Relation, d *spec.Index, candidates []*catalog.Index) {
	obj := r.Name.String()
	want := "INDEX ON " + r.Name.Name + list(d.Columns)
	if d.Unique != nil && *d.Unique {
		want = "UNIQUE " + want
	}
	if d.Where != nil {
		want += " WHERE " + *d.Where
	}
	unique := d.Unique != nil && *d.Unique
	where := ""
	if d.Where != nil {
		where = " WHERE " + *d.Where
	}
	if len(candidates) == 0 {
		if unique {
			// Integrity, not speed: nothing stops duplicates any more.
			c.add(&Finding{Code: MissingUniqueIndex, Object: obj, Subject: obj, Expected: want, Actual: "none",
				Message: fmt.Sprintf("no unique index on %s%s", r.Name.Name, list(d.Columns)) + nameSuffix(d.Name),
				Hint: fmt.Sprintf("duplicates can be stored and INSERT ... ON CONFLICT on these columns fails with 42P10; CREATE UNIQUE INDEX CONCURRENTLY ON %s %s%s (remove the duplicates first)",
					QuoteName(spec.Name(r.Name)), quoteList(d.Columns), where)}, d.Pos)
			return
		}
		c.add(&Finding{Code: MissingIndex, Object: obj, Subject: obj, Expected: want, Actual: "none",
			Message: fmt.Sprintf("no index on %s%s", r.Name.Name, list(d.Columns)) + nameSuffix(d.Name),
			Hint:    fmt.Sprintf("permission look-ups on %s scan the table; CREATE INDEX ON %s %s", list(d.Columns), QuoteName(spec.Name(r.Name)), quoteList(d.Columns))}, d.Pos)
		return
	}
	ix := candidates[0]
	got := "INDEX " + ix.Name + " ON " + r.Name.Name + list(ix.Columns)
	if ix.Unique {
		got = "UNIQUE " + got
	}
	if ix.Predicate != nil {
		got += " WHERE " + *ix.Predicate
	}
	if !ix.Valid {
		got += " (INVALID)"
	}
	if unique {
		c.add(&Finding{Code: MissingUniqueIndex, Object: obj, Subject: obj, Expected: want, Actual: got,
			Message: fmt.Sprintf("no unique index on %s%s as declared: %s", r.Name.Name, list(d.Columns), got),
			Hint: fmt.Sprintf("the rows the model says are unique are not kept unique (and ON CONFLICT on them fails with 42P10); CREATE UNIQUE INDEX CONCURRENTLY ON %s %s%s, then drop %s",
				QuoteName(spec.Name(r.Name)), quoteList(d.Columns), where, QuoteIdent(ix.Name))}, d.Pos)
		return
	}
	c.add(&Finding{Code: IndexMismatch, Object: obj, Subject: obj, Expected: want, Actual: got,
		Message: fmt.Sprintf("index %s on %s%s differs: %s", ix.Name, r.Name.Name, list(ix.Columns), got),
		Hint:    "re-create the index as the model declares it (CREATE INDEX CONCURRENTLY, then drop the old one)"}, d.Pos)
}

func nameSuffix(n string) string {
	if n == "" {
		return ""
	}
	return " named " + n
}
