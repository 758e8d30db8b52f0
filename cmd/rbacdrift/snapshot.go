package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/rbacdrift/rbacdrift/internal/derive"
	"github.com/rbacdrift/rbacdrift/internal/derive/drizzle"
	"github.com/rbacdrift/rbacdrift/internal/derive/prisma"
	"github.com/rbacdrift/rbacdrift/internal/pgsession"
	"github.com/rbacdrift/rbacdrift/introspect/catalog"

	"github.com/rbacdrift/rbacdrift/internal/check"
	"github.com/rbacdrift/rbacdrift/internal/derive/replay"
	"github.com/rbacdrift/rbacdrift/internal/derive/source"
	"github.com/rbacdrift/rbacdrift/internal/migrations"
	"github.com/rbacdrift/rbacdrift/internal/pgserver"
	"github.com/rbacdrift/rbacdrift/introspect"
	"github.com/rbacdrift/rbacdrift/spec"
)

// schemaURL is where editors find the JSON Schema of the model file.
const schemaURL = "https://raw.githubusercontent.com/rbacdrift/rbacdrift/main/spec/rbacdrift.schema.json"

// now is the snapshot's clock.
var now = time.Now

type snapshotFlags struct {
	db, schema, tables, match, grantsFor, out string
	functions                                 string
	fromPrisma, fromDrizzle                   string
	fromMigrations, tool, devDB, devTemplate  string
	timeout                                   time.Duration
}

func runSnapshot(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var f snapshotFlags
	if code := f.command().parse(args, stdout, stderr); code >= 0 {
		return code
	}
	if f.fromDrizzle != "" {
		if config, _ := drizzle.FindConfig(f.fromDrizzle); config != "" {
			return snapshotFromProject(ctx, f, stdout, stderr)
		}
	}
	if f.fromPrisma != "" || f.fromDrizzle != "" {
		return snapshotFromCode(f, stdout, stderr)
	}
	sel := introspect.Selection{Schemas: splitList(f.schema), Match: f.match, Roles: splitList(f.grantsFor), Functions: f.functions}
	if f.tables != "" {
		sel.Tables = splitList(f.tables)
	}
	// The garbage collector keeps the runtime's defaults (GOGC=100, no
	// memory limit; the GOGC and GOMEMLIMIT environment variables as usual):
	// its pace follows the live heap, so it scales with the catalog, from a
	// dozen tables to tens of thousands. A fixed soft limit below the live
	// heap of a large catalog would make it collect without pause.

	if f.fromMigrations != "" {
		return snapshotFromMigrations(ctx, f, sel, args, stdout, stderr)
	}
	target, err := check.ParseTarget(f.db)
	if err != nil {
		errorf(stderr, "snapshot", err.Error(), "give --db postgres://user@host:5432/dbname, or set DATABASE_URL")
		return exitConnect
	}
	stderr = scrubWriter(stderr, target.Password())

	ctx, cancel := context.WithTimeout(ctx, f.timeout+2*time.Second)
	defer cancel()
	res, err := derive.Snapshot(ctx, target, sel, sessionOptions(f.timeout))
	var selErr *derive.SelectionError
	if errors.As(err, &selErr) {
		return selectionError(stderr, selErr)
	}
	if err != nil {
		return failure(ctx, stderr, "snapshot", target, err)
	}
	if n := res.Path.Note(); n != "" {
		fmt.Fprintf(stderr, "rbacdrift snapshot: note: %s\n", n)
	}
	return writeModel(stdout, stderr, f.out, res.Model, snapshotHeader(target, res.Server, args))
}

// snapshotFromCode writes the model that the application's own schema file
// says, with no database: --from-prisma or --from-drizzle.
func snapshotFromCode(f snapshotFlags, stdout, stderr io.Writer) int {
	var model *spec.Model
	var header, path string
	var err error
	switch {
	case f.fromPrisma != "":
		path = f.fromPrisma
		model, err = prisma.FromFile(path)
		header = prisma.Header(path)
	default:
		path = f.fromDrizzle
		model, err = drizzle.FromFile(path)
		header = drizzle.Header(path)
	}
	if err != nil {
		errorf(stderr, "snapshot", err.Error())
		return exitUsage
	}
	lines := append(strings.Split(header, "\n"),
		"Edit it to say what the application needs; 'rbacdrift check' compares it with a database.",
		"yaml-language-server: $schema="+schemaURL)
	return writeModel(stdout, stderr, f.out, model, lines)
}

// snapshotFromProject writes the model of a drizzle project's code: the
// DDL its own drizzle-kit export prints, replayed on a scratch server as
// --from-migrations replays migrations.
func snapshotFromProject(ctx context.Context, f snapshotFlags, stdout, stderr io.Writer) int {
	opts := replay.Options{Introspect: sessionOptions(f.timeout)}
	if f.schema != "public" {
		opts.Selection.Schemas = splitList(f.schema)
	}
	res, err := source.Derive(ctx, source.Source{Kind: source.Drizzle, Path: f.fromDrizzle}, opts)
	if err != nil {
		return deriveError(ctx, stderr, "snapshot", err)
	}
	header := append(res.Header,
		"Edit it to say what the application needs; 'rbacdrift check' compares it with a database.",
		"yaml-language-server: $schema="+schemaURL)
	return writeModel(stdout, stderr, f.out, res.Model, header)
}

// snapshotFromMigrations applies the SQL migrations of a folder to a
// scratch database (a throwaway cluster, or a temporary database on
// --dev-db) and writes the model of what they made, as a live snapshot would.
func snapshotFromMigrations(ctx context.Context, f snapshotFlags, sel introspect.Selection, args []string, stdout, stderr io.Writer) int {
	plan, err := replay.Read(f.fromMigrations, migrations.Tool(f.tool))
	if err != nil {
		return deriveError(ctx, stderr, "snapshot", err)
	}
	opts := replay.Options{Selection: sel, Introspect: sessionOptions(f.timeout), Template: f.devTemplate}
	if f.devDB != "" {
		if opts.DevDB, err = pgsession.ParseTarget(f.devDB); err != nil {
			errorf(stderr, "snapshot", err.Error(), "give --dev-db postgres://user@host:5432/postgres, a server where the role may create databases")
			return exitConnect
		}
		stderr = scrubWriter(stderr, opts.DevDB.Password())
	}
	res, err := replay.Derive(ctx, plan, opts)
	var selErr *derive.SelectionError
	var migErr *replay.MigrationError
	var devErr *replay.DevDBError
	switch {
	case err == nil:
	case errors.Is(context.Cause(ctx), context.Canceled), errors.As(err, &migErr), errors.As(err, &selErr),
		errors.Is(err, pgserver.ErrNoBinaries), errors.As(err, &devErr):
		return deriveError(ctx, stderr, "snapshot", err)
	case opts.DevDB != nil:
		return failure(ctx, stderr, "snapshot", opts.DevDB, err)
	default:
		errorf(stderr, "snapshot", err.Error())
		return exitConnect
	}
	again := []string{"rbacdrift", "snapshot"}
	for i := 0; i < len(args); i++ {
		name := strings.TrimLeft(strings.SplitN(args[i], "=", 2)[0], "-")
		if name == "dev-db" || name == "dev-template" || name == "out" || name == "timeout" {
			if !strings.Contains(args[i], "=") {
				i++
			}
			continue
		}
		again = append(again, shellQuote(args[i]))
	}
	header := []string{
		replay.Header(plan),
		fmt.Sprintf("applied to %s, PostgreSQL %s: %s", res.Where, strings.Fields(res.Server.Version + " ?")[0], strings.Join(again, " ")),
		"Edit it to say what the application needs; 'rbacdrift check' compares it with a database.",
		"yaml-language-server: $schema=" + schemaURL,
	}
	return writeModel(stdout, stderr, f.out, res.Model, header)
}

// writeModel writes model with its header to out, or to standard output
// when out is "".
func writeModel(stdout, stderr io.Writer, out string, model *spec.Model, header []string) int {
	write := func(w io.Writer) error { return spec.Write(w, model, header...) }

	if out == "" {
		if err := write(stdout); err != nil {
			errorf(stderr, "snapshot", "writing the model: "+err.Error())
			return exitUsage
		}
		return exitOK
	}
	if err := writeFileAtomic(out, write); err != nil {
		errorf(stderr, "snapshot", err.Error())
		return exitUsage
	}
	fmt.Fprintf(stderr, "rbacdrift snapshot: wrote %s: %s, %s\n", out, plural(len(model.Tables), "relation"), plural(len(model.Enums), "enum"))
	return exitOK
}

// snapshotHeader says where and when the snapshot was taken, never with a
// password, and how to take it again.
func snapshotHeader(t *pgsession.Target, s catalog.Server, args []string) []string {
	var again []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		name := strings.TrimLeft(strings.SplitN(a, "=", 2)[0], "-")
		if name == "db" || name == "out" || name == "timeout" {
			if !strings.Contains(a, "=") {
				i++ // skip the value
			}
			continue
		}
		again = append(again, shellQuote(a))
	}
	return []string{
		fmt.Sprintf("rbacdrift snapshot of %s (PostgreSQL %s)", t, strings.Fields(s.Version + " ?")[0]),
		fmt.Sprintf("taken %s by rbacdrift %s: %s", now().UTC().Format(time.RFC3339), version(),
			strings.TrimSpace("rbacdrift snapshot "+strings.Join(again, " "))),
		"Edit it to say what the application needs; 'rbacdrift check' compares it with a database.",
		"yaml-language-server: $schema=" + schemaURL,
	}
}

func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.,=/:", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// splitList splits a comma-separated flag value, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// writeFileAtomic writes what write produces to path through a temporary
// file in the same folder, so that a failed write never leaves half a model
// behind. A path that is not a regular file (/dev/stdout, a pipe, a symbolic
// link) is written in place: renaming over it would replace the device or
// the link.
func writeFileAtomic(path string, write func(io.Writer) error) error {
	if st, err := os.Lstat(path); err == nil && !st.Mode().IsRegular() {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
		if err != nil {
			return fmt.Errorf("writing %s: %w", path, err)
		}
		if err := write(f); err != nil {
			f.Close()
			return fmt.Errorf("writing %s: %w", path, err)
		}
		if err := f.Close(); err != nil {
			return fmt.Errorf("writing %s: %w", path, err)
		}
		return nil
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// selectionError words a selection that names what the database does not
// have in terms of the flags that made it.
func selectionError(stderr io.Writer, e *derive.SelectionError) int {
	switch e.What {
	case derive.SelectNoRole:
		errorf(stderr, "snapshot", "--grants-for: "+e.Error(), "role names are exact and case-sensitive; SELECT rolname FROM pg_roles lists them")
	case derive.SelectNoTable:
		errorf(stderr, "snapshot", "--tables: "+e.Error(), "names are exact and case-sensitive, as in the catalog; --schemas chooses the schemas")
	default:
		errorf(stderr, "snapshot", e.Error(), "--schemas chooses the schemas (default public); check the database name in --db")
	}
	return exitUsage
}

// migrationFlagHint says which flag changes what stopped a migration: the
// statement timeout is --timeout; a temporary database is --dev-db; a
// database migrated by hand is snapshot --db.
func migrationFlagHint(e *replay.MigrationError) []string {
	var te *replay.TimeoutError
	var pg *pgconn.PgError
	switch {
	case errors.As(e.Err, &te):
		return []string{"--timeout sets the statement timeout"}
	case errors.As(e.Err, &pg) && pg.Code == "42501" && strings.Contains(pg.Message, "create role"):
		return []string{"--dev-db URL replays in a temporary database of the server URL names"}
	case errors.As(e.Err, &pg) && pg.Code == "42501":
		return []string{"rbacdrift snapshot --db URL takes the model of a database you migrated"}
	case errors.As(e.Err, &pg) && (pg.Code == "57014" || pg.Code == "55P03" || pg.Code == "25P03"):
		return []string{"--timeout sets the statement timeout"}
	}
	return nil
}
