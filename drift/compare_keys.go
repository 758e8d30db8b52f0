package drift

import (
	"cmp"
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
		} else if diffs := keyDiffs(t.PrimaryKey, r.PrimaryKey); len(diffs) > 0 {
			c.add(&Finding{Code: PrimaryKeyMismatch, Object: obj, Subject: obj, Expected: keyText(t.PrimaryKey), Actual: liveKeyText(r.PrimaryKey),
				Message: fmt.Sprintf("%s primary key %s %s", obj, list(live), strings.Join(diffs, "; ")),
				Hint: fmt.Sprintf("a deferrable key is checked at commit and cannot arbitrate ON CONFLICT; replace the key: ALTER TABLE %s DROP CONSTRAINT %s, ADD PRIMARY KEY %s%s",
					QuoteName(spec.Name(r.Name)), QuoteIdent(r.PrimaryKey.Name), quoteList(t.PrimaryKey.Columns), deferral(t.PrimaryKey.Deferrable, t.PrimaryKey.InitiallyDeferred))}, t.PrimaryKey.Pos)
		}
	}
	// Uniques are keyed by their set of columns; the live side is every
	// key that keeps rows unique: the primary key, unique constraints, and
	// valid unique indexes without a predicate. A declaration that states
	// how the key is checked (deferrable, nulls not distinct) is then held
	// to it by one of those with its columns.
	pairs0, missingUniques, _ := match(t.Unique, uniqueKeys(r),
		func(u *spec.Key) string { return setKey(u.Columns) }, func(l *catalog.Constraint) string { return setKey(l.Columns) })
	for _, u := range missingUniques {
		c.add(&Finding{Code: MissingUnique, Object: obj, Subject: obj, Expected: "UNIQUE " + list(u.Columns), Actual: "none",
			Message: fmt.Sprintf("no unique constraint or unique index on %s%s", r.Name.Name, list(u.Columns)),
			Hint: fmt.Sprintf("duplicates can be stored, and INSERT ... ON CONFLICT %s fails with 42P10; ALTER TABLE %s ADD UNIQUE %s",
				list(u.Columns), QuoteName(spec.Name(r.Name)), quoteList(u.Columns))}, u.Pos)
	}
	for _, p := range pairs0 {
		u := p.Declared
		if u.Deferrable == nil && u.InitiallyDeferred == nil && u.NullsNotDistinct == nil {
			continue
		}
		var diffs []string
		for _, l := range uniqueKeys(r) {
			if setKey(l.Columns) != setKey(u.Columns) {
				continue
			}
			if diffs = keyDiffs(u, l); len(diffs) == 0 {
				break
			}
		}
		if len(diffs) == 0 {
			continue
		}
		c.add(&Finding{Code: MissingUnique, Object: obj, Subject: obj, Expected: "UNIQUE " + keyText(u), Actual: "UNIQUE " + list(u.Columns) + " " + strings.Join(diffs, "; "),
			Message: fmt.Sprintf("no unique key on %s%s as declared: it %s", r.Name.Name, list(u.Columns), strings.Join(diffs, "; ")),
			Hint: fmt.Sprintf("a deferrable key is checked at commit and cannot arbitrate ON CONFLICT (55000), and nulls distinct or not decide which rows collide; re-create it: ALTER TABLE %s ADD UNIQUE %s%s, then drop the old one",
				QuoteName(spec.Name(r.Name)), quoteList(u.Columns), deferral(u.Deferrable, u.InitiallyDeferred))}, u.Pos)
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

// uniqueKeys returns the keys that r keeps unique: its primary key, unique
// constraints and valid unique indexes without a predicate (as keys not
// deferrable).
func uniqueKeys(r *catalog.Relation) []*catalog.Constraint {
	var out []*catalog.Constraint
	if r.PrimaryKey != nil {
		out = append(out, r.PrimaryKey)
	}
	out = append(out, r.Uniques...)
	for _, ix := range r.Indexes {
		if ix.Unique && ix.Valid && ix.Predicate == nil && !backsKey(r, ix) {
			out = append(out, &catalog.Constraint{Name: ix.Name, Columns: ix.Columns, NullsNotDistinct: ix.NullsNotDistinct})
		}
	}
	return out
}

// keyDiffs says how the live key l differs from what d states of it.
func keyDiffs(d *spec.Key, l *catalog.Constraint) []string {
	var diffs []string
	if d.Deferrable != nil && *d.Deferrable != l.Deferrable {
		diffs = append(diffs, "is "+deferrableWord(l.Deferrable)+", the model says "+deferrableWord(*d.Deferrable))
	}
	if d.InitiallyDeferred != nil && *d.InitiallyDeferred != l.InitiallyDeferred {
		diffs = append(diffs, "is INITIALLY "+deferredWord(l.InitiallyDeferred)+", the model says INITIALLY "+deferredWord(*d.InitiallyDeferred))
	}
	if d.NullsNotDistinct != nil && *d.NullsNotDistinct != l.NullsNotDistinct {
		diffs = append(diffs, "has NULLS "+notWord(l.NullsNotDistinct)+"DISTINCT, the model says NULLS "+notWord(*d.NullsNotDistinct)+"DISTINCT")
	}
	return diffs
}

func notWord(b bool) string {
	if b {
		return "NOT "
	}
	return ""
}

func deferrableWord(b bool) string {
	if b {
		return "DEFERRABLE"
	}
	return "NOT DEFERRABLE"
}

func deferredWord(b bool) string {
	if b {
		return "DEFERRED"
	}
	return "IMMEDIATE"
}

// deferral renders DEFERRABLE [INITIALLY DEFERRED] as a model states it.
func deferral(deferrable, deferred *bool) string {
	s := ""
	if deferrable != nil && *deferrable {
		s = " DEFERRABLE"
	}
	if deferred != nil && *deferred {
		s = " DEFERRABLE INITIALLY DEFERRED"
	}
	return s
}

// keyText renders a declared key and what the model states of it.
func keyText(k *spec.Key) string {
	s := list(k.Columns)
	if k.NullsNotDistinct != nil && *k.NullsNotDistinct {
		s += " NULLS NOT DISTINCT"
	}
	return s + deferral(k.Deferrable, k.InitiallyDeferred)
}

// liveKeyText renders a live key as keyText renders a declared one.
func liveKeyText(l *catalog.Constraint) string {
	return keyText(&spec.Key{Columns: l.Columns, Deferrable: &l.Deferrable, InitiallyDeferred: &l.InitiallyDeferred, NullsNotDistinct: &l.NullsNotDistinct})
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
	if d.Deferrable != nil && *d.Deferrable != l.Deferrable {
		diffs = append(diffs, deferrableWord(l.Deferrable)+", not "+deferrableWord(*d.Deferrable))
	}
	if d.InitiallyDeferred != nil && *d.InitiallyDeferred != l.InitiallyDeferred {
		diffs = append(diffs, "INITIALLY "+deferredWord(l.InitiallyDeferred)+", not INITIALLY "+deferredWord(*d.InitiallyDeferred))
	}
	if d.Valid != nil && *d.Valid != l.Valid {
		if l.Valid {
			diffs = append(diffs, "validated, not NOT VALID")
		} else {
			diffs = append(diffs, "NOT VALID (rows from before it was added are not checked), not validated")
		}
	}
	if len(diffs) == 0 {
		return
	}
	obj := r.Name.String()
	f := &Finding{Code: ForeignKeyMismatch, Object: obj, Subject: obj,
		Expected: fkText(d.Columns, d.References.String(), d.RefColumns) + actions(d.OnDelete, d.OnUpdate),
		Actual:   fkText(l.Columns, live.String(), l.RefColumns) + actions(l.OnDelete, l.OnUpdate),
		Message:  fmt.Sprintf("foreign key %s on %s%s %s", l.Name, r.Name.Name, list(l.Columns), strings.Join(diffs, "; ")),
		Hint:     fmt.Sprintf("drop and re-create it: ALTER TABLE %s DROP CONSTRAINT %s, ADD FOREIGN KEY %s REFERENCES %s%s%s", QuoteName(spec.Name(r.Name)), QuoteIdent(l.Name), quoteList(d.Columns), QuoteName(d.References), optList(d.RefColumns), actions(d.OnDelete, d.OnUpdate)+deferral(d.Deferrable, d.InitiallyDeferred))}
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

// indexes compares the declared indexes with r's. An index satisfies a
// declaration when it does what the declaration says: the same key columns
// (as the server renders them) compared and ordered the same way, the same
// method, INCLUDE columns, NULLS NOT DISTINCT and EXCLUDE constraint, with
// what the model leaves out of those as the defaults; and the name,
// uniqueness, predicate, validity and deferral where the model gives them
// (a declared unique index must be valid unless the model says otherwise).
// Several declarations may be satisfied by one index, so each is matched
// alone, against every index of the table: a table has a handful. What
// nothing satisfies is then paired with an index on the same columns (and
// of the same name), to tell "differs" from "missing".
func (c *comparer) indexes(r *catalog.Relation, ds []*spec.Index) {
	for _, d := range ds {
		if slices.ContainsFunc(r.Indexes, func(ix *catalog.Index) bool { return len(indexDiffs(d, ix)) == 0 }) {
			continue
		}
		var candidates []*catalog.Index
		for _, ix := range r.Indexes {
			if d.Name == "" && backsKey(r, ix) {
				continue // the key's, which the model declares as a key
			}
			if (d.Name == "" || d.Name == ix.Name) && (d.Columns == nil || sameExprs(d.Columns, ix.Columns)) {
				candidates = append(candidates, ix)
			}
		}
		// The closest first: the fewest differences.
		slices.SortStableFunc(candidates, func(a, b *catalog.Index) int {
			return cmp.Compare(len(indexDiffs(d, a)), len(indexDiffs(d, b)))
		})
		c.indexFinding(r, d, candidates)
	}
}

// backsKey reports whether ix is the index of r's primary key or of one
// of its unique constraints.
func backsKey(r *catalog.Relation, ix *catalog.Index) bool {
	return ix.Primary || slices.ContainsFunc(r.Uniques, func(u *catalog.Constraint) bool { return u.Name == ix.Name })
}

// sameExprs reports whether two lists of key columns are the same as the
// server renders them.
func sameExprs(a, b []string) bool {
	return slices.EqualFunc(a, b, func(x, y string) bool { return normExpr(x) == normExpr(y) })
}

// liveKey returns the i-th key of ix; an index built without Keys has the
// defaults.
func liveKey(ix *catalog.Index, i int) catalog.IndexKey {
	if i < len(ix.Keys) {
		return ix.Keys[i]
	}
	return catalog.IndexKey{OpclassDefault: true, CollationDefault: true}
}

// indexDiffs says how ix differs from what d declares; none: ix satisfies d.
func indexDiffs(d *spec.Index, ix *catalog.Index) []string {
	var diffs []string
	add := func(format string, args ...any) { diffs = append(diffs, fmt.Sprintf(format, args...)) }
	if d.Name != "" && d.Name != ix.Name {
		add("is named %s, not %s", ix.Name, d.Name)
	}
	shape := d.Columns != nil // the defaults hold for what the model leaves out
	method := d.Method
	if method == "" && shape {
		method = "btree"
	}
	if method != "" && method != ix.Method {
		add("uses %s, not %s", ix.Method, method)
	}
	if shape {
		if !sameExprs(d.Columns, ix.Columns) {
			add("is on %s, not %s", list(ix.Columns), list(d.Columns))
		} else {
			for i, col := range d.Columns {
				var k spec.IndexKey
				if i < len(d.Keys) {
					k = d.Keys[i]
				}
				diffs = append(diffs, keyColumnDiffs(col, k, liveKey(ix, i))...)
			}
		}
	}
	if (shape || d.Include != nil) && !slices.Equal(d.Include, ix.Include) {
		add("includes %s, not %s", noneOrList(ix.Include), noneOrList(d.Include))
	}
	if (shape || d.NullsNotDistinct) && d.NullsNotDistinct != ix.NullsNotDistinct {
		add("has NULLS %sDISTINCT, not NULLS %sDISTINCT", notWord(ix.NullsNotDistinct), notWord(d.NullsNotDistinct))
	}
	if d.Unique != nil && *d.Unique != ix.Unique {
		add("is %sunique", map[bool]string{true: "", false: "not "}[ix.Unique])
	}
	if d.Where != nil {
		switch {
		case ix.Predicate == nil:
			add("has no predicate, not WHERE %s", *d.Where)
		case normExpr(*d.Where) != normExpr(*ix.Predicate):
			add("has WHERE %s, not WHERE %s", *ix.Predicate, *d.Where)
		}
	}
	switch {
	case d.Valid != nil && *d.Valid != ix.Valid, d.Valid == nil && d.Unique != nil && *d.Unique && !ix.Valid:
		// An invalid unique index keeps nothing unique.
		add("is %s", map[bool]string{true: "valid", false: "INVALID (a failed CREATE INDEX CONCURRENTLY: never used, keeps nothing unique)"}[ix.Valid])
	}
	var ops []string
	if ix.Exclusion != nil {
		ops = ix.Exclusion.Operators
	}
	if (shape || d.Exclude != nil) && !slices.Equal(d.Exclude, ops) {
		switch {
		case ops == nil:
			add("backs no EXCLUDE constraint, not EXCLUDE with %s", list(d.Exclude))
		case d.Exclude == nil:
			add("backs EXCLUDE constraint %s with %s", ix.Exclusion.Name, list(ops))
		default:
			add("backs EXCLUDE with %s, not %s", list(ops), list(d.Exclude))
		}
	}
	if ix.Exclusion != nil {
		if d.Deferrable != nil && *d.Deferrable != ix.Exclusion.Deferrable {
			add("is %s", deferrableWord(ix.Exclusion.Deferrable))
		}
		if d.InitiallyDeferred != nil && *d.InitiallyDeferred != ix.Exclusion.InitiallyDeferred {
			add("is INITIALLY %s", deferredWord(ix.Exclusion.InitiallyDeferred))
		}
	}
	return diffs
}

// keyColumnDiffs says how the live key l of column col differs from the
// declared k: what the model leaves out is the default.
func keyColumnDiffs(col string, k spec.IndexKey, l catalog.IndexKey) []string {
	var diffs []string
	switch {
	case k.Opclass == "" && !l.OpclassDefault:
		diffs = append(diffs, fmt.Sprintf("compares %s with %s, not its type's default operator class", col, l.Opclass))
	case k.Opclass != "" && k.Opclass != l.Opclass:
		diffs = append(diffs, fmt.Sprintf("compares %s with %s, not %s", col, l.Opclass, k.Opclass))
	}
	switch {
	case k.Collation == "" && !l.CollationDefault:
		diffs = append(diffs, fmt.Sprintf("sorts %s with collation %q, not the column's", col, l.Collation))
	case k.Collation != "" && k.Collation != l.Collation:
		diffs = append(diffs, fmt.Sprintf("sorts %s with collation %q, not %q", col, l.Collation, k.Collation))
	}
	first := k.Desc
	if k.NullsFirst != nil {
		first = *k.NullsFirst
	}
	if k.Desc != l.Desc || first != l.NullsFirst {
		diffs = append(diffs, fmt.Sprintf("orders %s %s, not %s", col, order(l.Desc, l.NullsFirst), order(k.Desc, first)))
	}
	return diffs
}

func order(desc, nullsFirst bool) string {
	s := "ASC"
	if desc {
		s = "DESC"
	}
	if nullsFirst {
		return s + " NULLS FIRST"
	}
	return s + " NULLS LAST"
}

func noneOrList(cols []string) string {
	if len(cols) == 0 {
		return "nothing"
	}
	return list(cols)
}

// declaredIndexText renders a declaration as CREATE INDEX would say it,
// what the model leaves out not said.
func declaredIndexText(table string, d *spec.Index) string {
	s := "INDEX"
	if d.Name != "" {
		s += " " + d.Name
	}
	s += " ON " + table
	if d.Method != "" && d.Method != "btree" {
		s += " USING " + d.Method
	}
	cols := make([]string, len(d.Columns))
	for i, col := range d.Columns {
		cols[i] = col
		if i < len(d.Keys) {
			k := d.Keys[i]
			if k.Collation != "" {
				cols[i] += " COLLATE " + QuoteIdent(k.Collation)
			}
			if k.Opclass != "" {
				cols[i] += " " + k.Opclass
			}
			if k.Desc {
				cols[i] += " DESC"
			}
			if k.NullsFirst != nil && *k.NullsFirst != k.Desc {
				cols[i] += map[bool]string{true: " NULLS FIRST", false: " NULLS LAST"}[*k.NullsFirst]
			}
		}
		if i < len(d.Exclude) {
			cols[i] += " WITH " + d.Exclude[i]
		}
	}
	s += list(cols)
	if d.Include != nil {
		s += " INCLUDE " + list(d.Include)
	}
	if d.NullsNotDistinct {
		s += " NULLS NOT DISTINCT"
	}
	if d.Where != nil {
		s += " WHERE " + *d.Where
	}
	if d.Unique != nil && *d.Unique {
		s = "UNIQUE " + s
	}
	if d.Exclude != nil {
		s = "EXCLUDE " + s
	}
	return s
}

// liveIndexText renders a live index as declaredIndexText renders a
// declaration.
func liveIndexText(table string, ix *catalog.Index) string {
	d := snapshotIndex(ix)
	d.Name = ix.Name
	s := declaredIndexText(table, d)
	if !ix.Valid {
		s += " (INVALID)"
	}
	return s
}

// indexFinding reports a declared index that no live index satisfies:
// candidates are the indexes with its columns (and name), the closest
// first.
func (c *comparer) indexFinding(r *catalog.Relation, d *spec.Index, candidates []*catalog.Index) {
	obj := r.Name.String()
	want := declaredIndexText(r.Name.Name, d)
	unique := d.Unique != nil && *d.Unique
	where := ""
	if d.Where != nil {
		where = " WHERE " + *d.Where
	}
	create := "CREATE INDEX CONCURRENTLY ON " + QuoteName(spec.Name(r.Name)) + strings.TrimPrefix(strings.TrimPrefix(declaredIndexText("", &spec.Index{Method: d.Method, Columns: d.Columns, Keys: d.Keys, Include: d.Include, NullsNotDistinct: d.NullsNotDistinct, Where: d.Where}), "INDEX"), " ON ")
	if len(candidates) == 0 {
		if unique {
			// Integrity, not speed: nothing stops duplicates any more.
			c.add(&Finding{Code: MissingUniqueIndex, Object: obj, Subject: obj, Expected: want, Actual: "none",
				Message: fmt.Sprintf("no unique index on %s%s", r.Name.Name, list(d.Columns)) + nameSuffix(d.Name),
				Hint: fmt.Sprintf("duplicates can be stored and INSERT ... ON CONFLICT on these columns fails with 42P10; CREATE UNIQUE INDEX CONCURRENTLY ON %s %s%s (remove the duplicates first)",
					QuoteName(spec.Name(r.Name)), quoteKeys(r, d.Columns), where)}, d.Pos)
			return
		}
		hint := fmt.Sprintf("permission look-ups on %s scan the table; CREATE INDEX ON %s %s", list(d.Columns), QuoteName(spec.Name(r.Name)), quoteKeys(r, d.Columns))
		if (d.Method != "" && d.Method != "btree") || d.Keys != nil || d.Include != nil || d.NullsNotDistinct || d.Where != nil {
			hint = fmt.Sprintf("queries that need it scan the table; %s", create)
		}
		c.add(&Finding{Code: MissingIndex, Object: obj, Subject: obj, Expected: want, Actual: "none",
			Message: fmt.Sprintf("no index on %s%s", r.Name.Name, list(d.Columns)) + nameSuffix(d.Name),
			Hint:    hint}, d.Pos)
		return
	}
	ix := candidates[0]
	got := liveIndexText(r.Name.Name, ix)
	if unique {
		c.add(&Finding{Code: MissingUniqueIndex, Object: obj, Subject: obj, Expected: want, Actual: got,
			Message: fmt.Sprintf("no unique index on %s%s as declared: %s", r.Name.Name, list(d.Columns), got),
			Hint: fmt.Sprintf("the rows the model says are unique are not kept unique (and ON CONFLICT on them fails with 42P10); CREATE UNIQUE INDEX CONCURRENTLY ON %s %s%s, then drop %s",
				QuoteName(spec.Name(r.Name)), quoteKeys(r, d.Columns), where, QuoteIdent(ix.Name))}, d.Pos)
		return
	}
	c.add(&Finding{Code: IndexMismatch, Object: obj, Subject: obj, Expected: want, Actual: got,
		Message: fmt.Sprintf("index %s on %s%s differs: it %s", ix.Name, r.Name.Name, list(ix.Columns), strings.Join(indexDiffs(d, ix), "; ")),
		Hint:    "re-create the index as the model declares it (" + create + ", then DROP INDEX CONCURRENTLY " + QuoteIdent(ix.Name) + ")"}, d.Pos)
}

func nameSuffix(n string) string {
	if n == "" {
		return ""
	}
	return " named " + n
}
