package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/rbacdrift/rbacdrift/drift/report"
	"github.com/rbacdrift/rbacdrift/internal/engine"
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
  --verbose        say on standard error how the session kept itself
                   read-only (startup settings, or read-only transactions
                   alone behind a connection pooler)
`

type checkFlags struct {
	db, spec string
	out      outputFlags
	timeout  time.Duration
	queries  queryFlags
	verbose  bool
}

func runCheck(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var f checkFlags
	fs := newFlagSet("check")
	fs.StringVar(&f.db, "db", "", "")
	fs.StringVar(&f.spec, "spec", "rbacdrift.yaml", "")
	f.out.register(fs)
	f.queries.register(fs)
	fs.DurationVar(&f.timeout, "timeout", 30*time.Second, "")
	fs.BoolVar(&f.verbose, "verbose", false, "")
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
	target, err := engine.ParseTarget(f.db)
	if err != nil {
		errorf(stderr, "check", err.Error(), "give --db postgres://user@host:5432/dbname, or set DATABASE_URL")
		return exitConnect
	}
	color := isTerminal(stdout)
	stdout = scrubWriter(stdout, target.Password())
	stderr = scrubWriter(stderr, target.Password())

	ctx, cancel := context.WithTimeout(ctx, f.timeout+2*time.Second)
	defer cancel()
	session, err := introspect.Open(ctx, target, introspect.Options{Timeout: f.timeout})
	if err != nil {
		return failure(ctx, stderr, "check", target, err)
	}
	defer session.Close(context.WithoutCancel(ctx))

	res, err := engine.Check(ctx, session, model, engine.CheckOptions{RunAs: f.queries.runAs, SkipQueries: f.queries.skip})
	if err != nil {
		return failure(ctx, stderr, "check", target, err)
	}
	sessionNote(stderr, "check", res.Path, f.verbose)
	rep := newReport(f.spec, targetInfo(target, res.Catalog.Server, res.Path),
		report.Checked{Tables: len(model.Tables), Enums: len(model.Enums), Queries: res.Queries}, model, res.Findings)
	return f.out.write(rep, stdout, stderr, color, target.Password())
}

// sessionNote tells the user what became of the session's startup
// settings when that is news, and with --verbose which path it took.
func sessionNote(stderr io.Writer, cmd string, p engine.Path, verbose bool) {
	if verbose {
		fmt.Fprintf(stderr, "rbacdrift %s: %s\n", cmd, p.Describe())
	} else if n := p.Note(); n != "" {
		fmt.Fprintf(stderr, "rbacdrift %s: note: %s\n", cmd, n)
	}
}

func targetInfo(t *introspect.Target, s introspect.Server, p engine.Path) report.Target {
	rt := report.Target{Host: t.Config.Host, Port: int(t.Config.Port), Database: s.Database, User: s.User,
		ServerVersion: s.Version, InRecovery: s.InRecovery, StartupSettings: p.Startup}
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

// failure prints why a command could not be done and returns its exit code:
// 130 when interrupted, else 3.
func failure(ctx context.Context, stderr io.Writer, cmd string, t *introspect.Target, err error) int {
	f := engine.Explain(ctx, t, cmd, err)
	errorf(stderr, cmd, f.Message, f.Hints...)
	if f.Kind == engine.FailInterrupted {
		return exitInterrupted
	}
	return exitConnect
}
