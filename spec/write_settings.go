package spec

// settings writes a settings mapping, name: value, with the values aligned.
func (w *writer) settings(indent int, key string, ss []*Setting) {
	if len(ss) == 0 {
		w.line(indent, key+": {}")
		return
	}
	w.line(indent, key+":")
	keys, values := make([]string, len(ss)), make([]string, len(ss))
	for i, s := range ss {
		keys[i], values[i] = scalar(s.Name), scalar(s.Value) // never plain where YAML reads another type: 1, true
	}
	w.aligned(indent+1, keys, values)
}

func (w *writer) roleSettings(rs []*RoleSettings) {
	if len(rs) == 0 {
		w.line(0, "role_settings: {}")
		return
	}
	w.line(0, "role_settings:")
	for _, r := range rs {
		w.settings(1, scalar(r.Role), r.Settings)
	}
}

func (w *writer) defaultPrivileges(dps []*DefaultPrivilege) {
	if len(dps) == 0 {
		w.line(0, "default_privileges: []")
		return
	}
	w.line(0, "default_privileges:")
	for _, dp := range dps {
		f := []string{"role: " + scalar(dp.Role)}
		if dp.Schema != "" {
			f = append(f, "schema: "+scalar(dp.Schema))
		}
		f = append(f, "objects: "+dp.Objects)
		g := make([]string, len(dp.Grants))
		for i, gr := range dp.Grants {
			g[i] = scalar(gr.Role) + ": " + flowList(gr.Privileges)
		}
		f = append(f, "grants: "+flowMap(g))
		w.line(1, "- "+flowMap(f))
	}
}
