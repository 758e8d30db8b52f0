package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/rbacdrift/rbacdrift/internal/check"
	"github.com/rbacdrift/rbacdrift/internal/derive/replay"
	"github.com/rbacdrift/rbacdrift/internal/derive/source"
	"github.com/rbacdrift/rbacdrift/internal/migrations"
	"github.com/rbacdrift/rbacdrift/internal/pgsession"
	"github.com/rbacdrift/rbacdrift/spec"
)

type checkFlags struct {
	db, spec string
	out      outputFlags
	timeout  time.Duration
	queries  queryFlags
	mig      check.MigrationOptions
	migTable string
	verbose  bool
	schemas  string
	targets  string
	parallel int
	shard    string
	from     fromFlags
}

func runCheck(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var f checkFlags
	cmd := f.command()
	if code := cmd.parse(args, stdout, stderr); code >= 0 {
		return code
	}
	code := f.run(ctx, cmd, stdout, stderr)
	if code != exitOK && code != exitDrift {
		f.out.clearStale("check", stderr)
	}
	return code
}

// run is the check once its flags are parsed; [runCheck] clears the
// earlier run's reports when it ends without one.
func (f *checkFlags) run(ctx context.Context, cmd *command, stdout, stderr io.Writer) int {
	model, code := f.model(ctx, cmd, stderr)
	if code >= 0 {
		return code
	}
	if code := f.out.guard("check", stderr, checkInputs(f, model)); code >= 0 {
		return code
	}
	migs, code := f.migrations(model, stderr)
	if code >= 0 {
		return code
	}
	// The check reads the model's migrations section itself; the flags
	// only override it.
	opts := check.CheckOptions{RunAs: f.queries.runAs, SkipQueries: f.queries.skip, Migrations: migs, Schemas: splitList(f.schemas)}
	if f.targets != "" {
		return f.runFleet(ctx, model, opts, stdout, stderr)
	}
	target, err := check.ParseTarget(f.db)
	if err != nil {
		errorf(stderr, "check", err.Error(), "give --db postgres://user@host:5432/dbname, or set DATABASE_URL")
		return exitConnect
	}
	color := isTerminal(stdout)
	stdout = scrubWriter(stdout, target.Password())
	stderr = scrubWriter(stderr, target.Password())

	ctx, cancel := context.WithTimeout(ctx, f.timeout+check.Grace)
	defer cancel()
	session, err := pgsession.Open(ctx, target, sessionOptions(f.timeout))
	if err != nil {
		return failure(ctx, stderr, "check", target, err)
	}
	defer session.Close(context.WithoutCancel(ctx))

	res, err := check.Check(ctx, session, model, opts)
	if code := usageError(stderr, err); code >= 0 {
		return code
	}
	if err != nil {
		return failure(ctx, stderr, "check", target, err)
	}
	sessionNote(stderr, "check", res.Path, f.verbose)
	return f.out.write(res.Report(cmp.Or(model.File, f.spec)), stdout, stderr, color, target.Password())
}

// model reads the model file, and derives the tables it takes from the
// application's code or migrations (tables_from, or --from-drizzle,
// --from-prisma, --from-migrations: with these and no --spec, there is no
// model file at all); an exit code when it cannot.
func (f *checkFlags) model(ctx context.Context, cmd *command, stderr io.Writer) (*spec.Model, int) {
	path := f.spec
	src := f.from.source(f.mig.Tool)
	if src != nil && !cmd.given("spec") {
		path = ""
	}
	if path != "" {
		m, err := loadModel(path)
		if err != nil {
			return nil, modelError(stderr, "check", path, err)
		}
		if m.TablesFrom == nil && src == nil {
			return m, -1
		}
	}
	opts := source.DeriveOptions{Source: src, Replay: replay.Options{Introspect: sessionOptions(f.timeout)}}
	if f.from.devDB != "" {
		t, err := pgsession.ParseTarget(f.from.devDB)
		if err != nil {
			errorf(stderr, "check", err.Error(), "give --dev-db postgres://user@host:5432/postgres, a server where the role may create databases")
			return nil, exitConnect
		}
		opts.Replay.DevDB = t
	}
	m, err := source.LoadModel(ctx, path, opts)
	if err != nil {
		return nil, deriveError(ctx, stderr, "check", err)
	}
	return m, -1
}

// checkInputs are the files a check reads, by path, with what each is:
// the model, its query files, the targets.
func checkInputs(f *checkFlags, m *spec.Model) map[string]string {
	in := map[string]string{f.spec: "the model file", f.targets: "the targets file"}
	for _, q := range m.Queries {
		if q.Pos.File != "" && q.Pos.File != f.spec {
			in[q.Pos.File] = "the query file"
		}
	}
	return in
}

// usageError prints the errors of a check that mean the flags or the model
// are wrong, not the database, and returns exit 2; -1 for any other.
func usageError(stderr io.Writer, err error) int {
	var migErr *check.MigrationError
	var tenErr *check.TenantError
	var colErr *migrations.ColumnsError
	switch {
	case errors.As(err, &colErr):
		errorf(stderr, "check", colErr.Error(), "--migrations-table names the tool's history table and --migrations-tool the tool; give the pair that go together, or leave both out to take the tool's own")
		return exitUsage
	case errors.As(err, &migErr):
		errorf(stderr, "check", migErr.Error(), "--migrations names the folder (migrations.dir in the model, relative to it); --migrations-tool the tool when the folder does not show it")
		return exitUsage
	case errors.As(err, &tenErr):
		errorf(stderr, "check", "--tenants: "+tenErr.Error(), "--tenants takes globs of schema names (* any run, ? one character), e.g. 'tenant_*'; names are case-sensitive")
		return exitUsage
	}
	return -1
}

// sessionNote tells the user what became of the session's startup
// settings when that is news, and with --verbose which path it took.
func sessionNote(stderr io.Writer, cmd string, p pgsession.Path, verbose bool) {
	if verbose {
		fmt.Fprintf(stderr, "rbacdrift %s: %s\n", cmd, p.Describe())
	} else if n := p.Note(); n != "" {
		fmt.Fprintf(stderr, "rbacdrift %s: note: %s\n", cmd, n)
	}
}

// modelError prints every problem of a model file and returns exit 2.
func modelError(stderr io.Writer, cmd, file string, err error) int {
	var errs spec.Errors
	if errors.As(err, &errs) {
		for _, e := range errs {
			fmt.Fprintf(stderr, "%s\n", e)
		}
		if len(errs) == 1 && errs[0].Msg != "" && errs[0].Field == "" && errs[0].Pos.Line == 0 {
			fmt.Fprintf(stderr, "hint: --spec names the model file (default rbacdrift.yaml); the README's \"Model reference\" shows its shape\n")
		}
		fmt.Fprintf(stderr, "rbacdrift %s: %s: %s\n", cmd, file, plural(len(errs), "problem"))
		return exitUsage
	}
	errorf(stderr, cmd, err.Error())
	return exitUsage
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// failure prints why a command could not be done and returns its exit code:
// 130 when interrupted, else 3.
func failure(ctx context.Context, stderr io.Writer, cmd string, t *pgsession.Target, err error) int {
	f := check.Explain(ctx, t, cmd, err)
	msg, hints := explain(f)
	errorf(stderr, cmd, msg, hints...)
	if f.Kind == check.FailInterrupted {
		return exitInterrupted
	}
	return exitConnect
}

// migrations returns what --migrations, --migrations-tool and
// --migrations-table override of the model's migrations section (see
// [check.MigrationOptions.Resolve]), or nil; an exit code when the flags
// are wrong.
func (f *checkFlags) migrations(m *spec.Model, stderr io.Writer) (*check.MigrationOptions, int) {
	if f.mig.Dir == "" && m.Migrations == nil && (f.mig.Tool != "" || f.migTable != "") {
		errorf(stderr, "check", "--migrations-tool and --migrations-table go with --migrations", "give --migrations DIR, or migrations.dir in the model")
		return nil, exitUsage
	}
	if f.mig.Dir == "" && f.mig.Tool == "" && f.migTable == "" {
		return nil, -1
	}
	o := &check.MigrationOptions{Dir: f.mig.Dir}
	if f.mig.Tool != "" {
		o.Tool = f.mig.Tool
	}
	if f.migTable != "" {
		schema, table, err := spec.SplitTableName(f.migTable)
		if err != nil {
			errorf(stderr, "check", fmt.Sprintf("--migrations-table %q: %v", f.migTable, err), "give TABLE or SCHEMA.TABLE; double-quote a part that holds a dot")
			return nil, exitUsage
		}
		o.Schema, o.Table = schema, table
	}
	return o, -1
}

// queryFlags are the flags of check that shape the dry run of the model's queries.
type queryFlags struct {
	runAs string
	skip  bool
}
