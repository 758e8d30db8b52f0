// Package source derives a model from where an application keeps its
// tables: a drizzle project (its drizzle.config, through the project's own
// drizzle-kit export) or a drizzle-kit output folder, a schema.prisma, or a
// folder of SQL migrations. It is the one place that picks the way for each
// kind, so that snapshot --from-*, check --from-* and a model file's
// tables_from derive the same model.
//
// # What it never does
//
// It never writes to the database that is checked: SQL is replayed only on
// a scratch server (see package replay). It never installs or downloads
// anything: a drizzle project's drizzle-kit is the one it has installed.
package source

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/rbacdrift/rbacdrift/internal/derive/drizzle"
	"github.com/rbacdrift/rbacdrift/internal/derive/prisma"
	"github.com/rbacdrift/rbacdrift/internal/derive/replay"
	"github.com/rbacdrift/rbacdrift/internal/migrations"
	"github.com/rbacdrift/rbacdrift/spec"
)

// The kinds of [Source].
const (
	Drizzle    = "drizzle"
	Prisma     = "prisma"
	Migrations = "migrations"
)

// A Source is where a model's tables come from.
type Source struct {
	Kind string // Drizzle, Prisma or Migrations
	Path string
	Tool migrations.Tool // of Migrations; "" detects it
}

// FromSpec returns the source a model file's tables_from names, its path
// taken relative to the model file.
func FromSpec(m *spec.Model) Source {
	tf := m.TablesFrom
	p := tf.Path()
	if !filepath.IsAbs(p) && m.File != "" {
		p = filepath.Join(filepath.Dir(m.File), p)
	}
	return Source{Kind: tf.Kind(), Path: p, Tool: migrations.Tool(tf.Tool)}
}

// A Result is a derived model and what it came from.
type Result struct {
	Model *spec.Model
	// Header says where the model came from, one line each, for the top of
	// a written model.
	Header []string
	// Code is set when the model is the application's code (drizzle or
	// Prisma), not its migrations: a mismatch with a database then means
	// that one of the two is behind.
	Code bool
	// Files are the code files the tables' positions point at, when known.
	Where string // the scratch server the SQL ran on, when it ran on one
}

// NeedsServer reports whether deriving s replays SQL on a scratch server.
func (s Source) NeedsServer() bool {
	if s.Kind == Migrations {
		return true
	}
	if s.Kind == Drizzle {
		c, err := drizzle.FindConfig(s.Path)
		return err == nil && c != ""
	}
	return false
}

// Derive returns the model of s. opts says where SQL is replayed (a
// throwaway cluster unless opts.DevDB) and the bounds; an empty
// opts.Selection.Schemas takes the schemas the SQL creates.
func Derive(ctx context.Context, s Source, opts replay.Options) (*Result, error) {
	switch s.Kind {
	case Prisma:
		m, err := prisma.FromFile(s.Path)
		if err != nil {
			return nil, err
		}
		return &Result{Model: m, Header: strings.Split(prisma.Header(s.Path), "\n"), Code: true}, nil
	case Drizzle:
		config, err := drizzle.FindConfig(s.Path)
		if err != nil {
			return nil, err
		}
		if config == "" {
			m, err := drizzle.FromFile(s.Path)
			if err != nil {
				return nil, err
			}
			return &Result{Model: m, Header: strings.Split(drizzle.Header(s.Path), "\n"), Code: true}, nil
		}
		sql, version, err := drizzle.Export(ctx, config)
		if err != nil {
			return nil, err
		}
		plan, err := replay.FromSQL(migrations.Drizzle, filepath.Dir(config), "drizzle-kit export", config, sql)
		if err != nil {
			return nil, err
		}
		res, err := replayPlan(ctx, plan, opts)
		if err != nil {
			return nil, err
		}
		drizzle.CodePositions(res.Model, filepath.Dir(config))
		res.Code = true
		res.Header = []string{
			fmt.Sprintf("model derived from %s by rbacdrift: the DDL its drizzle-kit %s export prints, applied to %s", config, version, res.Where),
			"it states what the code says of tables, keys, indexes, enums and policies; grants, roles and",
			"data are the database's own, which a model file layers over it (tables_from)",
		}
		return res, nil
	case Migrations:
		plan, err := replay.Read(s.Path, s.Tool)
		if err != nil {
			return nil, err
		}
		res, err := replayPlan(ctx, plan, opts)
		if err != nil {
			return nil, err
		}
		res.Header = []string{replay.Header(plan), "applied to " + res.Where}
		return res, nil
	}
	return nil, fmt.Errorf("unknown model source %q", s.Kind)
}

func replayPlan(ctx context.Context, plan *replay.Plan, opts replay.Options) (*Result, error) {
	if len(opts.Selection.Schemas) == 0 {
		opts.Selection.Schemas = plan.Schemas()
	}
	res, err := replay.Derive(ctx, plan, opts)
	if err != nil {
		return nil, err
	}
	return &Result{Model: res.Model, Where: res.Where}, nil
}
