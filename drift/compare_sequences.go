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
