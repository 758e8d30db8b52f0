package drift

import (
	"fmt"
	"slices"
	"strings"

	"github.com/rbacdrift/rbacdrift/introspect/catalog"
	"github.com/rbacdrift/rbacdrift/spec"
)

// function compares a declared function with the overload of the same
// name whose input argument types are the declared ones, as the server
// reads them.
func (c *comparer) function(d *spec.Function) {
	obj := d.String()
	subj := "function " + obj
	overloads := c.Catalog.Functions[relName(d.Name)]
	// A type is the same when the server reads the declared name as it,
	// or when the name is the live type's as format_type renders it: a
	// pseudo-type (anyelement, trigger, void) is no cast target.
	sameType := func(declared string, oid uint32, rendered string) bool {
		t, ok := c.Types[declared]
		return ok && t.OID == oid || strings.EqualFold(declared, rendered)
	}
	sameArgs := func(o *catalog.Function) bool {
		if len(o.ArgTypes) != len(d.Args) {
			return false
		}
		for i, a := range d.Args {
			if !sameType(a, o.ArgTypes[i], o.Args[i]) {
				return false
			}
		}
		return true
	}
	var l *catalog.Function
	for _, o := range overloads {
		if sameArgs(o) {
			l = o
		}
	}
	unknownArg := ""
	for _, a := range d.Args {
		if _, ok := c.Types[a]; !ok && unknownArg == "" {
			unknownArg = a
		}
	}
	target := QuoteName(d.Name) + "(" + strings.Join(d.Args, ", ") + ")"
	if l == nil {
		f := &Finding{Code: MissingFunction, Object: obj, Subject: subj, Expected: obj, Actual: "none",
			Message: fmt.Sprintf("function %s does not exist", obj)}
		switch {
		case unknownArg != "" && c.UnknownTypes[unknownArg] != "":
			f.Hint = fmt.Sprintf("its argument type %s does not exist on this database (%s): the migration that creates it has not run", unknownArg, c.UnknownTypes[unknownArg])
		case len(overloads) > 0:
			var others []string
			for _, o := range overloads {
				others = append(others, o.Signature())
			}
			f.Actual = strings.Join(others, "; ")
			f.Hint = fmt.Sprintf("a function of that name exists with another signature: %s; the application's calls fail with 42883 unless an implicit cast fits: run the migration that changes it, or update the model", strings.Join(others, "; "))
		default:
			f.Hint = fmt.Sprintf("the migration that creates %s has not run on this database (calls fail with 42883)", obj)
		}
		c.add(f, d.Pos)
		return
	}
	var diffs, fixes []string
	severe := false
	if d.Returns != "" {
		typ, set := d.ReturnType()
		if set != l.ReturnsSet || !sameType(typ, l.ReturnOID, l.Returns) {
			diffs = append(diffs, fmt.Sprintf("returns %s, not %s", liveReturns(l), d.Returns))
			fixes = append(fixes, "CREATE OR REPLACE cannot change the return type: DROP FUNCTION and CREATE it again")
			severe = true
		}
	}
	if d.Security != "" && (d.Security == "definer") != l.Definer {
		diffs = append(diffs, fmt.Sprintf("is SECURITY %s, not %s", securityWord(l.Definer), strings.ToUpper(d.Security)))
		fixes = append(fixes, fmt.Sprintf("ALTER FUNCTION %s SECURITY %s", target, strings.ToUpper(d.Security)))
		severe = true
	}
	if d.SearchPath != nil {
		if live := searchPath(l.Config); !slices.Equal(live, d.SearchPath) {
			diffs = append(diffs, fmt.Sprintf("has search_path %s, not %s", pathText(live), pathText(d.SearchPath)))
			if len(d.SearchPath) == 0 {
				fixes = append(fixes, fmt.Sprintf("ALTER FUNCTION %s RESET search_path", target))
			} else {
				fixes = append(fixes, fmt.Sprintf("ALTER FUNCTION %s SET search_path = %s", target, strings.Join(d.SearchPath, ", ")))
			}
			severe = true
		}
	}
	if d.Volatility != "" && d.Volatility != l.Volatility {
		diffs = append(diffs, fmt.Sprintf("is %s, not %s", strings.ToUpper(l.Volatility), strings.ToUpper(d.Volatility)))
		fixes = append(fixes, fmt.Sprintf("ALTER FUNCTION %s %s", target, strings.ToUpper(d.Volatility)))
	}
	if d.Language != "" && !strings.EqualFold(d.Language, l.Language) {
		diffs = append(diffs, fmt.Sprintf("is LANGUAGE %s, not %s", l.Language, d.Language))
		fixes = append(fixes, "CREATE OR REPLACE FUNCTION in the declared language")
	}
	if len(diffs) > 0 {
		f := &Finding{Code: FunctionMismatch, Object: obj, Subject: subj, Expected: declaredFunctionText(d), Actual: liveFunctionText(l),
			Message: fmt.Sprintf("function %s %s", obj, strings.Join(diffs, "; ")),
			Hint:    strings.Join(fixes, "; ")}
		if !severe {
			f.Severity = Warning
		}
		if l.Definer && len(searchPath(l.Config)) == 0 && d.SearchPath != nil {
			f.Hint = "a SECURITY DEFINER function without its own search_path runs with the caller's, so a caller can shadow what it calls; " + f.Hint
		}
		c.add(f, d.Pos)
	}
	c.definer(d, l)
	for _, g := range d.Grants {
		can := slices.Contains(l.Executors, grantee(g.Role))
		wants := slices.Contains(g.Privileges, "EXECUTE")
		role := roleWord(g.Role)
		switch {
		case wants && !can:
			c.add(&Finding{Code: MissingFunctionPrivilege, Object: obj, Subject: subj, Expected: role + ": EXECUTE", Actual: role + ": none",
				Message: fmt.Sprintf("%s may not execute %s", role, obj),
				Hint:    fmt.Sprintf("its calls fail with 42501 (permission denied for function %s); GRANT EXECUTE ON FUNCTION %s TO %s", d.Name.Name, target, quoteRole(g.Role))}, g.Pos)
		case !wants && can:
			hint := fmt.Sprintf("REVOKE EXECUTE ON FUNCTION %s FROM %s, or add EXECUTE to the model's grants for %s", target, quoteRole(g.Role), role)
			if !strings.EqualFold(g.Role, "PUBLIC") {
				hint = fmt.Sprintf("EXECUTE is PUBLIC's by default, and every role holds what PUBLIC holds: REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC, and from %s and the roles it inherits; or add EXECUTE to the model's grants for %s",
					target, quoteRole(g.Role), role)
			}
			c.add(&Finding{Code: UnexpectedPrivilege, Object: obj, Subject: subj, Expected: role + ": none", Actual: role + ": EXECUTE",
				Message: fmt.Sprintf("%s may execute %s, which the model does not grant it", role, obj), Hint: hint}, g.Pos)
		}
	}
}

// searchPath returns the function's own search_path setting, each schema
// without its quotes; empty when it has none.
func searchPath(config []string) []string {
	out := []string{}
	for _, c := range config {
		v, ok := strings.CutPrefix(c, "search_path=")
		if !ok {
			continue
		}
		for _, p := range strings.Split(v, ",") {
			if p = strings.Trim(strings.TrimSpace(p), `"`); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

func pathText(p []string) string {
	if len(p) == 0 {
		return "none"
	}
	return strings.Join(p, ", ")
}

func securityWord(definer bool) string {
	if definer {
		return "DEFINER"
	}
	return "INVOKER"
}

func liveReturns(l *catalog.Function) string {
	if l.ReturnsSet {
		return "setof " + l.Returns
	}
	return l.Returns
}

func liveFunctionText(l *catalog.Function) string {
	return fmt.Sprintf("%s RETURNS %s SECURITY %s %s LANGUAGE %s search_path %s", l.Signature(), liveReturns(l),
		securityWord(l.Definer), strings.ToUpper(l.Volatility), l.Language, pathText(searchPath(l.Config)))
}

func declaredFunctionText(d *spec.Function) string {
	s := d.String()
	if d.Returns != "" {
		s += " RETURNS " + d.Returns
	}
	if d.Security != "" {
		s += " SECURITY " + strings.ToUpper(d.Security)
	}
	if d.Volatility != "" {
		s += " " + strings.ToUpper(d.Volatility)
	}
	if d.Language != "" {
		s += " LANGUAGE " + d.Language
	}
	if d.SearchPath != nil {
		s += " search_path " + pathText(d.SearchPath)
	}
	return s
}
