package source

import (
	"context"
	"slices"

	"github.com/rbacdrift/rbacdrift/internal/check"
	"github.com/rbacdrift/rbacdrift/internal/derive/replay"
	"github.com/rbacdrift/rbacdrift/spec"
)

// DeriveOptions say where a model's tables_from (or a source given by the
// caller) is derived: the scratch server and bounds of replayed SQL.
type DeriveOptions struct {
	Replay replay.Options
	// Source, when set, replaces the model file's tables_from.
	Source *Source
}

// LoadModel reads a model file as [check.LoadModel] does and, when it has
// tables_from (or opts.Source), derives its tables and enums from the
// application's code or migrations and layers the file over them (see
// [Layer]). path "" reads no file: the model is the derived one alone.
func LoadModel(ctx context.Context, path string, opts DeriveOptions) (*spec.Model, error) {
	file := &spec.Model{Version: 1, Schema: "public", ExtraColumns: spec.ExtraWarn}
	if path != "" {
		m, err := check.LoadModel(path)
		if err != nil {
			return nil, err
		}
		file = m
	}
	src := opts.Source
	if src == nil {
		if file.TablesFrom == nil {
			return file, nil
		}
		s := FromSpec(file)
		src = &s
	}
	res, err := Derive(ctx, *src, opts.Replay)
	if err != nil {
		return nil, err
	}
	out := Layer(file, res.Model)
	if out.TablesFrom == nil || opts.Source != nil {
		tf := &spec.TablesFrom{Pos: file.RunAsPos}
		switch src.Kind {
		case Drizzle:
			tf.Drizzle = src.Path
		case Prisma:
			tf.Prisma = src.Path
		default:
			tf.Migrations, tf.Tool = src.Path, string(src.Tool)
		}
		out.TablesFrom = tf
	}
	if out.File == "" {
		out.File = src.Path
	}
	return out, nil
}

// Layer returns the model file layered over the derived model: the derived
// tables and enums, each table with what the file states of it (grants,
// row-level security, forbidden columns, columns the derived source cannot
// state), the file's own tables and enums the derived model lacks, and
// everything else of the file (run_as, queries, functions, sequences,
// waivers, migrations). The checked expectation is the derived one, today's
// code, wherever both say something of the same table's shape.
func Layer(file, derived *spec.Model) *spec.Model {
	out := *file
	out.Tables = nil
	byName := map[spec.Name]*spec.Table{}
	for _, t := range derived.Tables {
		c := *t
		c.ExtraColumns = file.ExtraColumns
		out.Tables = append(out.Tables, &c)
		byName[t.Name] = &c
	}
	for _, ft := range file.Tables {
		t := byName[ft.Name]
		if t == nil {
			out.Tables = append(out.Tables, ft)
			continue
		}
		if ft.Grants != nil {
			t.Grants = ft.Grants
		}
		if ft.RLS != nil {
			t.RLS = ft.RLS
		}
		if ft.ExtraColumns != "" {
			t.ExtraColumns = ft.ExtraColumns
		}
		t.ForbiddenColumns = append(slices.Clip(t.ForbiddenColumns), ft.ForbiddenColumns...)
		t.Columns = slices.Clone(t.Columns)
		for _, fc := range ft.Columns {
			i := slices.IndexFunc(t.Columns, func(c *spec.Column) bool { return c.Name == fc.Name })
			if i < 0 {
				t.Columns = append(t.Columns, fc)
				continue
			}
			if fc.Grants != nil {
				c := *t.Columns[i]
				c.Grants = fc.Grants
				t.Columns[i] = &c
			}
		}
	}
	out.Enums = slices.Clone(derived.Enums)
	for _, e := range file.Enums {
		if !slices.ContainsFunc(out.Enums, func(d *spec.Enum) bool { return d.Name == e.Name }) {
			out.Enums = append(out.Enums, e)
		}
	}
	return &out
}
