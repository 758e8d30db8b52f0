package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/rbacdrift/rbacdrift/drift"
	"github.com/rbacdrift/rbacdrift/drift/report"
	"github.com/rbacdrift/rbacdrift/introspect"
	"github.com/rbacdrift/rbacdrift/spec"
)

const checkUsage = `Usage: rbacdrift check [--db URL] [--spec FILE] [flags]

Compares a live PostgreSQL database with the declared RBAC model and reports
every difference. The session is read-only; nothing is ever written.

Flags:
  --db URL         the database: postgres://user@host:5432/db?sslmode=require,
                   a socket (postgres:///db?host=/var/run/postgresql) or libpq
                   key=value pairs. Default: $DATABASE_URL, else the libpq
                   environment (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE,
                   PGSSLMODE, ~/.pgpass).
  --spec FILE      the model file (default rbacdrift.yaml)
  --format FORMAT  the report on standard output: text, json, junit, sarif,
                   github (workflow commands; with $GITHUB_STEP_SUMMARY set,
                   a Markdown job summary is appended to it) or markdown
                   (default text)
  --report FORMAT=FILE
                   also write a report in FORMAT to FILE; repeatable:
                   --report sarif=rbacdrift.sarif --report junit=rbacdrift.xml
  --fail-on LEVEL  the least severity that fails the run with exit 1: error,
                   warning or never (default error); waived findings never do
  --run-as ROLE    dry-run the model's queries as ROLE instead of the model's
                   run_as (role names often differ between staging and
                   production); the connecting user must be able to SET ROLE
  --no-queries     skip the dry run of the model's queries
  --timeout DUR    bound on the whole run: connecting, every statement and
                   the dry run end within it, plus 2s to report (default 30s)
`

type checkFlags struct {
	db, spec string
	out      outputFlags
	timeout  time.Duration
	queries  queryFlags
}

func runCheck(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var f checkFlags
	fs := newFlagSet("check")
	fs.StringVar(&f.db, "db", "", "")
	fs.StringVar(&f.spec, "spec", "rbacdrift.yaml", "")
	f.out.register(fs)
	f.queries.register(fs)
	fs.DurationVar(&f.timeout, "timeout", 30*time.Second, "")
	if code := parseFlags(fs, args, checkUsage, stdout, stderr); code >= 0 {
		return code
	}
	if code := f.out.validate(stderr); code >= 0 {
		return code
	}
	if f.timeout <= 0 {
		errorf(stderr, "check", fmt.Sprintf("--timeout must be positive, got %s", f.timeout))
		return exitUsage
	}

	model, err := spec.Load(f.spec)
	if err != nil {
		return modelError(stderr, "check", f.spec, err)
	}

	conn := f.db
	if conn == "" {
		conn = os.Getenv("DATABASE_URL")
	}
	target, err := introspect.ParseTarget(conn)
	if err != nil {
		errorf(stderr, "check", err.Error(), "give --db postgres://user@host:5432/dbname, or set DATABASE_URL")
		return exitConnect
	}
	color := isTerminal(stdout)
	stdout = scrubWriter(stdout, target.Password())
	stderr = scrubWriter(stderr, target.Password())

	ctx, cancel := context.WithTimeout(ctx, f.timeout+2*time.Second)
	defer cancel()
	db, err := introspect.Connect(ctx, target, introspect.Options{Timeout: f.timeout})
	if err != nil {
		return connectError(ctx, stderr, err)
	}
	defer db.Close(context.WithoutCancel(ctx))

	res, err := drift.Check(ctx, db, model)
	if err != nil {
		return catalogError(ctx, stderr, target, err)
	}

	findings, queries, err := f.queries.run(ctx, db, model, res, f.timeout)
	if err != nil {
		return catalogError(ctx, stderr, target, err)
	}
	rep := newReport(f.spec, targetInfo(target, res.Catalog.Server), report.Checked{Tables: len(model.Tables), Enums: len(model.Enums), Queries: queries}, model, findings)
	return f.out.write(rep, stdout, stderr, color, target.Password())
}

func targetInfo(t *introspect.Target, s introspect.Server) report.Target {
	rt := report.Target{Host: t.Config.Host, Port: int(t.Config.Port), Database: s.Database, User: s.User,
		ServerVersion: s.Version, InRecovery: s.InRecovery}
	if s.ReplayLag != nil {
		secs := s.ReplayLag.Seconds()
		rt.ReplayLagSeconds = &secs
	}
	return rt
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

func connectError(ctx context.Context, stderr io.Writer, err error) int {
	if ctx.Err() != nil && errors.Is(context.Cause(ctx), context.Canceled) {
		errorf(stderr, "check", "interrupted")
		return exitInterrupted
	}
	errorf(stderr, "check", err.Error())
	return exitConnect
}

func catalogError(ctx context.Context, stderr io.Writer, t *introspect.Target, err error) int {
	if ctx.Err() != nil && errors.Is(context.Cause(ctx), context.Canceled) {
		errorf(stderr, "check", "interrupted")
		return exitInterrupted
	}
	if ctx.Err() != nil && errors.Is(context.Cause(ctx), context.DeadlineExceeded) {
		errorf(stderr, "check", fmt.Sprintf("the check of %s did not finish in time (%v)", t, err),
			"--timeout bounds the whole run, plus 2s; raise it, or look for slow queries and locks in pg_stat_activity and pg_locks")
		return exitConnect
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		hints := []string{}
		switch pgErr.Code {
		case "57014":
			hints = append(hints, "a catalog query ran past statement_timeout; raise --timeout or look for a long lock on the catalog")
		case "55P03":
			hints = append(hints, "another session holds a lock on a table the check reads; see pg_locks")
		case "42501":
			hints = append(hints, "the connecting role cannot read the catalog; connect as a role with default catalog access")
		}
		errorf(stderr, "check", fmt.Sprintf("the database refused a catalog query on %s: %v", t, err), hints...)
		return exitConnect
	}
	errorf(stderr, "check", fmt.Sprintf("reading the catalog of %s: %v", t, err))
	return exitConnect
}
