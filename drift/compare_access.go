package drift

import (
	"fmt"
	"slices"
	"strings"

	"github.com/rbacdrift/rbacdrift/introspect/catalog"
	"github.com/rbacdrift/rbacdrift/spec"
)

// runAs returns what the catalog read of the run_as role, when it read it
// for the role the queries run as; nil otherwise.
func (c *comparer) runAs() *catalog.RunAs {
	role := c.RunAs
	if role == "" {
		role = c.Model.RunAs
	}
	if ra := c.Catalog.RunAs; ra != nil && ra.Exists && role != "" && ra.Role == role {
		return ra
	}
	return nil
}

// rlsBypassed reports a table the model protects with row-level security
// where it does not bind the run_as role, as the server says
// (row_security_active as the role; pg_has_role, rolbypassrls and rolsuper
// when the role could not be assumed).
func (c *comparer) rlsBypassed(t *spec.Table, r *catalog.Relation) {
	ra := c.runAs()
	if ra == nil || t.RLS == nil || t.RLS.Enabled == nil || !*t.RLS.Enabled || !r.RowSecurity {
		return // a disabled RLS is rls-mismatch
	}
	rr := ra.Relations[r.Name]
	if rr == nil {
		return
	}
	bypassed := ra.Superuser || ra.BypassRLS || rr.OwnerPrivileges && !r.ForceRowSecurity
	if rr.Active != nil {
		bypassed = !*rr.Active
	}
	if !bypassed {
		return
	}
	obj, role, target := r.Name.String(), ra.Role, QuoteName(spec.Name(r.Name))
	var how, fix string
	switch {
	case ra.Superuser:
		how = fmt.Sprintf("%s is a superuser", role)
		fix = fmt.Sprintf("ALTER ROLE %s NOSUPERUSER", QuoteIdent(role))
	case ra.BypassRLS:
		how = fmt.Sprintf("%s has BYPASSRLS", role)
		fix = fmt.Sprintf("ALTER ROLE %s NOBYPASSRLS", QuoteIdent(role))
	case rr.Owns:
		how = fmt.Sprintf("%s owns the table and row-level security is not forced", role)
		fix = fmt.Sprintf("ALTER TABLE %s OWNER TO the migrator's role, or ALTER TABLE %s FORCE ROW LEVEL SECURITY", target, target)
	case rr.OwnerPrivileges:
		how = fmt.Sprintf("%s has the privileges of the owner %s (a member that inherits) and row-level security is not forced", role, rr.Owner)
		fix = fmt.Sprintf("REVOKE %s FROM %s, or ALTER TABLE %s FORCE ROW LEVEL SECURITY", QuoteIdent(rr.Owner), QuoteIdent(role), target)
	default:
		how = fmt.Sprintf("row_security_active(%s) is false as %s", obj, role)
		fix = "find what exempts the role: its settings, its memberships"
	}
	p := t.RLS.Pos
	c.add(&Finding{Code: RlsBypassed, Object: obj, Subject: obj, Expected: fmt.Sprintf("row-level security binds %s", role),
		Actual:  how,
		Message: fmt.Sprintf("row-level security on %s does not apply to %s: %s; every row, every tenant's, is visible to the application", obj, role, how),
		Hint:    fix}, p)
}

// extraPolicy reports a live policy the model does not list: an error when
// it applies to the run_as role, a warning when it cannot.
func (c *comparer) extraPolicy(r *catalog.Relation, l *catalog.Policy, p spec.Pos) {
	obj, target := r.Name.String(), QuoteName(spec.Name(r.Name))
	ra := c.runAs()
	if ra != nil {
		if rr := ra.Relations[r.Name]; rr != nil && slices.Contains(rr.Applying, l.Name) {
			effect := "it is permissive: ORed with the others, it lets more rows through"
			if !l.Permissive {
				effect = "it is restrictive: ANDed with the others, it hides rows the application expects"
			}
			c.add(&Finding{Code: UnexpectedPolicy, Object: obj, Subject: obj, Expected: "no policy " + l.Name, Actual: policyText(l),
				Message: fmt.Sprintf("policy %s on %s is not in the model and applies to %s (%s); %s", l.Name, obj, ra.Role, forWhom(l.Roles, ra.Role), effect),
				Hint:    fmt.Sprintf("DROP POLICY %s ON %s, or declare it in the model", QuoteIdent(l.Name), target)}, p)
			return
		}
	}
	c.add(&Finding{Code: PolicyMismatch, Severity: Warning, Object: obj, Subject: obj, Expected: "none", Actual: policyText(l),
		Message: fmt.Sprintf("policy %s on %s is not in the model", l.Name, obj),
		Hint:    fmt.Sprintf("a permissive policy lets more rows through, a restrictive one hides rows; declare it, or DROP POLICY %s ON %s", QuoteIdent(l.Name), target)}, p)
}

func forWhom(roles []string, role string) string {
	switch {
	case slices.Contains(roles, "public"):
		return "it is for PUBLIC"
	case slices.Contains(roles, role):
		return "it is for " + role
	}
	return "it is for " + strings.Join(roles, ", ") + ", whose privileges it has"
}

// roleSettings compares the settings a login of each role of the model's
// role_settings gets with the declared ones.
func (c *comparer) roleSettings() {
	for _, rs := range c.Model.RoleSettings {
		live := c.Catalog.RoleSettings[rs.Role]
		obj := "role " + rs.Role
		pairs, missing, extra := match(rs.Settings, live,
			func(s *spec.Setting) string { return strings.ToLower(s.Name) },
			func(s catalog.RoleSetting) string { return strings.ToLower(s.Name) })
		for _, s := range missing {
			c.add(&Finding{Code: RoleSettingMismatch, Object: obj + " setting " + s.Name, Subject: obj,
				Expected: s.Name + " = " + s.Value, Actual: "not set",
				Message: fmt.Sprintf("a login of %s no longer gets %s = %s", rs.Role, s.Name, s.Value),
				Hint:    fmt.Sprintf("ALTER ROLE %s IN DATABASE ... SET %s = ... (as the model says), or remove it from the model", QuoteIdent(rs.Role), s.Name)}, s.Pos)
		}
		for _, p := range pairs {
			if p.Declared.Value == p.Live.Value {
				continue
			}
			c.add(&Finding{Code: RoleSettingMismatch, Object: obj + " setting " + p.Declared.Name, Subject: obj,
				Expected: p.Declared.Name + " = " + p.Declared.Value, Actual: p.Live.Name + " = " + p.Live.Value + " (" + p.Live.Scope + ")",
				Message: fmt.Sprintf("a login of %s gets %s = %s (set for the %s), the model says %s", rs.Role, p.Live.Name, p.Live.Value, p.Live.Scope, p.Declared.Value),
				Hint:    settingFix(rs.Role, p.Live)}, p.Declared.Pos)
		}
		for _, l := range extra {
			c.add(&Finding{Code: RoleSettingMismatch, Object: obj + " setting " + l.Name, Subject: obj,
				Expected: "not set", Actual: l.Name + " = " + l.Value + " (" + l.Scope + ")",
				Message: fmt.Sprintf("a login of %s gets %s = %s (set for the %s), which the model does not list", rs.Role, l.Name, l.Value, l.Scope),
				Hint:    settingFix(rs.Role, l) + "; or add it to the model's role_settings"}, rs.Pos)
		}
	}
}

// settingFix says how to undo a setting where it is set.
func settingFix(role string, s catalog.RoleSetting) string {
	switch s.Scope {
	case "database and role":
		return fmt.Sprintf("ALTER ROLE %s IN DATABASE current_database RESET %s (or SET it as the model says)", QuoteIdent(role), s.Name)
	case "role":
		return fmt.Sprintf("ALTER ROLE %s RESET %s (or SET it as the model says)", QuoteIdent(role), s.Name)
	case "database":
		return fmt.Sprintf("ALTER DATABASE current_database RESET %s: it is set for every role of the database", s.Name)
	}
	return fmt.Sprintf("ALTER ROLE ALL RESET %s: it is set for every role", s.Name)
}

// defaultPrivileges compares the declared default privileges with
// pg_default_acl: what a grantee gets on the objects of a kind the role
// creates in the schema, from that schema's default and the role's default
// for every schema.
func (c *comparer) defaultPrivileges() {
	if c.Catalog.DefaultACLs == nil {
		return
	}
	for _, dp := range c.Model.DefaultPrivileges {
		where := "in any schema"
		if dp.Schema != "" {
			where = "in schema " + dp.Schema
		}
		obj := fmt.Sprintf("default privileges of %s on %s %s", dp.Role, dp.Objects, where)
		for _, g := range dp.Grants {
			held := DefaultHeld(c.Catalog.DefaultACLs, dp.Role, dp.Schema, dp.Objects, grantee(g.Role))
			_, missing, _ := match(g.Privileges, held, identity[string], identity[string])
			if len(missing) == 0 {
				continue
			}
			kind := strings.TrimSuffix(dp.Objects, "s")
			in := ""
			if dp.Schema != "" {
				in = " IN SCHEMA " + QuoteIdent(dp.Schema)
			}
			c.add(&Finding{Code: MissingDefaultPrivilege, Object: obj, Subject: "role " + dp.Role,
				Expected: roleWord(g.Role) + ": " + strings.Join(g.Privileges, ", "), Actual: roleWord(g.Role) + ": " + privList(held),
				Message: fmt.Sprintf("the next %s %s creates %s will not give %s %s: the application's statements on it will fail with 42501",
					kind, dp.Role, where, roleWord(g.Role), strings.Join(missing, ", ")),
				Hint: fmt.Sprintf("ALTER DEFAULT PRIVILEGES FOR ROLE %s%s GRANT %s ON %s TO %s",
					QuoteIdent(dp.Role), in, strings.Join(missing, ", "), strings.ToUpper(dp.Objects), quoteRole(g.Role))}, g.Pos)
		}
	}
}

// DefaultHeld returns what grantee gets on the objects a role creates in
// schema ("" for the default of every schema), in the model's privilege
// order: the schema's default and the role's default for every schema add
// up, as the server adds them.
func DefaultHeld(acls []*catalog.DefaultACL, role, schema, objects, grantee string) []string {
	set := map[string]bool{}
	for _, a := range acls {
		if a.Owner == role && a.Objects == objects && a.Grantee == grantee && (a.Schema == schema || a.Schema == "") {
			for _, p := range a.Privileges {
				set[p] = true
			}
		}
	}
	return ordered(set, spec.DefaultObjectPrivileges(objects))
}

// definer reports a SECURITY DEFINER function without its own search_path,
// or one PUBLIC may execute where the model does not grant PUBLIC EXECUTE.
func (c *comparer) definer(d *spec.Function, l *catalog.Function) {
	if !l.Definer {
		return
	}
	obj := d.String()
	subj := "function " + obj
	target := QuoteName(d.Name) + "(" + strings.Join(d.Args, ", ") + ")"
	if !pinsSearchPath(l.Config) {
		c.add(&Finding{Code: UnsafeSecurityDefiner, Object: obj, Subject: subj, Expected: "SECURITY DEFINER with its own search_path", Actual: "no search_path",
			Message: fmt.Sprintf("SECURITY DEFINER function %s has no search_path of its own: it runs with its owner's privileges and resolves names on the caller's search_path", obj),
			Hint:    fmt.Sprintf("a caller can shadow a table or function it calls with its own (in pg_temp or a schema it owns); ALTER FUNCTION %s SET search_path = pg_catalog, %s", target, QuoteIdent(d.Name.Schema))}, d.Pos)
	}
	if !publicExecuteUnmodelled(d.Grants, l) {
		return
	}
	c.add(&Finding{Code: UnsafeSecurityDefiner, Object: obj, Subject: subj, Expected: "EXECUTE for the roles the model grants it", Actual: "PUBLIC: EXECUTE",
		Message: fmt.Sprintf("every role may execute SECURITY DEFINER function %s (EXECUTE is PUBLIC's), which the model does not grant PUBLIC", obj),
		Hint:    fmt.Sprintf("it runs with its owner's privileges for any caller; REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC, then GRANT EXECUTE to the roles that call it", target)}, d.Pos)
}

// pinsSearchPath reports whether a function's own settings (proconfig) set
// search_path: to anything, the empty one (the safest) included.
func pinsSearchPath(config []string) bool {
	return slices.ContainsFunc(config, func(c string) bool { return strings.HasPrefix(c, "search_path=") })
}

// publicExecuteUnmodelled reports whether PUBLIC may execute a SECURITY
// DEFINER function whose grants the model checks (grants non-nil) without
// granting PUBLIC EXECUTE.
func publicExecuteUnmodelled(grants []*spec.Grant, l *catalog.Function) bool {
	if !l.Definer || !l.PublicExecute || grants == nil {
		return false
	}
	for _, g := range grants {
		if strings.EqualFold(g.Role, "PUBLIC") && slices.Contains(g.Privileges, "EXECUTE") {
			return false
		}
	}
	return true
}

// exactGrants reports whether t's grants are exact: its grants_mode, else
// the model's grants.
func exactGrants(m *spec.Model, t *spec.Table) bool {
	if t.GrantsMode != "" {
		return t.GrantsMode == "exact"
	}
	return m.Grants == "exact"
}

// widens reports whether privileges held beyond exact grants widen what the
// role can do past row-level security: a write, TRUNCATE or TRIGGER, or a
// privilege held as owner (or superuser) or from a predefined role.
func widens(extra []string, through map[string][]string) bool {
	for _, p := range extra {
		switch p {
		case "INSERT", "UPDATE", "DELETE", "TRUNCATE", "TRIGGER":
			return true
		}
		if len(through[p]) == 0 || slices.ContainsFunc(through[p], isPredefined) {
			return true
		}
	}
	return false
}

// bypassMembership reports, when a table's grants are exact, that the
// run_as role is a member of a superuser or BYPASSRLS role: one SET ROLE
// away from every row.
func (c *comparer) bypassMembership() {
	ra := c.runAs()
	if ra == nil || len(ra.Bypassers) == 0 {
		return
	}
	exact := c.Model.Grants == "exact"
	for _, t := range c.Model.Tables {
		exact = exact || t.GrantsMode == "exact"
	}
	if !exact {
		return
	}
	obj := "role " + ra.Role
	p := c.Model.RunAsPos
	c.add(&Finding{Code: UnexpectedPrivilege, Severity: Error, Object: obj, Subject: obj,
		Expected: "no membership in a role that bypasses row-level security", Actual: "member of " + strings.Join(ra.Bypassers, ", "),
		Message: fmt.Sprintf("%s is a member of %s, which bypasses row-level security (superuser or BYPASSRLS): one SET ROLE away from every tenant's rows (the model's grants are exact)", ra.Role, strings.Join(ra.Bypassers, ", ")),
		Hint:    fmt.Sprintf("REVOKE %s FROM %s", strings.Join(quoteRoles(ra.Bypassers), ", "), QuoteIdent(ra.Role))}, p)
}
