package spec

import "gopkg.in/yaml.v3"

// migrations decodes the migrations section: { dir: DIR, tool: NAME,
// table: [SCHEMA.]TABLE }.
func (d *decoder) migrations(n *yaml.Node, field string) *Migrations {
	out := &Migrations{Pos: d.pos(n)}
	ok := d.mapping(n, field, func(key string, k, v *yaml.Node) {
		f := join(field, key)
		switch key {
		case "dir":
			if s, ok := d.nonEmpty(v, f); ok {
				out.Dir = s
			}
		case "tool":
			// Which names are tools is internal/migrations' to say: its
			// table of tools is the one list (the JSON Schema's enum is
			// kept equal to it by a test there).
			if s, ok := d.nonEmpty(v, f); ok {
				out.Tool, out.ToolPos = s, d.pos(v)
			}
		case "table":
			if s, ok := d.nonEmpty(v, f); ok {
				parts, err := splitName(s)
				switch {
				case err != nil:
					d.errorf(v, f, "%v", err)
				case len(parts) == 2:
					out.Schema, out.Table = parts[0], parts[1]
				default:
					out.Table = parts[0]
				}
			}
		default:
			d.unknown(k, field, key, "dir", "tool", "table")
		}
	})
	if ok && out.Dir == "" {
		d.errorf(n, join(field, "dir"), "missing; give the migrations folder, relative to the model file")
	}
	return out
}

// SplitTableName splits [SCHEMA.]TABLE as a model names tables: a part may
// be double-quoted to hold a dot or a quote.
func SplitTableName(s string) (schema, table string, err error) {
	parts, err := splitName(s)
	if err != nil {
		return "", "", err
	}
	if len(parts) == 2 {
		return parts[0], parts[1], nil
	}
	return "", parts[0], nil
}
