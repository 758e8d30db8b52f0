// Package rbacdrift checks a live PostgreSQL database against the RBAC
// model an application expects, from inside the application: at start-up
// (refuse to serve with an empty policy) or as a readiness probe. It runs the
// same check as the rbacdrift command: it reads the catalog, compares it with
// the model, and dry-runs the model's permission queries as the
// application's role.
//
//	m, err := rbacdrift.LoadModel("rbacdrift.yaml")
//	...
//	rep, err := rbacdrift.Check(ctx, conn, m, rbacdrift.Options{})
//	if err != nil {
//		return err // the check could not be done: no connection, a refused catalog read
//	}
//	if rep.Failed() {
//		for _, f := range rep.Failing() {
//			log.Printf("%s %s: %s (hint: %s)", f.Code, f.Object, f.Message, f.Hint)
//		}
//	}
//
// # What it does to the connection
//
// Check runs on the *pgx.Conn it is given, which must be idle (not in a
// transaction). It never writes, and leaves the connection as it found it:
// every unit of work is one READ ONLY transaction that sets its limits with
// SET LOCAL (statement_timeout, lock_timeout,
// idle_in_transaction_session_timeout, jit, plan_cache_mode and, for a query
// with a run_as, the role) and ends with ROLLBACK, so every setting ends with
// it. It speaks through the connection's pgconn with unnamed statements, so
// the connection's statement cache and exec mode are neither used nor
// changed; the one named statement (rbacdrift_dryrun, the query being
// dry-run) is closed inside its transaction. That also makes it safe on a
// connection through a transaction pooler.
//
// A finding is drift; an error is a check that could not be done. Findings
// have stable codes (see the README's "Findings" table) and say how to fix
// what they found.
package rbacdrift

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/rbacdrift/rbacdrift/drift"
	"github.com/rbacdrift/rbacdrift/drift/report"
	"github.com/rbacdrift/rbacdrift/internal/check"
	"github.com/rbacdrift/rbacdrift/internal/derive/source"
	"github.com/rbacdrift/rbacdrift/internal/pgsession"
	"github.com/rbacdrift/rbacdrift/spec"
)

// A Model is a parsed model file: the RBAC tables, enums and permission
// queries the application expects.
type Model struct {
	m    *spec.Model
	path string
}

// LoadModel reads and parses the model file at path, and the query files it
// names. A broken file is an error that names the file, line, column and
// field of each problem. A model whose tables_from names the application's
// drizzle project, schema.prisma or migrations has its tables derived from
// them (drizzle-kit and SQL run as for rbacdrift check, on a throwaway
// PostgreSQL) with the file layered over them.
func LoadModel(path string) (*Model, error) {
	m, err := source.LoadModel(context.Background(), path, source.DeriveOptions{})
	if err != nil {
		return nil, err
	}
	return &Model{m: m, path: path}, nil
}

// LoadModelFS reads and parses the model file at path inside fsys, and the
// query files it names, so that a service can compile its model in with
// //go:embed:
//
//	//go:embed rbacdrift.yaml queries all:migrations
//	var modelFS embed.FS
//	...
//	m, err := rbacdrift.LoadModelFS(modelFS, "rbacdrift.yaml")
//
// path and the paths the model holds (query_files, migrations.dir) are
// slash-separated paths inside fsys, the latter relative to the model
// file's folder; [Check] reads the migrations folder from fsys too (embed
// it with all: when the tool keeps files whose names start with _ or ., as
// drizzle's meta/_journal.json). A
// broken file is an error that names the file, line, column and field of
// each problem.
func LoadModelFS(fsys fs.FS, path string) (*Model, error) {
	m, err := check.LoadModelFS(fsys, path)
	if err != nil {
		return nil, err
	}
	return &Model{m: m, path: path}, nil
}

// Path returns the file the model was loaded from.
func (m *Model) Path() string { return m.path }

// A Severity says whether a finding fails the check: [Error] or [Warning].
type Severity = drift.Severity

// The severities.
const (
	Error   = drift.Error
	Warning = drift.Warning
)

// A Finding is one difference between the model and the database, or one
// way an application query would fail. It has at least a Code (stable,
// kebab-case), a Severity, the Object it is about
// (public.role_permissions.permission_id, query:resolve_user_permissions),
// a one-line Message, a Hint that says how to fix it, and the model
// position (File, Line, Column). Suppressed is set when a waiver of the
// model accepts it.
type Finding = drift.Finding

// A FailLevel is the least severity that fails a check.
type FailLevel = report.FailLevel

// The fail levels.
const (
	FailOnError   = report.FailOnError   // error findings fail the check (the default)
	FailOnWarning = report.FailOnWarning // warnings fail it too
	FailNever     = report.FailNever     // nothing fails it
)

// Options shape a [Check]. The zero value is the command's defaults.
type Options struct {
	// RunAs, when set, dry-runs the model's queries as this role instead of
	// the model's run_as; the connecting user must be able to SET ROLE to it.
	RunAs string
	// Timeout bounds every statement (statement_timeout; lock_timeout is
	// half of it); the whole check ends within it plus 2s. Default 30s.
	Timeout time.Duration
	// SkipQueries leaves out the dry run of the model's queries.
	SkipQueries bool
	// FailOn is the least severity that makes [Report.Failed] true; the zero
	// value is FailOnError.
	FailOn FailLevel
}

// A Report is what [Check] found.
type Report struct {
	// Findings holds every finding, waived ones included, in three groups:
	// first the migrations findings (a migration that has not run is the
	// root cause other findings name in ExplainedBy), then every finding
	// that is not about a query (tables, enums, functions, sequences, roles,
	// expired waivers), then the queries' findings. Within a group they are
	// ordered by file, line and column (a finding without a position comes
	// first), then by object, then by code.
	Findings []*Finding
	// ServerVersion is the server's version, e.g. "15.20".
	ServerVersion string
	// InRecovery is set when the server is a hot standby.
	InRecovery bool

	rep *report.Report
}

// Failed reports whether a finding that no waiver accepts reaches the fail
// level of the check's options. The zero Report has no finding: it has not
// failed.
func (r *Report) Failed() bool { return len(r.Failing()) > 0 }

// Failing returns the findings that make the check fail (at FailOnError
// for the zero Report).
func (r *Report) Failing() []*Finding {
	var level FailLevel
	if r.rep != nil {
		level = r.rep.FailOn
	}
	var out []*Finding
	for _, f := range r.Findings {
		if level.Fails(f) {
			out = append(out, f)
		}
	}
	return out
}

// WriteJSON writes the report as the command's --format json does; the
// zero Report as a report of no finding, without a model or a target.
func (r *Report) WriteJSON(w io.Writer) error {
	rep := r.rep
	if rep == nil {
		rep = report.New("", report.Target{}, report.Checked{}, r.Findings)
	}
	return report.JSON(w, rep)
}

// ErrBusy means the connection given to [Check] is in a transaction.
var ErrBusy = errors.New("rbacdrift: the connection is in a transaction; Check needs an idle connection")

// Check checks the database conn is connected to against m. See the package
// documentation for what it sends and what it leaves behind (nothing). An
// error means the check could not be done; drift is in the report.
func Check(ctx context.Context, conn *pgx.Conn, m *Model, opts Options) (*Report, error) {
	if conn == nil || m == nil || m.m == nil {
		return nil, errors.New("rbacdrift: Check needs a connection and a model from LoadModel")
	}
	if conn.IsClosed() {
		return nil, errors.New("rbacdrift: the connection is closed")
	}
	if conn.PgConn().TxStatus() != 'I' {
		return nil, ErrBusy
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 30 * time.Second
	}
	if opts.FailOn == "" {
		opts.FailOn = FailOnError
	}
	switch opts.FailOn {
	case FailOnError, FailOnWarning, FailNever:
	default:
		return nil, fmt.Errorf("rbacdrift: unknown fail level %q", opts.FailOn)
	}
	// The server's own limits end a slow statement first, which leaves the
	// connection usable; the context is the backstop.
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout+check.Grace)
	defer cancel()
	s := pgsession.NewSession(conn, pgsession.Options{Timeout: opts.Timeout})
	// The same pipeline as the command's: the model's migrations section
	// included, so the same model names the same root causes.
	res, err := check.Check(ctx, s, m.m, check.CheckOptions{RunAs: opts.RunAs, SkipQueries: opts.SkipQueries})
	if err != nil {
		return nil, fmt.Errorf("rbacdrift: checking %s: %w", m.path, err)
	}
	rep := res.Report(m.path)
	rep.FailOn = opts.FailOn
	srv := res.Catalog.Server
	return &Report{Findings: res.Findings, ServerVersion: srv.Version, InRecovery: srv.InRecovery, rep: rep}, nil
}
