package spec

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// Privileges is the set of table privileges a grant may name.
var Privileges = []string{"SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER"}

// ColumnPrivileges is the set of privileges a column grant may name.
var ColumnPrivileges = []string{"SELECT", "INSERT", "UPDATE", "REFERENCES"}

func (d *decoder) grants(t *Table, n *yaml.Node, field string) {
	t.Grants = d.grantMap(n, field, Privileges, "table")
}

// grantMap decodes a grants mapping, role: [PRIVILEGE, ...], where each
// privilege is one of allowed (what the object takes) or ALL.
func (d *decoder) grantMap(n *yaml.Node, field string, allowed []string, what string) []*Grant {
	out := []*Grant{}
	d.mapping(n, field, func(key string, k, v *yaml.Node) {
		f := join(field, key)
		if _, ok := d.identifier(k, f); !ok {
			return
		}
		g := &Grant{Role: key, Pos: d.pos(k)}
		var privs []string
		if v.Kind == yaml.ScalarNode {
			if s, ok := d.nonEmpty(v, f); ok {
				privs = []string{s}
			}
		} else {
			privs = d.stringList(v, f)
		}
		seen := map[string]bool{}
		for _, p := range privs {
			up := strings.ToUpper(strings.TrimSpace(p))
			if up == "ALL" || up == "ALL PRIVILEGES" {
				for _, a := range allowed {
					if !seen[a] {
						g.Privileges = append(g.Privileges, a)
						seen[a] = true
					}
				}
				continue
			}
			valid := false
			for _, a := range allowed {
				valid = valid || a == up
			}
			if !valid {
				d.errorf(v, f, "%q is not a %s privilege (one of %s, or ALL)", p, what, strings.Join(allowed, ", "))
				continue
			}
			if !seen[up] {
				g.Privileges = append(g.Privileges, up)
				seen[up] = true
			}
		}
		out = append(out, g)
	})
	return out
}

var policyCommands = []string{"ALL", "SELECT", "INSERT", "UPDATE", "DELETE"}

func (d *decoder) rls(n *yaml.Node, field string) *RLS {
	r := &RLS{Pos: d.pos(n)}
	d.mapping(n, field, func(key string, k, v *yaml.Node) {
		f := join(field, key)
		switch key {
		case "enabled":
			r.Enabled, _ = d.bool(v, f)
		case "forced":
			r.Forced, _ = d.bool(v, f)
		case "policies":
			items, ok := d.seq(v, f)
			if !ok {
				return
			}
			r.Policies = []*Policy{}
			seen := map[string]Pos{}
			for i, it := range items {
				fi := fmt.Sprintf("%s[%d]", f, i)
				if p := d.rlsPolicy(it, fi); p != nil {
					if p.Name != "" {
						d.unique(seen, p.Name, it, fi, "policy "+p.Name)
					}
					r.Policies = append(r.Policies, p)
				}
			}
		default:
			d.unknown(k, field, key, "enabled", "forced", "policies")
		}
	})
	return r
}

func (d *decoder) rlsPolicy(n *yaml.Node, field string) *Policy {
	p := &Policy{Pos: d.pos(n)}
	ok := d.mapping(n, field, func(key string, k, v *yaml.Node) {
		f := join(field, key)
		switch key {
		case "name":
			p.Name, _ = d.identifier(v, f)
		case "command":
			if s, ok := d.str(v, f); ok {
				up := strings.ToUpper(s)
				for _, c := range policyCommands {
					if c == up {
						p.Command = up
					}
				}
				if p.Command == "" {
					d.errorf(v, f, "%q is not one of %s", s, strings.Join(policyCommands, ", "))
				}
			}
		case "roles":
			if v.Kind == yaml.ScalarNode {
				if s, ok := d.identifier(v, f); ok {
					p.Roles = []string{s}
				}
			} else {
				p.Roles = d.stringList(v, f)
			}
		case "using":
			if s, ok := d.nonEmpty(v, f); ok {
				p.Using = &s
			}
		case "with_check":
			if s, ok := d.nonEmpty(v, f); ok {
				p.WithCheck = &s
			}
		case "permissive":
			p.Permissive, _ = d.bool(v, f)
		default:
			d.unknown(k, field, key, "name", "command", "roles", "using", "with_check", "permissive")
		}
	})
	if !ok {
		return nil
	}
	if p.Name == "" {
		d.errorf(n, join(field, "name"), "missing; a policy is known by its name")
		return nil
	}
	return p
}
