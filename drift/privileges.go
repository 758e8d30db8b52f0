package drift

import (
	"fmt"
	"slices"
	"strings"

	"github.com/rbacdrift/rbacdrift/introspect/catalog"
	"github.com/rbacdrift/rbacdrift/spec"
)

// privileges compares the declared grants and row-level security of t with
// the privileges and the policies of r. A grants map is checked for the
// roles it names only, against what each can really do as PostgreSQL
// decides it: its own grants, PUBLIC's, those of the roles it inherits and
// of predefined roles ([catalog.Effective]). A column's grants are checked
// against what the column ACLs give the role beyond the table's privileges.
func (c *comparer) privileges(t *spec.Table, r *catalog.Relation) {
	c.exact = exactGrants(c.Model, t)
	defer func() { c.exact = false }()
	for _, g := range t.Grants {
		c.grant(r, g, "")
	}
	for _, col := range t.Columns {
		if r.Column(col.Name) == nil {
			continue // missing-column says it
		}
		for _, g := range col.Grants {
			c.grant(r, g, col.Name)
		}
	}
	if t.RLS != nil {
		c.rowSecurity(t.RLS, r)
	}
}

// A holding is what one role can use on a table or a column, privilege by
// privilege.
type holding struct {
	held       []string            // in the order of spec.Privileges
	through    map[string][]string // privilege -> grantees it is held from
	memberOnly map[string][]string // privilege -> grantees it is a non-inheriting member of
	exists     bool                // the role exists (or PUBLIC)
}

// tableHolding returns what role can use on r. PUBLIC, and a catalog read
// without effective privileges, fall back to the ACL entries of the role
// itself.
func (c *comparer) tableHolding(r *catalog.Relation, role string) holding {
	return tableHolding(r, role, c.Catalog.Memberships != nil)
}

// tableHolding is [comparer.tableHolding]; loaded says the catalog was read
// with effective privileges, so that no row for a role means it does not
// exist.
func tableHolding(r *catalog.Relation, role string, loaded bool) holding {
	h := holding{through: map[string][]string{}, memberOnly: map[string][]string{}}
	held := map[string]bool{}
	for _, e := range r.Effective {
		if e.Column != "" || e.Role != role {
			continue
		}
		h.exists = true
		if e.Held {
			held[e.Privilege] = true
			h.through[e.Privilege] = e.Through
		}
		h.memberOnly[e.Privilege] = e.MemberOnly
	}
	if !h.exists {
		h.held = heldPrivileges(r, role)
		h.exists = strings.EqualFold(role, "PUBLIC") || len(h.held) > 0 || !loaded
		for _, p := range h.held {
			h.through[p] = []string{grantee(role)}
		}
		return h
	}
	h.held = ordered(held, spec.Privileges)
	return h
}

// columnHolding returns the privileges role draws from the ACL of column
// col, and those the table gives it on every column.
func (c *comparer) columnHolding(r *catalog.Relation, role, col string) (own, fromTable holding) {
	return columnHolding(r, role, col, c.Catalog.Memberships != nil)
}

func columnHolding(r *catalog.Relation, role, col string, loaded bool) (own, fromTable holding) {
	table := tableHolding(r, role, loaded)
	own = holding{through: map[string][]string{}, memberOnly: map[string][]string{}, exists: table.exists}
	held := map[string]bool{}
	for _, e := range r.Effective {
		if e.Column == col && sameGrantee(role, e.Role) {
			held[e.Privilege] = true
			own.through[e.Privilege] = e.Through
		}
	}
	own.held = ordered(held, spec.ColumnPrivileges)
	fromTable = table
	fromTable.held = slices.DeleteFunc(slices.Clone(table.held), func(p string) bool { return !slices.Contains(spec.ColumnPrivileges, p) })
	return own, fromTable
}

func ordered(set map[string]bool, order []string) []string {
	out := []string{}
	for _, p := range order {
		if set[p] {
			out = append(out, p)
		}
	}
	return out
}

func grantee(role string) string {
	if strings.EqualFold(role, "PUBLIC") {
		return "PUBLIC"
	}
	return role
}

func (c *comparer) grant(r *catalog.Relation, g *spec.Grant, col string) {
	obj, on := r.Name.String(), r.Name.String()
	target := QuoteName(spec.Name(r.Name))
	var h, table holding
	if col == "" {
		h = c.tableHolding(r, g.Role)
		table = h
	} else {
		obj, on = obj+"."+col, fmt.Sprintf("column %s of %s", col, r.Name)
		h, table = c.columnHolding(r, g.Role, col)
		target = fmt.Sprintf("%s (%s)", target, QuoteIdent(col))
	}
	// A column privilege is usable through the column's ACL or the table's.
	_, missing, _ := match(g.Privileges, slices.Concat(h.held, table.held), identity[string], identity[string])
	_, _, extra := match(g.Privileges, h.held, identity[string], identity[string])
	role := roleWord(g.Role)
	if len(missing) > 0 {
		f := &Finding{Code: MissingPrivilege, Object: obj, Subject: r.Name.String(),
			Expected: role + ": " + strings.Join(missing, ", "), Actual: role + ": " + privList(h.held),
			Message: fmt.Sprintf("%s lacks %s on %s", role, strings.Join(missing, ", "), on)}
		f.Message += c.lostWhere(g.Role, h, missing, col != "")
		f.Hint = fmt.Sprintf("statements that need it fail with 42501 (permission denied for table %s); GRANT %s ON %s TO %s",
			r.Name.Name, strings.Join(missing, ", "), target, quoteRole(g.Role))
		if col != "" {
			f.Hint = fmt.Sprintf("statements that use %s.%s fail with 42501; GRANT %s ON %s TO %s", r.Name.Name, col, strings.Join(missing, ", "), target, quoteRole(g.Role))
		}
		var blocked []string
		for _, p := range missing {
			for _, m := range h.memberOnly[p] {
				if !slices.Contains(blocked, m) {
					blocked = append(blocked, m)
				}
			}
		}
		switch {
		case !h.exists:
			f.Hint = fmt.Sprintf("the role does not exist on this server: CREATE ROLE %s, then GRANT %s ON %s TO %s", quoteRole(g.Role), strings.Join(missing, ", "), target, quoteRole(g.Role))
		case len(blocked) > 0:
			f.Hint = fmt.Sprintf("%s holds it, and %s is a member of %s but does not inherit its privileges (the role is NOINHERIT, or the membership was granted WITH INHERIT FALSE): only after SET ROLE does it work; ALTER ROLE %s INHERIT, GRANT %s TO %s WITH INHERIT TRUE (PostgreSQL 16+), or GRANT %s ON %s TO %s",
				strings.Join(blocked, ", "), g.Role, strings.Join(blocked, ", "), quoteRole(g.Role), QuoteIdent(blocked[0]), quoteRole(g.Role), strings.Join(missing, ", "), target, quoteRole(g.Role))
		}
		c.add(f, g.Pos)
	}
	if len(extra) > 0 {
		// "INSERT, UPDATE (through writers), TRUNCATE (its own grant)":
		// privileges held the same way are named together.
		var via []string
		for i := 0; i < len(extra); {
			j, how := i+1, throughText(g.Role, h.through[extra[i]])
			for j < len(extra) && throughText(g.Role, h.through[extra[j]]) == how {
				j++
			}
			via = append(via, strings.Join(extra[i:j], ", ")+" "+how)
			i = j
		}
		f := &Finding{Code: UnexpectedPrivilege, Object: obj, Subject: r.Name.String(),
			Expected: role + ": " + privList(g.Privileges), Actual: role + ": " + strings.Join(h.held, ", "),
			Message: fmt.Sprintf("%s holds %s on %s, which the model does not grant it", role, strings.Join(via, ", "), on),
			Hint: fmt.Sprintf("REVOKE %s ON %s FROM %s, or add %s to the model's grants for %s",
				strings.Join(extra, ", "), target, quoteRole(g.Role), strings.Join(extra, ", "), role)}
		if c.exact && widens(extra, h.through) {
			f.Severity = Error
			f.Message += " (the model's grants are exact)"
		}
		if from := sources(g.Role, extra, h.through); len(from) > 0 {
			var grantees, predefined []string
			for _, f := range from {
				if isPredefined(f) {
					predefined = append(predefined, f)
				} else {
					grantees = append(grantees, f)
				}
			}
			var fixes []string
			if len(grantees) > 0 {
				fixes = append(fixes, fmt.Sprintf("REVOKE %s ON %s FROM %s (which takes it from every member), or revoke the membership",
					strings.Join(extra, ", "), target, strings.Join(quoteRoles(grantees), ", ")))
			}
			if len(predefined) > 0 {
				fixes = append(fixes, fmt.Sprintf("REVOKE %s FROM %s (a predefined role grants it on every table)",
					strings.Join(predefined, ", "), quoteRole(g.Role)))
			}
			f.Hint = fmt.Sprintf("it comes from %s: %s; or add %s to the model's grants for %s",
				strings.Join(from, ", "), strings.Join(fixes, "; "), strings.Join(extra, ", "), role)
		}
		c.add(f, g.Pos)
	}
}

// lostWhere says, for a missing privilege, which roles could have given it
// and do not: the groups role inherits, and PUBLIC.
func (c *comparer) lostWhere(role string, h holding, missing []string, column bool) string {
	if strings.EqualFold(role, "PUBLIC") || !h.exists {
		return ""
	}
	var groups []string
	if m := c.Catalog.Memberships[role]; m != nil {
		groups = m.Groups
	}
	what := "its own grants nor PUBLIC hold"
	if len(groups) > 0 {
		what = fmt.Sprintf("its own grants, the roles it inherits from (%s), nor PUBLIC hold", strings.Join(groups, ", "))
	}
	out := ": neither " + what + " it"
	if column {
		out = ": neither " + what + " it on the column or the table"
	}
	if m := c.Catalog.Memberships[role]; m != nil && len(m.NoInherit) > 0 {
		out += fmt.Sprintf("; it is a member of %s without inheriting their privileges", strings.Join(m.NoInherit, ", "))
	}
	return out
}

// isPredefined reports whether a role is one of the predefined roles that
// give privileges on every table.
func isPredefined(role string) bool {
	return role == "pg_read_all_data" || role == "pg_write_all_data"
}

// throughText names where a held privilege comes from.
func throughText(role string, through []string) string {
	switch {
	case len(through) == 0:
		return "(as owner or superuser)"
	case len(through) == 1 && through[0] == role:
		return "(its own grant)"
	}
	var parts []string
	for _, t := range through {
		if t == role {
			parts = append(parts, "its own grant")
		} else {
			parts = append(parts, t)
		}
	}
	return "(through " + strings.Join(parts, ", ") + ")"
}

// sources lists the grantees other than role that give it the privileges
// extra, when none of them is role's own grant.
func sources(role string, extra []string, through map[string][]string) []string {
	var out []string
	for _, p := range extra {
		if slices.Contains(through[p], role) {
			return nil
		}
		for _, t := range through[p] {
			if !slices.Contains(out, t) {
				out = append(out, t)
			}
		}
	}
	return out
}

func quoteRoles(rs []string) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = quoteRole(r)
	}
	return out
}

func (c *comparer) rowSecurity(d *spec.RLS, r *catalog.Relation) {
	obj := r.Name.String()
	target := QuoteName(spec.Name(r.Name))
	if d.Enabled != nil && *d.Enabled != r.RowSecurity {
		f := &Finding{Code: RlsMismatch, Object: obj, Subject: obj, Expected: onOff("enabled", *d.Enabled), Actual: onOff("enabled", r.RowSecurity)}
		if r.RowSecurity {
			f.Message = fmt.Sprintf("row-level security is enabled on %s, the model says disabled", obj)
			f.Hint = fmt.Sprintf("%s: roles that no policy covers see no row of %s and the application loads an empty policy; ALTER TABLE %s DISABLE ROW LEVEL SECURITY, or declare enabled: true and the policies",
				policyCount(len(r.Policies)), r.Name.Name, target)
		} else {
			f.Message = fmt.Sprintf("row-level security is disabled on %s, the model says enabled", obj)
			f.Hint = fmt.Sprintf("the policies are not enforced: every role with SELECT sees every row; ALTER TABLE %s ENABLE ROW LEVEL SECURITY", target)
		}
		c.add(f, d.Pos)
	}
	if d.Forced != nil && *d.Forced != r.ForceRowSecurity {
		f := &Finding{Code: RlsMismatch, Object: obj, Subject: obj, Expected: onOff("forced", *d.Forced), Actual: onOff("forced", r.ForceRowSecurity),
			Message: fmt.Sprintf("row-level security on %s is %s for the owner, the model says %s", obj, forcedWord(r.ForceRowSecurity), forcedWord(*d.Forced))}
		if r.ForceRowSecurity {
			f.Hint = fmt.Sprintf("the owner (%s) is subject to the policies too; ALTER TABLE %s NO FORCE ROW LEVEL SECURITY", r.Owner, target)
		} else {
			f.Hint = fmt.Sprintf("the owner (%s) bypasses the policies; ALTER TABLE %s FORCE ROW LEVEL SECURITY", r.Owner, target)
		}
		c.add(f, d.Pos)
	}
	if d.Policies == nil {
		return
	}
	pairs, missing, extra := match(d.Policies, r.Policies,
		func(p *spec.Policy) string { return p.Name },
		func(p *catalog.Policy) string { return p.Name })
	for _, p := range missing {
		c.add(&Finding{Code: MissingPolicy, Object: obj, Subject: obj, Expected: "policy " + p.Name, Actual: "none",
			Message: fmt.Sprintf("policy %s on %s does not exist", p.Name, obj),
			Hint:    fmt.Sprintf("with row-level security on, the rows it lets through are hidden; CREATE POLICY %s ON %s ...", QuoteIdent(p.Name), target)}, p.Pos)
	}
	for _, p := range pairs {
		c.policy(r, p.Declared, p.Live)
	}
	for _, l := range extra {
		c.extraPolicy(r, l, d.Pos)
	}
}

func (c *comparer) policy(r *catalog.Relation, d *spec.Policy, l *catalog.Policy) {
	var diffs []string
	if d.Command != "" && d.Command != l.Command {
		diffs = append(diffs, fmt.Sprintf("applies to %s, not %s", l.Command, d.Command))
	}
	if d.Roles != nil && !sameSet(normRoles(d.Roles), normRoles(l.Roles)) {
		diffs = append(diffs, fmt.Sprintf("is for roles %s, not %s", list(l.Roles), list(d.Roles)))
	}
	if d.Using != nil && (l.Using == nil || !sameExpr(*d.Using, *l.Using)) {
		diffs = append(diffs, fmt.Sprintf("USING %s, not %s", orNone(derefOr(l.Using, "")), *d.Using))
	}
	if d.WithCheck != nil && (l.WithCheck == nil || !sameExpr(*d.WithCheck, *l.WithCheck)) {
		diffs = append(diffs, fmt.Sprintf("WITH CHECK %s, not %s", orNone(derefOr(l.WithCheck, "")), *d.WithCheck))
	}
	if d.Permissive != nil && *d.Permissive != l.Permissive {
		diffs = append(diffs, fmt.Sprintf("is %s, not %s", permissiveWord(l.Permissive), permissiveWord(*d.Permissive)))
	}
	if len(diffs) == 0 {
		return
	}
	obj := r.Name.String()
	c.add(&Finding{Code: PolicyMismatch, Object: obj, Subject: obj, Expected: declaredPolicyText(d), Actual: policyText(l),
		Message: fmt.Sprintf("policy %s on %s %s", l.Name, obj, strings.Join(diffs, "; ")),
		Hint:    fmt.Sprintf("the policy decides which rows the application sees; ALTER POLICY %s ON %s as the model says (the command and PERMISSIVE/RESTRICTIVE need DROP and CREATE)", QuoteIdent(l.Name), QuoteName(spec.Name(r.Name)))}, d.Pos)
}

func normRoles(roles []string) []string {
	out := make([]string, len(roles))
	for i, r := range roles {
		if strings.EqualFold(r, "public") {
			r = "public"
		}
		out[i] = r
	}
	return out
}

func policyText(p *catalog.Policy) string {
	s := fmt.Sprintf("%s %s FOR %s TO %s", p.Name, strings.ToUpper(permissiveWord(p.Permissive)), p.Command, strings.Join(p.Roles, ", "))
	if p.Using != nil {
		s += " USING " + *p.Using
	}
	if p.WithCheck != nil {
		s += " WITH CHECK " + *p.WithCheck
	}
	return s
}

func declaredPolicyText(p *spec.Policy) string {
	s := p.Name
	if p.Permissive != nil {
		s += " " + strings.ToUpper(permissiveWord(*p.Permissive))
	}
	if p.Command != "" {
		s += " FOR " + p.Command
	}
	if p.Roles != nil {
		s += " TO " + strings.Join(p.Roles, ", ")
	}
	if p.Using != nil {
		s += " USING " + *p.Using
	}
	if p.WithCheck != nil {
		s += " WITH CHECK " + *p.WithCheck
	}
	return s
}

func permissiveWord(b bool) string {
	if b {
		return "permissive"
	}
	return "restrictive"
}

func onOff(what string, b bool) string {
	if b {
		return what
	}
	return "not " + what
}

func forcedWord(b bool) string {
	if b {
		return "forced"
	}
	return "not forced"
}

func policyCount(n int) string {
	switch n {
	case 0:
		return "no policy exists"
	case 1:
		return "1 policy exists"
	}
	return fmt.Sprintf("%d policies exist", n)
}

func roleWord(role string) string {
	if strings.EqualFold(role, "PUBLIC") {
		return "PUBLIC"
	}
	return "role " + role
}

func quoteRole(role string) string {
	if strings.EqualFold(role, "PUBLIC") {
		return "PUBLIC"
	}
	return QuoteIdent(role)
}

func privList(ps []string) string {
	if len(ps) == 0 {
		return "none"
	}
	return strings.Join(ps, ", ")
}
