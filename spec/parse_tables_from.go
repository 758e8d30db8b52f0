package spec

import "gopkg.in/yaml.v3"

// TablesFrom is the model's tables_from section: the application's code or
// migrations the model's tables and enums are derived from when it is
// checked, so that the expectation is today's code, never a copy of it.
// The file's own run_as, queries, grants and waivers are layered over what
// is derived (see internal/check's LoadModel). Exactly one of the sources
// is given; each path is relative to the model file.
type TablesFrom struct {
	// Drizzle is a drizzle.config.(ts|js|mjs|json), the project folder that
	// holds one, or a drizzle-kit output folder.
	Drizzle string
	// Prisma is a schema.prisma file.
	Prisma string
	// Migrations is a folder of SQL migrations, applied to a scratch server;
	// Tool names their tool as written ("" detects it).
	Migrations string
	Tool       string
	Pos        Pos
}

// Kind returns the source's kind, its key in the model: drizzle, prisma or
// migrations.
func (t *TablesFrom) Kind() string {
	switch {
	case t.Drizzle != "":
		return "drizzle"
	case t.Prisma != "":
		return "prisma"
	}
	return "migrations"
}

// Path returns the source's path, as written.
func (t *TablesFrom) Path() string {
	switch {
	case t.Drizzle != "":
		return t.Drizzle
	case t.Prisma != "":
		return t.Prisma
	}
	return t.Migrations
}

// tablesFrom decodes { drizzle: PATH } | { prisma: FILE } |
// { migrations: DIR, tool: NAME }.
func (d *decoder) tablesFrom(n *yaml.Node, field string) *TablesFrom {
	out := &TablesFrom{Pos: d.pos(n)}
	given := 0
	ok := d.mapping(n, field, func(key string, k, v *yaml.Node) {
		f := join(field, key)
		switch key {
		case "drizzle", "prisma", "migrations":
			s, ok := d.nonEmpty(v, f)
			if !ok {
				return
			}
			given++
			switch key {
			case "drizzle":
				out.Drizzle = s
			case "prisma":
				out.Prisma = s
			default:
				out.Migrations = s
			}
		case "tool":
			if s, ok := d.nonEmpty(v, f); ok {
				out.Tool = s
			}
		default:
			d.unknown(k, field, key, "drizzle", "prisma", "migrations", "tool")
		}
	})
	switch {
	case !ok:
	case given == 0:
		d.errorf(n, field, "give one source: drizzle: drizzle.config.ts, prisma: schema.prisma or migrations: DIR")
	case given > 1:
		d.errorf(n, field, "give one source of drizzle, prisma and migrations, not %d", given)
	case out.Tool != "" && out.Migrations == "":
		d.errorf(n, join(field, "tool"), "goes with migrations: DIR")
	}
	return out
}
