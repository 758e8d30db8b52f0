package drift

import (
	"fmt"
	"slices"
	"strings"

	"github.com/rbacdrift/rbacdrift/introspect/catalog"
	"github.com/rbacdrift/rbacdrift/spec"
)

// privileges compares the declared grants and row-level security of t with
// the ACL and the policies of r. A grants map is checked for the roles it
// names only, against their own ACL entries (not what they inherit through
// membership); a privilege that PUBLIC holds is named in the hint.
func (c *comparer) privileges(t *spec.Table, r *catalog.Relation) {
	for _, g := range t.Grants {
		c.grant(r, g)
	}
	if t.RLS != nil {
		c.rowSecurity(t.RLS, r)
	}
}

func (c *comparer) grant(r *catalog.Relation, g *spec.Grant) {
	obj := r.Name.String()
	held := heldPrivileges(r, g.Role)
	public := heldPrivileges(r, "PUBLIC")
	missing := slices.DeleteFunc(slices.Clone(g.Privileges), func(p string) bool { return slices.Contains(held, p) })
	extra := slices.DeleteFunc(slices.Clone(held), func(p string) bool { return slices.Contains(g.Privileges, p) })
	role := roleWord(g.Role)
	target := QuoteName(spec.Name(r.Name))
	if len(missing) > 0 {
		f := &Finding{Code: MissingPrivilege, Object: obj, Subject: obj,
			Expected: role + ": " + strings.Join(missing, ", "), Actual: role + ": " + privList(held),
			Message: fmt.Sprintf("%s lacks %s on %s", role, strings.Join(missing, ", "), obj)}
		var viaPublic []string
		for _, p := range missing {
			if slices.Contains(public, p) && !strings.EqualFold(g.Role, "PUBLIC") {
				viaPublic = append(viaPublic, p)
			}
		}
		f.Hint = fmt.Sprintf("statements that need it fail with 42501 (permission denied for table %s); GRANT %s ON %s TO %s",
			r.Name.Name, strings.Join(missing, ", "), target, quoteRole(g.Role))
		if len(viaPublic) > 0 {
			f.Hint = fmt.Sprintf("PUBLIC holds %s on %s, so %s can use it today, but through PUBLIC only: a REVOKE ... FROM PUBLIC would take it away; GRANT %s ON %s TO %s to make it the role's own",
				strings.Join(viaPublic, ", "), obj, role, strings.Join(missing, ", "), target, quoteRole(g.Role))
		}
		c.add(f, g.Pos)
	}
	if len(extra) > 0 {
		c.add(&Finding{Code: UnexpectedPrivilege, Object: obj, Subject: obj,
			Expected: role + ": " + privList(g.Privileges), Actual: role + ": " + strings.Join(held, ", "),
			Message: fmt.Sprintf("%s holds %s on %s, which the model does not grant it", role, strings.Join(extra, ", "), obj),
			Hint: fmt.Sprintf("REVOKE %s ON %s FROM %s, or add %s to the model's grants for %s",
				strings.Join(extra, ", "), target, quoteRole(g.Role), strings.Join(extra, ", "), role)}, g.Pos)
	}
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
		c.add(&Finding{Code: PolicyMismatch, Severity: Warning, Object: obj, Subject: obj, Expected: "none", Actual: policyText(l),
			Message: fmt.Sprintf("policy %s on %s is not in the model", l.Name, obj),
			Hint:    fmt.Sprintf("a permissive policy lets more rows through, a restrictive one hides rows; declare it, or DROP POLICY %s ON %s", QuoteIdent(l.Name), target)}, d.Pos)
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
