package check

import (
	"context"
	"strings"
	"time"

	"github.com/rbacdrift/rbacdrift/drift"
	"github.com/rbacdrift/rbacdrift/drift/report"
	"github.com/rbacdrift/rbacdrift/internal/dryrun"
	"github.com/rbacdrift/rbacdrift/internal/pgsession"
	"github.com/rbacdrift/rbacdrift/introspect"
	"github.com/rbacdrift/rbacdrift/introspect/catalog"
	"github.com/rbacdrift/rbacdrift/spec"
)

// Grace is the time a run is given beyond its timeout to roll back, close
// and report: the server's own limits (statement_timeout) end a slow
// statement within the timeout, and the context, set to the timeout plus
// Grace, is the backstop.
const Grace = 2 * time.Second

// CheckOptions shape [Check].
type CheckOptions struct {
	// RunAs, when set, replaces the model's default run_as in the dry run.
	RunAs string
	// SkipQueries leaves the model's queries out: no dry run.
	SkipQueries bool
	// Today dates the waivers; the zero time means now.
	Today time.Time
	// Schemas, when set, are globs of tenant schemas: the model's unqualified
	// tables, enums and functions are checked in each matching schema, and
	// its queries run with that schema first on the search_path.
	Schemas []string
	// Migrations overrides the model's migrations section (see
	// [MigrationOptions.Resolve]); nil keeps it. With either, the check
	// compares the application's migrations folder with the tool's history
	// table and links the findings a migration that has not run explains to
	// it.
	Migrations *MigrationOptions
}

// A CheckResult is what [Check] found.
type CheckResult struct {
	Catalog *catalog.Catalog
	// Findings holds every finding, sorted with [drift.Sort], with the model's
	// waivers applied (a waived finding stays, marked suppressed).
	Findings []*drift.Finding
	// Queries is the number of queries dry-run.
	Queries int
	// Path says how the session kept itself read-only.
	Path pgsession.Path
	// Schemas are the tenant schemas checked, with CheckOptions.Schemas.
	Schemas []string
	// Migrations is set when the migrations folder was compared.
	Migrations bool
	// Subjects names everything checked, as findings name their subject
	// (see [drift.Subjects]), so that reports list what passed too.
	Subjects []string
	// Target describes the database checked, without a password.
	Target report.Target

	tables, enums int // declared in the model
}

// Report returns the report of the check, as every format renders it, for
// the model file modelFile. It is the one place a check's report is built:
// the command, the Go API and each target of a fleet call it. The fail
// level is the report's zero value ([report.FailOnError]) until the caller
// sets FailOn.
func (r *CheckResult) Report(modelFile string) *report.Report {
	checked := report.Checked{Tables: r.tables, Enums: r.enums, Queries: r.Queries,
		Migrations: r.Migrations, Schemas: r.Schemas, Subjects: r.Subjects}
	return report.New(modelFile, r.Target, checked, r.Findings)
}

// Check is the whole check of a database against a model, in this order:
//
//  1. the catalog: one read-only unit with every catalog query the model
//     needs ([introspect.Load]);
//  2. the declared types: one read-only unit that describes SELECT $1::t, ...
//     ([introspect.ResolveTypes]);
//  3. the comparison ([drift.Compare]), which touches nothing;
//  4. the dry run of the model's queries, each in its own read-only
//     transaction ([dryrun.Run]), unless opts.SkipQueries;
//  5. with the model's migrations section or opts.Migrations, the
//     migrations folder against the tool's history table, read in one READ
//     ONLY transaction; a migration that has not run becomes the root cause
//     (ExplainedBy) of the findings it explains;
//  6. unless opts.SkipQueries, the impact: each finding on a table or column lists the queries that
//     depend on it (Finding.Affects), and one that makes a query fail or do
//     nothing (a sequence it resolves with pg_get_serial_sequence that the
//     column no longer owns, a key its ON CONFLICT needs, a column type its
//     returns read) is an error that names the query;
//  7. the waivers ([drift.ApplyWaivers]).
//
// Every unit of work is a READ ONLY transaction with its own SET LOCAL
// limits that ends with ROLLBACK, so s may be a connection through a
// transaction pooler, or a caller's connection, which is left as it was. An
// error means the check could not be done (the connection broke, the
// catalog refused a read, the context ended, the migrations folder cannot
// be read: a [*MigrationError]); drift is in the findings.
func Check(ctx context.Context, s *pgsession.Session, m *spec.Model, opts CheckOptions) (*CheckResult, error) {
	migs, err := opts.Migrations.Resolve(m)
	if err != nil {
		return nil, err
	}
	var c *Compared
	var tenants []tenantGroup
	var schemas []string
	if len(opts.Schemas) > 0 {
		schemas, tenants, c, err = compareTenants(ctx, s, m, opts.Schemas)
	} else {
		c, err = CompareAs(ctx, s, m, opts.RunAs)
	}
	if err != nil {
		return nil, err
	}
	cat, findings := c.Catalog, c.Findings

	queries := 0
	if !opts.SkipQueries && len(m.Queries) > 0 {
		var qf []*drift.Finding
		if tenants != nil {
			qf, err = dryRunTenants(ctx, s, tenants, opts.RunAs)
		} else {
			qf, err = dryrun.Run(ctx, s, dryrun.Input{Model: m, Catalog: cat, Types: c.Types, RunAs: opts.RunAs})
		}
		if err != nil {
			return nil, err
		}
		findings = append(findings, qf...)
		queries = len(m.Queries)
	}
	if migs != nil {
		mfs, err := checkMigrations(ctx, s, migs)
		if err != nil {
			return nil, err
		}
		findings = append(findings, migrationFindings(m, findings, mfs)...)
	}
	direct(m, findings, migs != nil)
	if !opts.SkipQueries {
		// Queries left out of the run (--no-queries) are not named either.
		uses := readQueries(m)
		linkQueries(uses, findings)
		escalate(m, uses, findings)
	}
	drift.Sort(findings)

	today := opts.Today
	if today.IsZero() {
		today = time.Now()
	}
	findings = drift.ApplyWaivers(findings, m.Ignore, today)
	path := pgsession.PathOf(s, cat.Server.ReadOnlyGuard)
	res := &CheckResult{Catalog: cat, Findings: findings, Queries: queries, Path: path, Migrations: migs != nil,
		Target: targetOf(s, cat.Server, path), tables: len(m.Tables), enums: len(m.Enums)}
	if migs != nil {
		res.Subjects = append(res.Subjects, drift.MigrationSubject)
	}
	models := []*spec.Model{m}
	if tenants != nil {
		models = models[:0]
		res.Schemas = schemas
		for _, sc := range schemas {
			models = append(models, tenantModel(m, sc))
		}
	}
	seen := map[string]bool{}
	for _, tm := range models {
		for _, subj := range drift.Subjects(tm) {
			if !seen[subj] && (queries > 0 || !strings.HasPrefix(subj, drift.QuerySubject(""))) {
				seen[subj] = true
				res.Subjects = append(res.Subjects, subj)
			}
		}
	}
	return res, nil
}

// targetOf describes the database s is connected to, as the report shows
// it: the host and port it was given, what the server says of itself.
func targetOf(s *pgsession.Session, srv catalog.Server, p pgsession.Path) report.Target {
	host, port := s.Addr()
	t := report.Target{Host: host, Port: int(port), Database: srv.Database, User: srv.User,
		ServerVersion: srv.Version, InRecovery: srv.InRecovery, StartupSettings: p.Startup}
	if srv.ReplayLag != nil {
		secs := srv.ReplayLag.Seconds()
		t.ReplayLagSeconds = &secs
	}
	return t
}

// Compared is what the first three steps of [Check] give.
type Compared struct {
	Catalog *catalog.Catalog
	// Types is the server's reading of every declared type name; UnknownTypes
	// the names it does not know, with its message.
	Types        map[string]catalog.Type
	UnknownTypes map[string]string
	// Findings holds the comparison's findings, sorted, without waivers.
	Findings []*drift.Finding
}

// Compare reads the catalog and the declared types for m and compares, in
// two round trips whatever the size of the model, and a third when it has
// serial or identity columns whose maxima are read
// ([introspect.ReadColumnMaxima]): steps 1 to 3 of [Check].
func Compare(ctx context.Context, s *pgsession.Session, m *spec.Model) (*Compared, error) {
	return CompareAs(ctx, s, m, "")
}

// CompareAs is [Compare] with runAs, when set, in place of the model's
// run_as: the role whose row-level security, policies and memberships the
// catalog read judges, in the same round trip.
func CompareAs(ctx context.Context, s *pgsession.Session, m *spec.Model, runAs string) (*Compared, error) {
	req := drift.Request(m)
	if runAs != "" {
		req.RunAs = runAs
	}
	cat, err := introspect.Load(ctx, s, req)
	if err != nil {
		return nil, err
	}
	if err := introspect.ReadColumnMaxima(ctx, s, cat); err != nil {
		return nil, err
	}
	types, unknown, err := resolveTypes(ctx, s, m)
	if err != nil {
		return nil, err
	}
	fs := drift.Compare(drift.Input{Model: m, Catalog: cat, Types: types, UnknownTypes: unknown, RunAs: runAs})
	return &Compared{Catalog: cat, Types: types, UnknownTypes: unknown, Findings: fs}, nil
}

// resolveTypes reads every declared type of m on the server: the server's
// reading, and the names it does not know with its message.
func resolveTypes(ctx context.Context, s *pgsession.Session, m *spec.Model) (map[string]catalog.Type, map[string]string, error) {
	declared := drift.DeclaredTypes(m)
	asked := drift.AskedTypes(m, declared)
	known, unknown, err := introspect.ResolveTypes(ctx, s, asked)
	if err != nil {
		return nil, nil, err
	}
	types, unknownByDecl := map[string]catalog.Type{}, map[string]string{}
	for i, t := range declared {
		if k, ok := known[asked[i]]; ok {
			types[t] = k
		} else if msg, ok := unknown[asked[i]]; ok {
			unknownByDecl[t] = msg
		}
	}
	return types, unknownByDecl, nil
}
