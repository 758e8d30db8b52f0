package spec

import (
	"fmt"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// A Setting is one session setting (a GUC): app.tenant_id = '1',
// search_path = 'public'. The value is text, as SET and set_config take it.
type Setting struct {
	Name  string
	Value string
	Pos   Pos
}

// RoleSettings are the settings a login of Role gets in the checked
// database: those of ALTER ROLE ... SET, ALTER ROLE ... IN DATABASE ... SET
// and ALTER DATABASE ... SET, the most specific winning, as pg_db_role_setting
// holds them.
type RoleSettings struct {
	Role     string
	Settings []*Setting // in the model's order; empty: none
	Pos      Pos
}

// DefaultObjects are the kinds of object a default privilege is for, as
// the model names them.
var DefaultObjects = []string{"tables", "sequences", "functions"}

// DefaultObjectPrivileges returns the privileges a default privilege on
// objects may name.
func DefaultObjectPrivileges(objects string) []string {
	switch objects {
	case "sequences":
		return SequencePrivileges
	case "functions":
		return FunctionPrivileges
	}
	return Privileges
}

// A DefaultPrivilege says what objects of a kind that Role creates (in
// Schema, or in any schema when Schema is "") are granted when created:
// ALTER DEFAULT PRIVILEGES FOR ROLE role [IN SCHEMA schema] GRANT ...
type DefaultPrivilege struct {
	Role    string
	Schema  string // "" for every schema
	Objects string // tables, sequences or functions
	Grants  []*Grant
	Pos     Pos
}

// GrantModes are the values of grants (model) and grants_mode (table).
var GrantModes = []string{"exact", "at_least"}

// settingNameRE is the shape of a setting's name: a word, or a dotted
// custom name (app.tenant_id, request.jwt.claims).
var settingNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)*$`)

// reservedSettings are set by rbacdrift itself in every unit of work (its
// limits, the role, the read-only transaction): a model may not change them.
var reservedSettings = map[string]bool{
	"role": true, "session_authorization": true, "transaction_read_only": true,
	"default_transaction_read_only": true, "transaction_isolation": true, "default_transaction_isolation": true,
	"transaction_deferrable": true, "default_transaction_deferrable": true, "statement_timeout": true,
	"lock_timeout": true, "idle_in_transaction_session_timeout": true, "jit": true, "plan_cache_mode": true,
}

// ReservedSetting reports whether rbacdrift sets the setting name in its
// units of work itself, so that neither a model nor a role's own settings
// may change it there.
func ReservedSetting(name string) bool { return reservedSettings[strings.ToLower(name)] }

// settings decodes a mapping of session settings, name: value, where a
// value is any scalar but null, taken as text.
func (d *decoder) settings(n *yaml.Node, field string) []*Setting {
	out := []*Setting{}
	d.mapping(n, field, func(key string, k, v *yaml.Node) {
		f := join(field, key)
		if !settingNameRE.MatchString(key) || len(key) > 63 {
			d.errorf(k, f, "%q is not a setting name (a word, or a dotted name such as app.tenant_id)", key)
			return
		}
		if ReservedSetting(key) {
			d.errorf(k, f, "%s is set by rbacdrift itself in every read-only unit of work; leave it out", key)
			return
		}
		s, ok := d.text(v, f)
		if !ok {
			return
		}
		if strings.IndexByte(s, 0) >= 0 {
			d.errorf(v, f, "a setting's value holds no NUL byte")
			return
		}
		out = append(out, &Setting{Name: key, Value: s, Pos: d.pos(k)})
	})
	return out
}

// samples decodes the samples list of a query.
func (d *decoder) samples(n *yaml.Node, field string) []*Sample {
	items, ok := d.seq(n, field)
	if !ok {
		return nil
	}
	out := []*Sample{}
	for i, it := range items {
		out = append(out, d.sample(it, fmt.Sprintf("%s[%d]", field, i)))
	}
	return out
}

// roleSettings decodes role_settings: role: {name: value, ...}.
func (d *decoder) roleSettings(n *yaml.Node, field string) []*RoleSettings {
	out := []*RoleSettings{}
	d.mapping(n, field, func(key string, k, v *yaml.Node) {
		f := join(field, key)
		if _, ok := d.identifier(k, f); !ok {
			return
		}
		rs := &RoleSettings{Role: key, Pos: d.pos(k), Settings: []*Setting{}}
		if !(v.Kind == yaml.ScalarNode && v.Tag == "!!null") {
			rs.Settings = d.settingsAny(v, f)
		}
		out = append(out, rs)
	})
	return out
}

// settingsAny is [decoder.settings] without the reserved names: a role's
// own settings may hold any (statement_timeout is common).
func (d *decoder) settingsAny(n *yaml.Node, field string) []*Setting {
	out := []*Setting{}
	d.mapping(n, field, func(key string, k, v *yaml.Node) {
		f := join(field, key)
		if !settingNameRE.MatchString(key) {
			d.errorf(k, f, "%q is not a setting name", key)
			return
		}
		if s, ok := d.text(v, f); ok {
			out = append(out, &Setting{Name: key, Value: s, Pos: d.pos(k)})
		}
	})
	return out
}

// defaultPrivileges decodes default_privileges, a list of
// { role, schema, objects, grants }.
func (d *decoder) defaultPrivileges(n *yaml.Node, field string) []*DefaultPrivilege {
	items, ok := d.seq(n, field)
	if !ok {
		return nil
	}
	out := []*DefaultPrivilege{}
	seen := map[string]Pos{}
	for i, it := range items {
		fi := fmt.Sprintf("%s[%d]", field, i)
		dp := &DefaultPrivilege{Pos: d.pos(it)}
		var grantsNode *yaml.Node
		ok := d.mapping(it, fi, func(key string, k, v *yaml.Node) {
			f := join(fi, key)
			switch key {
			case "role":
				dp.Role, _ = d.identifier(v, f)
			case "schema":
				dp.Schema, _ = d.identifier(v, f)
			case "objects":
				dp.Objects, _ = d.oneOf(v, f, DefaultObjects...)
			case "grants":
				grantsNode = v
			default:
				d.unknown(k, fi, key, "role", "schema", "objects", "grants")
			}
		})
		if !ok {
			continue
		}
		switch {
		case dp.Role == "":
			d.errorf(it, join(fi, "role"), "missing; name the role that creates the objects (ALTER DEFAULT PRIVILEGES FOR ROLE ...)")
			continue
		case dp.Objects == "":
			d.errorf(it, join(fi, "objects"), "missing; one of %s", strings.Join(DefaultObjects, ", "))
			continue
		case grantsNode == nil:
			d.errorf(it, join(fi, "grants"), "missing; give the privileges each role gets, role: [PRIVILEGE, ...]")
			continue
		}
		dp.Grants = d.grantMap(grantsNode, join(fi, "grants"), DefaultObjectPrivileges(dp.Objects), strings.TrimSuffix(dp.Objects, "s"))
		d.unique(seen, dp.Role+"\x00"+dp.Schema+"\x00"+dp.Objects, it, fi,
			fmt.Sprintf("default privileges of %s on %s in %s", dp.Role, dp.Objects, schemaWord(dp.Schema)))
		out = append(out, dp)
	}
	return out
}

func schemaWord(s string) string {
	if s == "" {
		return "every schema"
	}
	return "schema " + s
}
