package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/rbacdrift/rbacdrift/drift/report"
	"github.com/rbacdrift/rbacdrift/internal/migrations"
)

// This file declares every flag of every command once: its name as users
// type it, the old spellings it still accepts, its help text and what its
// value may be; and, per command, one table of rules between flags (one
// requires another, two exclude each other). [command.parse] checks them
// all in one place, before anything is read or connected, and the help of
// each command is written from the same table.

// A flagDef declares one flag. Exactly one of the value pointers is set;
// its value when the flag set is built is the flag's default.
type flagDef struct {
	name    string   // as users type it, without the dashes
	aliases []string // old spellings: accepted, never shown in help
	arg     string   // the value's placeholder in help (URL, FILE); "" for a switch
	help    string   // one paragraph; the help wraps it

	str *string
	on  *bool
	dur *time.Duration
	num *int
	val flag.Value

	// nonEmpty refuses an empty value (--run-as ''): an unset CI variable
	// must not silently mean the default. A list flag is empty when it
	// holds no item (--schemas ,).
	nonEmpty bool
	list     bool     // a comma-separated list
	oneOf    []string // the values it takes, when they are a closed set
	min      int      // for num: the least value
	// check says what is wrong with a given string value; nil when nothing is.
	check func(string) error
}

// maxTimeout is the longest --timeout the server takes: statement_timeout
// is an int of milliseconds.
const maxTimeout = math.MaxInt32 * time.Millisecond

// A rule relates two flags of a command.
type rule struct {
	flag string
	// requires: flag is refused unless this one is given too.
	requires string
	// conflicts: flag is refused when this one is given too.
	conflicts string
	hint      string
}

// A command is one subcommand's flags, rules and help.
type command struct {
	name  string
	head  string // the help above the flags: usage lines and what it does
	flags []*flagDef
	rules []rule
	width int  // the column where flag help starts
	args  bool // takes arguments after the flags (validate's files)

	set  map[string]bool // the flags given, by their name (aliases resolved)
	rest []string        // the arguments after the flags
}

// usage returns the command's help: its head, then every flag that is not
// an alias, with its help wrapped.
func (c *command) usage() string {
	var b strings.Builder
	b.WriteString(c.head)
	if len(c.flags) == 0 {
		return b.String()
	}
	b.WriteString("\nFlags:\n")
	indent := strings.Repeat(" ", c.width)
	for _, d := range c.flags {
		left := "  --" + d.name
		if d.arg != "" {
			left += " " + d.arg
		}
		first := true
		if len(left) < c.width {
			b.WriteString(left + strings.Repeat(" ", c.width-len(left)))
		} else {
			b.WriteString(left + "\n" + indent)
		}
		for _, line := range wrap(d.help, helpColumns-c.width) {
			if !first {
				b.WriteString(indent)
			}
			b.WriteString(line + "\n")
			first = false
		}
	}
	return b.String()
}

// helpColumns is the width of the help texts.
const helpColumns = 79

// wrap breaks text into lines of at most width columns, at spaces.
func wrap(text string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(text) {
		switch {
		case line == "":
			line = w
		case len(line)+1+len(w) <= width:
			line += " " + w
		default:
			lines = append(lines, line)
			line = w
		}
	}
	return append(lines, line)
}

// flagSet builds the command's flag set from its table: every flag under
// its name and each of its aliases. It prints nothing itself: parse
// reports errors in rbacdrift's voice, with a hint.
func (c *command) flagSet() *flag.FlagSet {
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	for _, d := range c.flags {
		for _, name := range append([]string{d.name}, d.aliases...) {
			switch {
			case d.str != nil:
				fs.StringVar(d.str, name, *d.str, "")
			case d.on != nil:
				fs.BoolVar(d.on, name, *d.on, "")
			case d.dur != nil:
				fs.DurationVar(d.dur, name, *d.dur, "")
			case d.num != nil:
				fs.IntVar(d.num, name, *d.num, "")
			case d.val != nil:
				fs.Var(d.val, name, "")
			default:
				panic("flag --" + d.name + " has no value")
			}
		}
	}
	return fs
}

// def returns the declaration of the flag called name, or of which name is
// an alias; nil when there is none.
func (c *command) def(name string) *flagDef {
	for _, d := range c.flags {
		if d.name == name || slices.Contains(d.aliases, name) {
			return d
		}
	}
	return nil
}

// given reports whether the flag called name (or one of its aliases) was
// on the command line.
func (c *command) given(name string) bool { return c.set[name] }

// parse parses args against the table and checks every value and rule. It
// prints the first problem with a hint and returns the exit code to use;
// -1 when the command may run.
func (c *command) parse(args []string, stdout, stderr io.Writer) int {
	fs := c.flagSet()
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(stdout, c.usage())
		return exitOK
	case err != nil:
		// The flag package names flags with one dash; users type two.
		msg := strings.NewReplacer("for flag -", "for flag --", "defined: -", "defined: --", "argument: -", "argument: --").Replace(err.Error())
		errorf(stderr, c.name, msg, fmt.Sprintf("run 'rbacdrift help %s' for the flags", c.name))
		return exitUsage
	case fs.NArg() > 0 && !c.args:
		errorf(stderr, c.name, fmt.Sprintf("unexpected argument %q", fs.Arg(0)),
			fmt.Sprintf("flags come as --name value; run 'rbacdrift help %s'", c.name))
		return exitUsage
	}
	c.rest = fs.Args()
	c.set = map[string]bool{}
	fs.Visit(func(f *flag.Flag) { c.set[c.def(f.Name).name] = true })
	for _, d := range c.flags {
		if msg, hint := c.checkValue(d); msg != "" {
			errorf(stderr, c.name, msg, hint)
			return exitUsage
		}
	}
	for _, r := range c.rules {
		if !c.given(r.flag) {
			continue
		}
		switch {
		case r.requires != "" && !c.given(r.requires):
			errorf(stderr, c.name, fmt.Sprintf("--%s goes with --%s", r.flag, r.requires), r.hint)
			return exitUsage
		case r.conflicts != "" && c.given(r.conflicts):
			errorf(stderr, c.name, fmt.Sprintf("--%s and --%s are given together", r.flag, r.conflicts), r.hint)
			return exitUsage
		}
	}
	return -1
}

// checkValue returns what is wrong with a flag's value, and a hint; "" when
// nothing is. Defaults are the table's own and are not checked, except
// where they could not be wrong anyway.
func (c *command) checkValue(d *flagDef) (msg, hint string) {
	given := c.given(d.name)
	switch {
	case d.str != nil && given && d.nonEmpty && (*d.str == "" || d.list && len(splitList(*d.str)) == 0):
		return fmt.Sprintf("--%s is empty", d.name), fmt.Sprintf("give --%s %s, or leave it out", d.name, d.arg)
	case d.str != nil && d.oneOf != nil && !slices.Contains(d.oneOf, *d.str) && (given || *d.str != ""):
		return fmt.Sprintf("unknown --%s %q", d.name, *d.str), fmt.Sprintf("--%s takes %s", d.name, strings.Join(d.oneOf, ", "))
	case d.dur != nil && *d.dur <= 0:
		return fmt.Sprintf("--%s must be positive, got %s", d.name, *d.dur), fmt.Sprintf("give a duration such as --%s 30s or 2m", d.name)
	case d.dur != nil && *d.dur > maxTimeout:
		return fmt.Sprintf("--%s %s is longer than the server can bound a statement (%s)", d.name, *d.dur, maxTimeout),
			"statement_timeout holds at most 2147483647 milliseconds; give a shorter duration"
	case d.str != nil && given && d.check != nil:
		if err := d.check(*d.str); err != nil {
			return fmt.Sprintf("--%s: %v", d.name, err), fmt.Sprintf("run 'rbacdrift help %s' for what --%s takes", c.name, d.name)
		}
	case d.num != nil && *d.num < d.min:
		return fmt.Sprintf("--%s must be at least %d, got %d", d.name, d.min, *d.num), ""
	}
	return "", ""
}

// dbHelp is --db's help, shared by check and snapshot.
const dbHelp = "the database: postgres://user@host:5432/db?sslmode=require, a socket (postgres:///db?host=/var/run/postgresql) or libpq key=value pairs. Default: $DATABASE_URL, else the libpq environment (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE, PGSSLMODE, ~/.pgpass)."

// command declares the flags of check, bound to f. An empty --db is
// allowed: it means the environment, as leaving it out does.
func (f *checkFlags) command() *command {
	f.spec, f.timeout, f.parallel = "rbacdrift.yaml", 30*time.Second, 4
	f.out.format, f.out.failOn = "text", string(report.FailOnError)
	tools := migrations.Names()
	return &command{
		name:  "check",
		width: 19,
		head: `Usage: rbacdrift check [--db URL] [--spec FILE] [flags]
       rbacdrift check [--db URL] --from-drizzle CONFIG [--spec FILE] [flags]

Compares a live PostgreSQL database with the declared RBAC model and reports
every difference. The session is read-only; nothing is ever written.
`,
		flags: []*flagDef{
			{name: "db", arg: "URL", str: &f.db, help: dbHelp},
			{name: "spec", arg: "FILE", str: &f.spec, nonEmpty: true, help: "the model file (default rbacdrift.yaml)"},
			{name: "format", arg: "FORMAT", str: &f.out.format, oneOf: formatNames,
				help: "the report on standard output: text, json, junit, sarif, github (workflow commands; with $GITHUB_STEP_SUMMARY set, a Markdown job summary is appended to it) or markdown (default text)"},
			{name: "report", arg: "FORMAT=FILE", val: &f.out.reports,
				help: "also write a report in FORMAT to FILE; repeatable: --report sarif=rbacdrift.sarif --report junit=rbacdrift.xml"},
			{name: "fail-on", arg: "LEVEL", str: &f.out.failOn, oneOf: []string{"error", "warning", "never"},
				help: "the least severity that fails the run with exit 1: error, warning or never (default error); waived findings never do"},
			{name: "run-as", arg: "ROLE", str: &f.queries.runAs, nonEmpty: true,
				help: "dry-run the model's queries as ROLE instead of the model's run_as (role names often differ between staging and production); the connecting user must be able to SET ROLE"},
			{name: "no-queries", on: &f.queries.skip, help: "skip the dry run of the model's queries"},
			{name: "migrations", arg: "DIR", str: &f.mig.Dir, nonEmpty: true,
				help: "compare the application's migrations folder with the migration tool's history table, and name the migration that has not run as the root cause of what it explains (default: the model's migrations.dir)"},
			{name: "migrations-tool", arg: "NAME", str: &f.mig.Tool, nonEmpty: true, oneOf: tools,
				help: "the tool (" + strings.Join(tools, ", ") + "); detected from the folder when not given"},
			{name: "migrations-table", arg: "[SCHEMA.]TABLE", str: &f.migTable, nonEmpty: true,
				help: "the tool's history table, when it is not the default"},
			{name: "tenants", aliases: []string{"schemas"}, arg: "GLOB[,GLOB]", str: &f.schemas, nonEmpty: true, list: true,
				help: "tenant schemas: check the model's unqualified tables, enums and queries in every schema that matches, e.g. 'tenant_*'; identical drift is summarised in text and Markdown, listed in full in JSON"},
			{name: "targets", arg: "FILE", str: &f.targets, nonEmpty: true,
				help: "check every database of a YAML list of { name, db, run_as, schemas } instead of --db; db may hold ${VARIABLE}s of the environment; one report for all, the exit code of the worst target"},
			{name: "parallel", arg: "N", num: &f.parallel, min: 1, help: "targets checked at once, with --targets (default 4)"},
			{name: "shard", arg: "K/N", str: &f.shard, nonEmpty: true, check: checkShard,
				help: "with --targets, only the K-th of N shards (a stable partition by name), to split a fleet across CI jobs; index=I,count=N is the same counted from 0, as a Kubernetes Indexed Job's $JOB_COMPLETION_INDEX is"},
			{name: "timeout", arg: "DUR", dur: &f.timeout,
				help: "bound on the whole run: connecting, every statement and the dry run end within it, plus 2s to report (default 30s)"},
			{name: "verbose", on: &f.verbose,
				help: "say on standard error how the session kept itself read-only (startup settings, or read-only transactions alone behind a connection pooler)"},
			{name: "from-drizzle", arg: "PATH", str: &f.from.drizzle, nonEmpty: true,
				help: "take the tables and enums from the application's drizzle code: a drizzle.config.(ts|js|mjs|json) or its project folder (the project's installed drizzle-kit export runs, and its SQL is applied to a scratch PostgreSQL), or a drizzle-kit output folder; with no --spec there is no model file, with --spec the file is layered over them"},
			{name: "from-prisma", arg: "FILE", str: &f.from.prisma, nonEmpty: true,
				help: "take the tables and enums from the schema.prisma FILE, as --from-drizzle"},
			{name: "from-migrations", arg: "DIR", str: &f.from.migrations, nonEmpty: true,
				help: "take the tables and enums from the SQL migrations of DIR, applied to a scratch PostgreSQL (--migrations-tool names their tool), as --from-drizzle"},
			{name: "dev-db", arg: "URL", str: &f.from.devDB, nonEmpty: true,
				help: "with --from-drizzle PROJECT or --from-migrations: no throwaway cluster; replay the SQL in a temporary database on this server (its role needs CREATEDB)"},
		},
		rules: []rule{
			{flag: "from-drizzle", conflicts: "from-prisma", hint: "take the tables from one of them"},
			{flag: "from-drizzle", conflicts: "from-migrations", hint: "take the tables from one of them"},
			{flag: "from-prisma", conflicts: "from-migrations", hint: "take the tables from one of them"},
			{flag: "dev-db", conflicts: "from-prisma", hint: "a schema.prisma is read without a server; --dev-db goes with --from-drizzle PROJECT or --from-migrations"},
			{flag: "targets", conflicts: "db", hint: "--targets names every database to check; leave --db out"},
			{flag: "tenants", conflicts: "targets", hint: "give each target its tenant schemas in the --targets file (schemas:)"},
			{flag: "parallel", requires: "targets", hint: "--parallel says how many targets of --targets are checked at once; give --targets FILE, or leave --parallel out"},
			{flag: "shard", requires: "targets", hint: "give --targets FILE, the list of databases to split"},
		},
	}
}

// command declares the flags of snapshot, bound to f.
func (f *snapshotFlags) command() *command {
	f.schema, f.timeout = "public", 30*time.Second
	sqlTools := migrations.SQLNames()
	return &command{
		name:  "snapshot",
		width: 25,
		head: `Usage: rbacdrift snapshot [--db URL] [--schemas S] [--tables a,b]
                          [--match GLOB] [--grants-for ROLE,...]
                          [--functions GLOB] [--out FILE]
       rbacdrift snapshot --from-migrations DIR [--migrations-tool NAME]
                          [--dev-db URL [--dev-template NAME]] [...]
       rbacdrift snapshot --from-prisma FILE | --from-drizzle PATH [--out FILE]

Writes a model of a working database: every table and view of the schema
(or those chosen), with their columns, types as the server renders them,
nullability, defaults, keys, foreign keys, indexes, row-level security and
policies, and the enums they use. Checking the same database against it
finds nothing; keep it beside the application and edit it when a migration
lands. The session is read-only; nothing is ever written to the database.
`,
		flags: []*flagDef{
			{name: "db", arg: "URL", str: &f.db, help: "the database, as for check (default: $DATABASE_URL, else the libpq environment)"},
			{name: "schemas", aliases: []string{"schema"}, arg: "S[,S]", str: &f.schema, nonEmpty: true, list: true,
				help: "the schemas to take (default public); the first is the model's schema, tables of the others are qualified"},
			{name: "tables", arg: "a,b", str: &f.tables, nonEmpty: true, list: true, help: "only these tables or views (exact names)"},
			{name: "match", arg: "GLOB", str: &f.match, nonEmpty: true, help: "only relations whose name matches (* and ?), e.g. 'role*'"},
			{name: "grants-for", arg: "ROLE,...", str: &f.grantsFor, nonEmpty: true, list: true,
				help: "record the privileges these roles can use, inherited ones included (PUBLIC for PUBLIC); the application's role, typically"},
			{name: "functions", arg: "GLOB", str: &f.functions, nonEmpty: true,
				help: "also the functions whose name matches (* and ?), e.g. 'auth*', every overload, extensions' left out"},
			{name: "out", arg: "FILE", str: &f.out, nonEmpty: true, help: "write the model to FILE instead of standard output"},
			{name: "timeout", arg: "DUR", dur: &f.timeout, help: "bound on connecting and on every statement (default 30s)"},
			{name: "from-prisma", arg: "FILE", str: &f.fromPrisma, nonEmpty: true,
				help: "no database: the model of the tables Prisma Migrate creates for the schema.prisma FILE"},
			{name: "from-drizzle", arg: "PATH", str: &f.fromDrizzle, nonEmpty: true,
				help: "no database: the model of the application's drizzle code (a drizzle.config.(ts|js|mjs|json) or its project folder: the project's installed drizzle-kit export runs and its SQL is applied to a throwaway PostgreSQL), or of drizzle-kit's newest snapshot (a migrations folder with meta/_journal.json, or a snapshot JSON file)"},
			{name: "from-migrations", arg: "DIR", str: &f.fromMigrations, nonEmpty: true,
				help: "apply the SQL migrations of DIR, in the order their tool applies them, to a throwaway PostgreSQL started with the local initdb, snapshot it as with --db (the flags above apply), then throw it away"},
			{name: "migrations-tool", aliases: []string{"tool"}, arg: "NAME", str: &f.tool, nonEmpty: true, oneOf: migrations.Names(),
				help: "the tool of --from-migrations: " + strings.Join(sqlTools[:len(sqlTools)-1], ", ") + " or " + sqlTools[len(sqlTools)-1] +
					" (default: detected from the folder); the tools whose migrations are code are named, not run"},
			{name: "dev-db", arg: "URL", str: &f.devDB, nonEmpty: true,
				help: "with --from-migrations: no throwaway cluster; create a temporary database on this server (the URL names one to connect to, like postgres; its role needs CREATEDB and CREATEROLE), apply the migrations there, and drop it"},
			{name: "dev-template", arg: "NAME", str: &f.devTemplate, nonEmpty: true,
				help: "with --dev-db: the template of the temporary database (default: the server's default, template1, with what its platform put there)"},
		},
		rules: []rule{
			{flag: "from-migrations", conflicts: "from-prisma", hint: "derive the model from one of them"},
			{flag: "from-migrations", conflicts: "from-drizzle", hint: "derive the model from one of them"},
			{flag: "from-prisma", conflicts: "from-drizzle", hint: "derive the model from one of them"},
			{flag: "db", conflicts: "from-prisma", hint: "a model from the application's schema needs no database; check one against it with 'rbacdrift check'"},
			{flag: "db", conflicts: "from-drizzle", hint: "a model from the application's schema needs no database; check one against it with 'rbacdrift check'"},
			{flag: "db", conflicts: "from-migrations", hint: "--from-migrations applies them to a scratch database; --dev-db names a server to make it on, and 'rbacdrift check --db' compares a database with the model"},
			{flag: "migrations-tool", requires: "from-migrations", hint: "give the migrations folder with --from-migrations DIR"},
			{flag: "dev-db", requires: "from-migrations", hint: "give the migrations folder with --from-migrations DIR"},
			{flag: "dev-template", requires: "dev-db", hint: "the template is of the temporary database made on --dev-db URL"},
		},
	}
}

// validateCommand declares validate: no flag, files as arguments.
func validateCommand() *command {
	return &command{
		name: "validate",
		args: true,
		head: `Usage: rbacdrift validate FILE...

Checks model files offline, without a database: the YAML, every key and
value, names, types, and the query files each model names. Each problem is
printed as file:line:column: field: message. Prints nothing and exits 0 when
every file is clean, exits 2 otherwise: fit for a pre-commit hook.
`,
	}
}

// checkShard says what is wrong with a --shard value.
func checkShard(s string) error { _, err := parseShard(s); return err }

// outputFlagDefs declares --format, --report and --fail-on, bound to o, for
// the commands that write reports.
func outputFlagDefs(o *outputFlags) []*flagDef {
	o.format, o.failOn = "text", string(report.FailOnError)
	return []*flagDef{
		{name: "format", arg: "FORMAT", str: &o.format, oneOf: formatNames,
			help: "the report on standard output: text, json, junit, sarif, github or markdown (default text)"},
		{name: "report", arg: "FORMAT=FILE", val: &o.reports, help: "also write a report in FORMAT to FILE; repeatable"},
		{name: "fail-on", arg: "LEVEL", str: &o.failOn, oneOf: []string{"error", "warning", "never"},
			help: "the least severity that fails the run with exit 1: error, warning or never (default error)"},
	}
}

// mergeCommand declares the flags of merge, bound to o; the report files
// come after them.
func mergeCommand(o *outputFlags) *command {
	return &command{name: "merge", width: 19, head: mergeUsage, args: true, flags: outputFlagDefs(o)}
}

// command declares the flags of serve, bound to f.
func (f *serveFlags) command() *command {
	f.spec, f.listen, f.interval, f.timeout, f.parallel = "rbacdrift.yaml", "127.0.0.1:9187", 5*time.Minute, 30*time.Second, 4
	f.failOn = string(report.FailOnError)
	return &command{
		name: "serve", width: 19, head: serveUsage,
		flags: []*flagDef{
			{name: "db", arg: "URL", str: &f.db, help: "the database, as in check (default $DATABASE_URL, else the libpq environment)"},
			{name: "targets", arg: "FILE", str: &f.targets, nonEmpty: true,
				help: "watch every database of a YAML list of { name, db, run_as, schemas } instead of --db"},
			{name: "shard", arg: "K/N", str: &f.shard, nonEmpty: true, check: checkShard,
				help: "with --targets, only the K-th of N shards (or index=I,count=N, counted from 0)"},
			{name: "spec", arg: "FILE", str: &f.spec, nonEmpty: true, help: "the model file (default rbacdrift.yaml)"},
			{name: "listen", arg: "ADDR", str: &f.listen, nonEmpty: true,
				help: "the address to serve on (default 127.0.0.1:9187; :9187 for every interface, as in a container)"},
			{name: "interval", arg: "DUR", dur: &f.interval,
				help: "from the end of one check of a target to the start of the next, give or take 10% (default 5m)"},
			{name: "timeout", arg: "DUR", dur: &f.timeout, help: "bound on each check (default 30s)"},
			{name: "parallel", arg: "N", num: &f.parallel, min: 1, help: "checks at once, over all targets (default 4)"},
			{name: "fail-on", arg: "LEVEL", str: &f.failOn, oneOf: []string{"error", "warning", "never"},
				help: "the least severity that makes /readyz fail: error, warning or never (default error)"},
			{name: "run-as", arg: "ROLE", str: &f.queries.runAs, nonEmpty: true, help: "dry-run the model's queries as ROLE"},
			{name: "no-queries", on: &f.queries.skip, help: "skip the dry run of the model's queries"},
			{name: "tenants", aliases: []string{"schemas"}, arg: "GLOB[,GLOB]", str: &f.schemas, nonEmpty: true, list: true,
				help: "tenant schemas, as in check"},
		},
		rules: []rule{
			{flag: "targets", conflicts: "db", hint: "--targets names every database to watch; leave --db out"},
			{flag: "shard", requires: "targets", hint: "give --targets FILE, the list of databases to split"},
			{flag: "tenants", conflicts: "targets", hint: "give each target its tenant schemas in the --targets file (schemas:)"},
		},
	}
}
