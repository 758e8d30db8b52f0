package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/rbacdrift/rbacdrift/internal/check"
	"github.com/rbacdrift/rbacdrift/internal/harvest"
	"github.com/rbacdrift/rbacdrift/internal/pgsession"
	"github.com/rbacdrift/rbacdrift/internal/safefile"
	"github.com/rbacdrift/rbacdrift/spec"
)

// harvestFlags are the flags of harvest.
type harvestFlags struct {
	db, spec, out, role, fromLog string
	timeout                      time.Duration
}

// command declares the flags of harvest, bound to f.
func (f *harvestFlags) command() *command {
	f.spec, f.timeout = "rbacdrift.yaml", 30*time.Second
	return &command{
		name:  "harvest",
		width: 19,
		head: `Usage: rbacdrift harvest [--db URL] [--spec FILE] --out FILE [flags]

Reads the statements the application really sends from pg_stat_statements
(or from the server's log), keeps those that read or write the model's
tables, and writes them as an sqlc-style query file: name it in the model's
query_files and rbacdrift check dry-runs them. Which tables a statement
touches is what the server's plan says: each statement is prepared and
planned, never executed, as the role that sent it, in a read-only
transaction. Utility statements, health checks and statements on other
tables (a session store) are left out.
`,
		flags: []*flagDef{
			{name: "db", arg: "URL", str: &f.db, help: "the database the application ran against: staging, a CI database after the application's tests, a replica (default: $DATABASE_URL, else the libpq environment); with --from-log, the database the statements are planned on"},
			{name: "spec", arg: "FILE", str: &f.spec, nonEmpty: true, help: "the model file (default rbacdrift.yaml); its tables decide which statements are kept"},
			{name: "out", arg: "FILE", str: &f.out, nonEmpty: true, help: "the query file to write. When it exists, its names and order are kept, new statements are added at the end and those no longer seen are marked with a comment, not deleted"},
			{name: "role", arg: "ROLE", str: &f.role, nonEmpty: true, help: "keep only the statements ROLE sent (the application's)"},
			{name: "from-log", arg: "FILE", str: &f.fromLog, nonEmpty: true, help: "read the statements from a PostgreSQL log (stderr, csvlog or jsonlog, with log_min_duration_statement = 0 or log_statement = all) instead of pg_stat_statements; those the log says were sent to another database than --db's are left out"},
			{name: "timeout", arg: "DUR", dur: &f.timeout, help: "bound on the whole run (default 30s)"},
		},
	}
}

// harvestUsage is the help of harvest.
var harvestUsage = new(harvestFlags).command().usage()

// maxLogBytes bounds a server log read by --from-log: the log of a test
// run or a day of staging, not a production archive.
const maxLogBytes = 1 << 30

func runHarvest(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var f harvestFlags
	if code := f.command().parse(args, stdout, stderr); code >= 0 {
		return code
	}
	db, specFile, out, role, fromLog, timeout := f.db, f.spec, f.out, f.role, f.fromLog, f.timeout
	if out == "" {
		errorf(stderr, "harvest", "--out is required", "give the query file to write, e.g. --out sql/harvested.sql, and name it in the model's query_files")
		return exitUsage
	}
	// The model's tables only: its query_files may name the file this
	// harvest is about to write.
	data, err := safefile.ReadFile(specFile, safefile.MaxModel, "a model file")
	if err != nil {
		errorf(stderr, "harvest", err.Error(), "--spec names the model file (default rbacdrift.yaml)")
		return exitUsage
	}
	model, err := spec.Parse(specFile, data)
	if err != nil {
		return modelError(stderr, "harvest", specFile, err)
	}
	var old []harvest.Entry
	if data, err := safefile.ReadFile(out, safefile.MaxModel, "a query file"); err == nil {
		if old, err = harvest.ParseFile(data); err != nil {
			errorf(stderr, "harvest", fmt.Sprintf("%s: %v", out, err))
			return exitUsage
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		errorf(stderr, "harvest", err.Error(), "--out names the query file to write or update")
		return exitUsage
	}
	target, err := check.ParseTarget(db)
	if err != nil {
		errorf(stderr, "harvest", err.Error(), "give --db postgres://user@host:5432/dbname, or set DATABASE_URL")
		return exitConnect
	}
	var logStmts []harvest.Statement
	if fromLog != "" {
		data, err := safefile.ReadFile(fromLog, maxLogBytes, "a server log")
		if err != nil {
			errorf(stderr, "harvest", err.Error(), "--from-log names a PostgreSQL log file (stderr, csvlog or jsonlog)")
			return exitUsage
		}
		// The statements of the database they are planned on, as
		// pg_stat_statements is read for the current database only.
		if logStmts, err = harvest.ParseLog(data, harvest.LogFilter{Database: target.Config.Database, Role: role}); err != nil {
			errorf(stderr, "harvest", fmt.Sprintf("%s: %v", fromLog, err), "set log_min_duration_statement = 0 (or log_statement = 'all') on the server, then read its log")
			return exitUsage
		}
	}

	stdout = scrubWriter(stdout, target.Password())
	stderr = scrubWriter(stderr, target.Password())
	ctx, cancel := context.WithTimeout(ctx, timeout+2*time.Second)
	defer cancel()
	session, err := pgsession.Open(ctx, target, pgsession.Options{Timeout: timeout})
	if err != nil {
		return failure(ctx, stderr, "harvest", target, err)
	}
	defer session.Close(context.WithoutCancel(ctx))

	stmts, src := logStmts, harvest.Source{From: "log", File: filepath.Base(fromLog), Database: target.Config.Database}
	if fromLog == "" {
		stmts, src, err = harvest.ReadStatements(ctx, session, role)
		if code := statementsError(stderr, src, err); code >= 0 {
			return code
		}
		if err != nil {
			return failure(ctx, stderr, "harvest", target, err)
		}
	}
	if src.Hidden > 0 {
		errorf(stderr, "harvest", fmt.Sprintf("warning: %s of other roles are hidden from %s (<insufficient privilege>)", plural(src.Hidden, "statement"), target.Config.User),
			fmt.Sprintf("GRANT pg_read_all_stats TO %s, so that the harvest sees the application's statements; or connect as the application's role", target.Config.User))
	}
	fresh, refused, err := harvest.Select(ctx, session, model, stmts)
	if err != nil {
		return failure(ctx, stderr, "harvest", target, err)
	}
	for _, r := range refused {
		errorf(stderr, "harvest", fmt.Sprintf("warning: left out, the server cannot plan it generically: %s (%s %s)", oneLine(r.Statement.SQL, 100), r.Err.Code, r.Err.Message),
			"the text is normalised (constants are $n with no type); add the statement to the model's queries with its params")
	}
	at := now()
	entries := harvest.Merge(old, fresh, at)
	rendered := harvest.Render(harvest.Header{Source: src, Role: role, At: at}, entries)
	if err := writeFileAtomic(out, func(w io.Writer) error { _, err := w.Write(rendered); return err }); err != nil {
		errorf(stderr, "harvest", err.Error())
		return exitUsage
	}
	vanished := 0
	for _, e := range entries {
		if !e.Vanished.IsZero() {
			vanished++
		}
	}
	fmt.Fprintf(stdout, "rbacdrift harvest: %s: %s (%d new, %d no longer seen) from %s\n", out, plural(len(entries), "statement"), len(entries)-len(old), vanished, plural(len(stmts), "statement"))
	return exitOK
}

// statementsError words the ways pg_stat_statements can be unavailable;
// -1 for any other error.
func statementsError(stderr io.Writer, src harvest.Source, err error) int {
	var nl *harvest.ErrNotLoaded
	switch {
	case errors.Is(err, harvest.ErrNoExtension):
		errorf(stderr, "harvest", fmt.Sprintf("pg_stat_statements is not installed in database %q", src.Database),
			"CREATE EXTENSION pg_stat_statements; in that database, with pg_stat_statements in shared_preload_libraries (postgresql.conf; a restart)",
			"where the extension is not available, read the server's log instead: --from-log FILE")
		return exitConnect
	case errors.As(err, &nl):
		errorf(stderr, "harvest", "pg_stat_statements is installed but the server has not loaded it: it is not in shared_preload_libraries",
			"ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements' (keeping any library already listed) and restart the server; on a managed service, set it in the parameter group",
			"where that cannot be done, read the server's log instead: --from-log FILE")
		return exitConnect
	}
	return -1
}

// oneLine shortens sql to one line of at most n characters.
func oneLine(sql string, n int) string {
	out := []rune{}
	space := false
	for _, r := range sql {
		if r == '\n' || r == '\t' || r == '\r' || r == ' ' {
			space = true
			continue
		}
		if space && len(out) > 0 {
			out = append(out, ' ')
		}
		space = false
		out = append(out, r)
	}
	if len(out) > n {
		return string(out[:n-1]) + "…"
	}
	return string(out)
}
