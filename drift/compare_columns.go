package drift

import (
	"fmt"
	"strings"

	"github.com/rbacdrift/rbacdrift/introspect/catalog"
	"github.com/rbacdrift/rbacdrift/spec"
)

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
		f := &Finding{Code: MissingColumn, Object: obj, Subject: r.Name.String(), Expected: declaredColumn(d), Actual: "none",
			Message: fmt.Sprintf("column %s.%s does not exist", table, d.Name)}
		switch look := c.lookAlikes(d, undeclared); {
		case len(presentForbidden) > 0:
			f.Hint = HintLegacyLayout(table, presentForbidden, missingNames)
		case len(look) > 0 && (d.Type != "" || len(missing) == 1 || similarName(d.Name, look[0].Name)):
			f.Hint = fmt.Sprintf("%s.%s (%s) is not in the model: if %s was renamed to %s, rename it back (ALTER TABLE %s RENAME COLUMN %s TO %s) or update the model and the application's queries",
				table, look[0].Name, look[0].Type, d.Name, look[0].Name, QuoteName(spec.Name(r.Name)), QuoteIdent(look[0].Name), QuoteIdent(d.Name))
		case len(undeclared) > 0:
			var names []string
			for _, l := range undeclared {
				names = append(names, l.Name)
			}
			f.Hint = HintOtherLayout(table, names, missingNames)
		default:
			f.Hint = HintNotAdded(table, d.Name)
		}
		c.add(f, d.Pos)
	}
	for _, p := range pairs {
		c.column(r, p.Declared, p.Live)
	}
	for _, name := range presentForbidden {
		fc := forbidden[name]
		obj := r.Name.String() + "." + name
		f := &Finding{Code: ForbiddenColumn, Object: obj, Subject: r.Name.String(), Expected: "none", Actual: r.Column(name).Type,
			Message: fmt.Sprintf("column %s.%s must not exist", table, name)}
		if fc.Reason != "" {
			f.Message += ": " + fc.Reason
		}
		if len(missingNames) > 0 {
			f.Hint = HintLegacyLayout(table, presentForbidden, missingNames)
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
		f := &Finding{Code: UnexpectedColumn, Severity: sev, Object: obj, Subject: r.Name.String(), Expected: "none", Actual: l.Type,
			Message: fmt.Sprintf("column %s.%s (%s) is not in the model", table, l.Name, l.Type),
			Hint:    "declare it in the model, drop it, or set extra_columns: ignore for this table"}
		if requiredOnInsert(l) {
			// The application does not know the column, so its inserts
			// do not name it: every one of them fails.
			f.Severity = Error
			f.Actual += " NOT NULL"
			f.Message = fmt.Sprintf("column %s.%s (%s NOT NULL, no default) is not in the model", table, l.Name, l.Type)
			f.Hint = fmt.Sprintf("inserts that do not name %s fail with 23502; give it a default (ALTER TABLE %s ALTER COLUMN %s SET DEFAULT ...), drop NOT NULL, or declare it and set it in the application",
				l.Name, QuoteName(spec.Name(r.Name)), QuoteIdent(l.Name))
		}
		c.add(f, t.Pos)
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
			c.add(&Finding{Code: TypeMismatch, Object: obj, Subject: subj, Expected: d.Type, Actual: l.Type,
				Message: fmt.Sprintf("column %s is %s; the model's type %s does not exist on this database (%s)", col, l.Type, d.Type, msg),
				Hint:    fmt.Sprintf("create the type %s (a migration has not run), or correct the model", d.Type)}, d.TypePos)
		case want.OID != l.TypeOID || want.TypMod != l.TypMod:
			c.add(&Finding{Code: TypeMismatch, Object: obj, Subject: subj, Expected: d.Type, Actual: l.Type,
				Message: fmt.Sprintf("column %s is %s, the model says %s", col, l.Type, d.Type),
				Hint:    typeHint(r, d, l, want)}, d.TypePos)
		}
	}
	if d.Nullable != nil && *d.Nullable == l.NotNull {
		f := &Finding{Code: NullabilityMismatch, Object: obj, Subject: subj}
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
		f := &Finding{Code: IdentityMismatch, Object: obj, Subject: subj, Expected: orNone(*d.Identity), Actual: orNone(l.Identity),
			Message: fmt.Sprintf("column %s identity is %s, the model says %s", col, orNone(l.Identity), orNone(*d.Identity)),
			Hint:    fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s ADD/DROP IDENTITY as the model says", QuoteName(spec.Name(r.Name)), QuoteIdent(d.Name))}
		switch {
		case l.Identity == "by_default":
			// It accepts every insert the model allows: nothing breaks.
			f.Severity = Warning
		case l.Identity == "always":
			f.Hint = "inserts that set " + d.Name + " fail with 428C9; " + f.Hint
		default:
			f.Hint = "inserts that omit " + d.Name + " get no value and fail with 23502 (or store NULL); " + f.Hint
		}
		c.add(f, d.Pos)
	}
	if d.Generated != nil {
		live := ""
		if l.Generated != nil {
			live = *l.Generated
		}
		if (*d.Generated == "") != (live == "") || (live != "" && !sameExpr(*d.Generated, live)) {
			c.add(&Finding{Code: IdentityMismatch, Object: obj, Subject: subj, Expected: orNone(*d.Generated), Actual: orNone(live),
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
	f := &Finding{Code: DefaultMismatch, Object: obj, Subject: r.Name.String(), Expected: orNone(derefOr(d.Default, "")), Actual: orNone(derefOr(l.Default, "")),
		Message: fmt.Sprintf("column %s default is %s, the model says %s", col, orNone(derefOr(l.Default, "")), orNone(derefOr(d.Default, "")))}
	switch {
	case d.Default == nil:
		f.Hint = fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s DROP DEFAULT", QuoteName(spec.Name(r.Name)), QuoteIdent(d.Name))
	case l.Default == nil && l.Identity == "":
		// The application relies on the default: without it, its inserts
		// fail or store NULL.
		f.Severity = Error
		f.Hint = fmt.Sprintf("inserts that omit %s %s; ALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s", d.Name, nullOrFail(l), QuoteName(spec.Name(r.Name)), QuoteIdent(d.Name), *d.Default)
	default:
		f.Hint = fmt.Sprintf("inserts that omit %s get another value; ALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s", d.Name, QuoteName(spec.Name(r.Name)), QuoteIdent(d.Name), *d.Default)
	}
	c.add(f, d.Pos)
}

// requiredOnInsert reports whether an insert that does not name l fails:
// NOT NULL with no default, no identity and no generation.
func requiredOnInsert(l *catalog.Column) bool {
	return l.NotNull && l.Default == nil && l.Identity == "" && l.Generated == nil
}

func nullOrFail(l *catalog.Column) string {
	if l.NotNull {
		return "fail with 23502"
	}
	return "store NULL"
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
