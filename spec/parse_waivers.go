package spec

import (
	"fmt"
	"time"

	"gopkg.in/yaml.v3"
)

func (d *decoder) waivers(n *yaml.Node, field string) []*Waiver {
	items, ok := d.seq(n, field)
	if !ok {
		return nil
	}
	var out []*Waiver
	for i, it := range items {
		f := fmt.Sprintf("%s[%d]", field, i)
		w := &Waiver{Pos: d.pos(it)}
		ok := d.mapping(it, f, func(key string, k, v *yaml.Node) {
			ff := join(f, key)
			switch key {
			case "code":
				w.Code, _ = d.nonEmpty(v, ff)
			case "object":
				if s, ok := d.nonEmpty(v, ff); ok {
					if _, err := matchGlob(s, ""); err != nil {
						d.errorf(v, ff, "%q is not a valid glob: %v", s, err)
					} else {
						w.Object = s
					}
				}
			case "reason":
				w.Reason, _ = d.nonEmpty(v, ff)
			case "until":
				s, ok := d.text(v, ff)
				if !ok {
					return
				}
				if _, err := time.Parse("2006-01-02", s); err != nil {
					d.errorf(v, ff, "%q is not a date; write YYYY-MM-DD", s)
					return
				}
				w.Until = s
			default:
				d.unknown(k, f, key, "code", "object", "reason", "until")
			}
		})
		if !ok {
			continue
		}
		if w.Code == "" {
			d.errorf(it, join(f, "code"), "missing; say which finding code the waiver covers (or \"*\")")
		}
		if w.Object == "" {
			d.errorf(it, join(f, "object"), "missing; say which object the waiver covers (a glob such as public.role_permissions.*)")
		}
		if w.Reason == "" {
			d.errorf(it, join(f, "reason"), "missing; a waiver must say why the finding is accepted")
		}
		out = append(out, w)
	}
	return out
}
