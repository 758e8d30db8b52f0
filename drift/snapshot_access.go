package drift

import (
	"cmp"
	"slices"
	"strings"

	"github.com/rbacdrift/rbacdrift/introspect/catalog"
	"github.com/rbacdrift/rbacdrift/spec"
)

// snapshotRoleSettings records the settings a login of each role of
// opts.GrantsFor (PUBLIC left out) gets in the database, {} for none; nil
// when the catalog did not read them.
func snapshotRoleSettings(cat *catalog.Catalog, opts SnapshotOptions) []*spec.RoleSettings {
	if cat.RoleSettings == nil {
		return nil
	}
	out := []*spec.RoleSettings{}
	for _, role := range opts.GrantsFor {
		if strings.EqualFold(role, "PUBLIC") {
			continue
		}
		rs := &spec.RoleSettings{Role: role, Settings: []*spec.Setting{}}
		for _, s := range cat.RoleSettings[role] {
			rs.Settings = append(rs.Settings, &spec.Setting{Name: s.Name, Value: s.Value})
		}
		out = append(out, rs)
	}
	return out
}

// snapshotDefaultPrivileges records, for each default privilege row
// (creating role, schema or every schema, kind of object), what each role
// of opts.GrantsFor gets on the objects it creates: the schema's row and
// the role's row for every schema together, as [DefaultHeld] reads them
// back. Nil when the catalog did not read them, or none gives them anything.
func snapshotDefaultPrivileges(cat *catalog.Catalog, opts SnapshotOptions) []*spec.DefaultPrivilege {
	if cat.DefaultACLs == nil {
		return nil
	}
	type key struct{ owner, schema, objects string }
	var keys []key
	for _, a := range cat.DefaultACLs {
		k := key{a.Owner, a.Schema, a.Objects}
		if !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b key) int {
		return cmp.Or(cmp.Compare(a.owner, b.owner), cmp.Compare(a.schema, b.schema), cmp.Compare(a.objects, b.objects))
	})
	out := []*spec.DefaultPrivilege{}
	for _, k := range keys {
		dp := &spec.DefaultPrivilege{Role: k.owner, Schema: k.schema, Objects: k.objects, Grants: []*spec.Grant{}}
		for _, role := range opts.GrantsFor {
			if held := DefaultHeld(cat.DefaultACLs, k.owner, k.schema, k.objects, grantee(role)); len(held) > 0 {
				dp.Grants = append(dp.Grants, &spec.Grant{Role: role, Privileges: held})
			}
		}
		if len(dp.Grants) > 0 {
			out = append(out, dp)
		}
	}
	if len(out) == 0 {
		return nil // an empty list would check nothing: extra defaults are not reported
	}
	return out
}

// definerWaivers returns the waivers a snapshot writes for what
// unsafe-security-definer would report on f as found: the snapshot says what
// is, so checking it finds nothing, and the model file names the hole, with
// the fix, for the person who commits it; reports list it as suppressed.
func definerWaivers(f *spec.Function, l *catalog.Function) []*spec.Waiver {
	if !l.Definer {
		return nil
	}
	var why []string
	if !pinsSearchPath(l.Config) {
		why = append(why, "it has no search_path of its own (ALTER FUNCTION ... SET search_path = pg_catalog, ...)")
	}
	if publicExecuteUnmodelled(f.Grants, l) {
		why = append(why, "PUBLIC may execute it (REVOKE EXECUTE ... FROM PUBLIC)")
	}
	if len(why) == 0 {
		return nil
	}
	return []*spec.Waiver{{Code: string(UnsafeSecurityDefiner), Object: globQuote(f.String()),
		Reason: "taken as found by snapshot: SECURITY DEFINER and " + strings.Join(why, "; ") + "; fix it, then remove this waiver"}}
}

// globQuote escapes the characters a waiver's object glob gives a meaning.
func globQuote(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
