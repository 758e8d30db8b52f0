package spec

import (
	"fmt"

	"gopkg.in/yaml.v3"
)

func (d *decoder) enums(m *Model, n *yaml.Node) {
	seen := map[Name]*yaml.Node{}
	d.mapping(n, "enums", func(key string, k, v *yaml.Node) {
		field := join("enums", key)
		name, ok := d.name(k, field, key, m.Schema)
		if !ok {
			return
		}
		if prev, dup := seen[name]; dup {
			d.errorf(k, field, "enum %s is declared twice; first at line %d", name, prev.Line)
			return
		}
		seen[name] = k
		e := &Enum{Name: name, Pos: d.pos(k)}
		if !(v.Kind == yaml.ScalarNode && v.Tag == "!!null") {
			items, ok := d.seq(v, field)
			if !ok {
				return
			}
			e.Labels = []string{}
			labels := map[string]bool{}
			for i, it := range items {
				// labels are text: "yes" or 1 are labels too
				s, ok := d.text(it, fmt.Sprintf("%s[%d]", field, i))
				if !ok {
					continue
				}
				if labels[s] {
					d.errorf(it, field, "label %q is listed twice", s)
				}
				labels[s] = true
				e.Labels = append(e.Labels, s)
			}
		}
		m.Enums = append(m.Enums, e)
	})
}
