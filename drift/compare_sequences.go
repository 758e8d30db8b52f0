package drift

import (
	"fmt"
	"slices"
	"strings"

	"github.com/rbacdrift/rbacdrift/introspect/catalog"
	"github.com/rbacdrift/rbacdrift/spec"
)

// sequences checks the sequence behind every serial and identity column of
// r, declared or not: that it exists, that the column owns it, that the
// application's roles may call nextval on it, and that its next value is
// above the column's maximum (when that was read).
func (c *comparer) sequences(t *spec.Table, r *catalog.Relation) {
	for _, q := range r.Sequences {
		c.sequence(t, r, q)
	}
}

func (c *comparer) sequence(t *spec.Table, r *catalog.Relation, q *catalog.Sequence) {
	obj := r.Name.String() + "." + q.Column
	col := r.Name.Name + "." + q.Column
	pos := t.Pos
	if d := declaredColumnNamed(t, q.Column); d != nil {
		pos = d.Pos
	}
	l := r.Column(q.Column)
	if q.Name.Name == "" && q.Identity {
		// A partition's identity column draws from its parent's sequence
		// (PostgreSQL 17+): the parent's column is where it is checked.
		return
	}
	if q.Name.Name == "" {
		def := ""
		if l != nil && l.Default != nil {
			def = *l.Default
		}
		c.add(&Finding{Code: SequenceMissing, Object: obj, Subject: r.Name.String(), Expected: "a sequence", Actual: "none",
			Message: fmt.Sprintf("column %s defaults to %s, which names no existing sequence", col, def),
			Hint: fmt.Sprintf("inserts that omit %s fail (42P01, relation does not exist); CREATE SEQUENCE, then ALTER TABLE %s ALTER COLUMN %s SET DEFAULT nextval('<sequence>'::regclass) and ALTER SEQUENCE <sequence> OWNED BY %s.%s",
				q.Column, QuoteName(spec.Name(r.Name)), QuoteIdent(q.Column), QuoteName(spec.Name(r.Name)), QuoteIdent(q.Column))}, pos)
		return
	}
	seq := q.Name.String()
	seqSQL := QuoteName(spec.Name(q.Name))
	if !q.Owned {
		f := &Finding{Code: SequenceNotOwned, Object: obj, Subject: r.Name.String(), Expected: "sequence " + seq + " owned by " + obj, Actual: "not owned",
			Message: fmt.Sprintf("sequence %s behind column %s is not owned by the column", seq, col),
			Hint: fmt.Sprintf("pg_get_serial_sequence('%s', '%s') returns NULL, so tools that reset sequences skip it, and dropping the table or the column leaves it behind; ALTER SEQUENCE %s OWNED BY %s.%s",
				QuoteName(spec.Name(r.Name)), q.Column, seqSQL, QuoteName(spec.Name(r.Name)), QuoteIdent(q.Column))}
		if q.OwnedBy != "" {
			f.Actual = "owned by " + q.OwnedBy
			f.Message = fmt.Sprintf("sequence %s behind column %s is owned by %s instead", seq, col, q.OwnedBy)
			f.Hint = "dropping " + q.OwnedBy + " drops the sequence, and the inserts into " + r.Name.Name + " with it; " + f.Hint[strings.Index(f.Hint, "ALTER SEQUENCE"):]
		}
		c.add(f, pos)
	}
	if !q.Identity {
		// An identity column's sequence is used without a privilege check;
		// a nextval default runs with the inserting role's privileges.
		var lacking []string
		for _, role := range c.writers(t, r) {
			if slices.Contains(q.NoUsage, role) {
				lacking = append(lacking, role)
			}
		}
		if len(lacking) > 0 {
			c.add(&Finding{Code: MissingSequencePrivilege, Object: obj, Subject: r.Name.String(),
				Expected: strings.Join(lacking, ", ") + ": USAGE on " + seq, Actual: "none",
				Message: fmt.Sprintf("%s may insert into %s but not call nextval on sequence %s (the default of %s)", roleList(lacking), r.Name, seq, col),
				Hint: fmt.Sprintf("inserts that omit %s fail with 42501 (permission denied for sequence %s); GRANT USAGE ON SEQUENCE %s TO %s",
					q.Column, q.Name.Name, seqSQL, strings.Join(quoteRoles(lacking), ", "))}, pos)
		}
	}
	next, ok := q.Next()
	if q.MaxRead && q.ColumnMax != nil && ok && next <= *q.ColumnMax {
		c.add(&Finding{Code: SequenceBehind, Object: obj, Subject: r.Name.String(),
			Expected: fmt.Sprintf("next value > %d", *q.ColumnMax), Actual: fmt.Sprintf("next value %d", next),
			Message: fmt.Sprintf("sequence %s hands out %d next, but max(%s) is already %d", seq, next, col, *q.ColumnMax),
			Hint: fmt.Sprintf("the next inserts that omit %s fail with 23505 (duplicate key) until the sequence passes %d (a restore or a copy that set ids explicitly); SELECT setval('%s', (SELECT max(%s) FROM %s))",
				q.Column, *q.ColumnMax, strings.ReplaceAll(seqSQL, "'", "''"), QuoteIdent(q.Column), QuoteName(spec.Name(r.Name)))}, pos)
	}
}

// writers returns the roles that insert into r as the model says: the
// roles its grants give INSERT, and run_as when it can insert.
func (c *comparer) writers(t *spec.Table, r *catalog.Relation) []string {
	var out []string
	for _, g := range t.Grants {
		if slices.Contains(g.Privileges, "INSERT") && !strings.EqualFold(g.Role, "PUBLIC") {
			out = append(out, g.Role)
		}
	}
	if run := c.Model.RunAs; run != "" && !slices.Contains(out, run) && slices.Contains(c.tableHolding(r, run).held, "INSERT") {
		out = append(out, run)
	}
	return out
}

func declaredColumnNamed(t *spec.Table, name string) *spec.Column {
	for _, d := range t.Columns {
		if d.Name == name {
			return d
		}
	}
	return nil
}

func roleList(roles []string) string {
	if len(roles) == 1 {
		return "role " + roles[0]
	}
	return "roles " + strings.Join(roles, ", ")
}

// SequenceSubject is the [Finding.Subject] of the findings about a sequence
// of the model's sequences.
func SequenceSubject(n spec.Name) string { return "sequence " + n.String() }

// declaredSequence compares a sequence of the model's sequences with the
// live one of that name: that it exists, which column owns it, and what the
// roles its grants name can use on it, as PostgreSQL decides it
// (has_sequence_privilege: their own grants, PUBLIC's, the roles they
// inherit, ownership).
func (c *comparer) declaredSequence(d *spec.Sequence) {
	obj, subj := d.Name.String(), SequenceSubject(d.Name)
	target := QuoteName(d.Name)
	l := c.Catalog.Sequences[relName(d.Name)]
	if l == nil {
		c.add(&Finding{Code: SequenceMissing, Object: obj, Subject: subj, Expected: "a sequence", Actual: "none",
			Message: fmt.Sprintf("sequence %s does not exist", obj),
			Hint: fmt.Sprintf("nextval(%s) fails with 42P01 (relation does not exist): the migration that creates it has not run on this database, or the application expects another schema; CREATE SEQUENCE %s",
				QuoteLiteral(target), target)}, d.Pos)
		return
	}
	if d.HasOwnedBy {
		c.sequenceOwner(d, l, obj, subj, target)
	}
	for _, g := range d.Grants {
		c.sequenceGrant(d, l, g, obj, subj, target)
	}
}

// sequenceOwner compares the column that owns a declared sequence.
func (c *comparer) sequenceOwner(d *spec.Sequence, l *catalog.NamedSequence, obj, subj, target string) {
	live := l.OwnedBy
	pos := d.OwnedByPos
	switch {
	case d.OwnedBy == nil && live.Column != "":
		c.add(&Finding{Code: SequenceNotOwned, Object: obj, Subject: subj, Expected: "owned by no column", Actual: "owned by " + live.String(),
			Message: fmt.Sprintf("sequence %s is owned by column %s; the model says no column owns it", obj, live),
			Hint: fmt.Sprintf("dropping %s, or its table, drops the sequence with it, and every nextval on it then fails with 42P01; ALTER SEQUENCE %s OWNED BY NONE, or declare owned_by: %s",
				live, target, spec.FormatName(spec.Name(live.Table), c.Model.Schema)+"."+live.Column)}, pos)
	case d.OwnedBy != nil && (live.Table != relName(d.OwnedBy.Table) || live.Column != d.OwnedBy.Column):
		want := d.OwnedBy.String()
		f := &Finding{Code: SequenceNotOwned, Object: obj, Subject: subj, Expected: "owned by " + want, Actual: "not owned",
			Message: fmt.Sprintf("sequence %s is not owned by %s: no column owns it", obj, want),
			Hint: fmt.Sprintf("tools that reset sequences do not find it through pg_get_serial_sequence, and dropping %s leaves it behind; ALTER SEQUENCE %s OWNED BY %s.%s",
				d.OwnedBy.Table.Name, target, QuoteName(d.OwnedBy.Table), QuoteIdent(d.OwnedBy.Column))}
		if live.Column != "" {
			f.Actual = "owned by " + live.String()
			f.Message = fmt.Sprintf("sequence %s is owned by %s, not %s", obj, live, want)
			f.Hint = fmt.Sprintf("dropping %s, or its table, drops the sequence with it; ALTER SEQUENCE %s OWNED BY %s.%s",
				live, target, QuoteName(d.OwnedBy.Table), QuoteIdent(d.OwnedBy.Column))
		}
		c.add(f, pos)
	}
}

// sequenceGrant compares what one role can use on a declared sequence with
// the privileges its grant lists.
func (c *comparer) sequenceGrant(d *spec.Sequence, l *catalog.NamedSequence, g *spec.Grant, obj, subj, target string) {
	held, exists := l.Held[grantee(g.Role)]
	if held == nil {
		held = []string{}
	}
	_, missing, extra := match(g.Privileges, held, identity[string], identity[string])
	role := roleWord(g.Role)
	if len(missing) > 0 {
		f := &Finding{Code: MissingSequencePrivilege, Object: obj, Subject: subj,
			Expected: role + ": " + strings.Join(missing, ", "), Actual: role + ": " + privList(held),
			Message: fmt.Sprintf("%s lacks %s on sequence %s", role, strings.Join(missing, ", "), obj),
			Hint: fmt.Sprintf("calls that need it (nextval needs USAGE or UPDATE, currval USAGE or SELECT, setval UPDATE) fail with 42501 (permission denied for sequence %s); GRANT %s ON SEQUENCE %s TO %s",
				d.Name.Name, strings.Join(missing, ", "), target, quoteRole(g.Role))}
		if c.Catalog.Memberships[g.Role] != nil {
			// Which groups it inherits is read with the tables' privileges.
			f.Message += c.lostWhere(g.Role, holding{exists: exists}, missing, false)
		}
		if !exists && !strings.EqualFold(g.Role, "PUBLIC") {
			f.Hint = fmt.Sprintf("the role does not exist on this server: CREATE ROLE %s, then GRANT %s ON SEQUENCE %s TO %s",
				quoteRole(g.Role), strings.Join(missing, ", "), target, quoteRole(g.Role))
		}
		c.add(f, g.Pos)
	}
	if len(extra) > 0 {
		hint := fmt.Sprintf("REVOKE %s ON SEQUENCE %s FROM %s, or add %s to the model's grants for %s",
			strings.Join(extra, ", "), target, quoteRole(g.Role), strings.Join(extra, ", "), role)
		if !strings.EqualFold(g.Role, "PUBLIC") {
			hint = fmt.Sprintf("REVOKE %s ON SEQUENCE %s FROM %s, and from PUBLIC and the roles it inherits where they hold it; or add %s to the model's grants for %s",
				strings.Join(extra, ", "), target, quoteRole(g.Role), strings.Join(extra, ", "), role)
		}
		c.add(&Finding{Code: UnexpectedPrivilege, Object: obj, Subject: subj,
			Expected: role + ": " + privList(g.Privileges), Actual: role + ": " + strings.Join(held, ", "),
			Message: fmt.Sprintf("%s holds %s on sequence %s, which the model does not grant it", role, strings.Join(extra, ", "), obj),
			Hint:    hint}, g.Pos)
	}
}
