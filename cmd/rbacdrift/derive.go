package main

import (
	"context"
	"errors"
	"io"

	"github.com/rbacdrift/rbacdrift/internal/derive"
	"github.com/rbacdrift/rbacdrift/internal/derive/drizzle"
	"github.com/rbacdrift/rbacdrift/internal/derive/replay"
	"github.com/rbacdrift/rbacdrift/internal/derive/source"
	"github.com/rbacdrift/rbacdrift/internal/migrations"
	"github.com/rbacdrift/rbacdrift/internal/pgserver"
)

// fromFlags are the flags that name a model source: --from-drizzle,
// --from-prisma, --from-migrations (its tool) and --dev-db, the server to
// replay SQL on.
type fromFlags struct {
	drizzle, prisma, migrations, devDB string
}

// source returns the source the flags name, or nil.
func (f *fromFlags) source(tool string) *source.Source {
	switch {
	case f.drizzle != "":
		return &source.Source{Kind: source.Drizzle, Path: f.drizzle}
	case f.prisma != "":
		return &source.Source{Kind: source.Prisma, Path: f.prisma}
	case f.migrations != "":
		return &source.Source{Kind: source.Migrations, Path: f.migrations, Tool: migrations.Tool(tool)}
	}
	return nil
}

// deriveError prints why a model could not be derived from the
// application's code or migrations and returns its exit code: 2 when the
// source is wrong or cannot be read (no drizzle-kit, a failed migration),
// 130 when interrupted, 3 when the scratch server could not be reached.
func deriveError(ctx context.Context, stderr io.Writer, cmd string, err error) int {
	var kit *drizzle.KitError
	var code *replay.CodeError
	var amb *migrations.AmbiguousError
	var migErr *replay.MigrationError
	var selErr *derive.SelectionError
	var devErr *replay.DevDBError
	switch {
	case errors.Is(context.Cause(ctx), context.Canceled):
		errorf(stderr, cmd, "interrupted; the scratch database is removed")
		return exitInterrupted
	case errors.As(err, &kit):
		errorf(stderr, cmd, kit.Error(), kit.Hint())
	case errors.As(err, &code):
		errorf(stderr, cmd, err.Error(), code.Hint())
	case errors.As(err, &amb):
		errorf(stderr, cmd, err.Error(), "give it with --migrations-tool NAME")
	case errors.As(err, &migErr):
		var hints []string
		if h := migErr.Hint(); h != "" {
			hints = append(hints, h)
		}
		hints = append(hints, migrationFlagHint(migErr)...)
		errorf(stderr, cmd, err.Error(), hints...)
	case errors.As(err, &selErr):
		return selectionError(stderr, selErr)
	case errors.Is(err, pgserver.ErrNoBinaries):
		errorf(stderr, cmd, err.Error(), "install the PostgreSQL server binaries (Debian: apt-get install postgresql), or give --dev-db URL")
	case errors.As(err, &devErr):
		errorf(stderr, cmd, devErr.Message, devErr.Hint)
		return exitConnect
	default:
		errorf(stderr, cmd, err.Error())
	}
	return exitUsage
}
