// Command run is rbacdrift's benchmark runner, what `make bench` runs (through
// bench/bench.sh, which installs hyperfine first). It
//
//  1. builds two databases on the server of RBACDRIFT_BENCH_URL, unless they
//     are already there with the same generator version in their comment:
//     rbacdrift_bench_big (the synthetic catalog of bench/synth, 10,000
//     tables over 10 schemas, plus the RBAC tables of
//     testdata/reference/normalised.sql) and rbacdrift_bench_small (the RBAC
//     tables only); bench/rbac_role.sql creates the application role of the
//     bench model and its grants in both;
//  2. builds bin/rbacdrift-bench and checks that every measured command
//     succeeds (the bench model is clean on both databases);
//  3. times every command side by side in one hyperfine run (median of
//     -runs runs after warm-up runs), and measures each one's peak memory
//     with /usr/bin/time -v (median of -rss-runs runs);
//  4. writes the results between the bench markers of BENCHMARKS.md, with
//     the machine, the database sizes and the exact commands, keeping the
//     hand-written text around them.
//
// With -clean it drops both databases and the role instead.
//
// Without hyperfine the times come from /usr/bin/time -v too (its elapsed
// wall clock, 10 ms resolution); BENCHMARKS.md says which tool measured.
package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/rbacdrift/rbacdrift/bench/synth"
)

const (
	defaultURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	bigDB      = "rbacdrift_bench_big"
	smallDB    = "rbacdrift_bench_small"
	appRole    = "rbacdrift_bench_app"

	beginMarker = "<!-- bench:begin -->"
	endMarker   = "<!-- bench:end -->"
)

// rbacTables are the five tables of the bench model, as pg_dump -t takes them.
var rbacTables = []string{"public.users", "public.roles", "public.permissions", "public.user_roles", "public.role_permissions"}

// bigConfig is the synthetic catalog of the big database.
var bigConfig = synth.Config{Schemas: 10, Tables: 10000}

// modelConfig is the synthetic model checked against the big database: the
// first 100 tables of each schema.
var modelConfig = synth.Config{Schemas: 10, Tables: 1000}

type options struct {
	adminURL string
	runs     int
	warmup   int
	rssRuns  int
	out      string
	clean    bool
	rebuild  bool
	workers  int
}

func main() {
	o := options{}
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.IntVar(&o.runs, "runs", envInt("RBACDRIFT_BENCH_RUNS", 10), "timed runs per command (median)")
	fs.IntVar(&o.warmup, "warmup", 1, "untimed runs per command before timing")
	fs.IntVar(&o.rssRuns, "rss-runs", 3, "runs per command under /usr/bin/time -v (median peak RSS)")
	fs.StringVar(&o.out, "out", "BENCHMARKS.md", "file to write the results to")
	fs.BoolVar(&o.clean, "clean", false, "drop the bench databases and role, then exit")
	fs.BoolVar(&o.rebuild, "rebuild", false, "rebuild the bench databases even when they are current")
	fs.IntVar(&o.workers, "workers", max(2, runtime.NumCPU()), "psql sessions that build the big database at the same time")
	if err := fs.Parse(os.Args[1:]); err != nil {
		os.Exit(2)
	}
	o.adminURL = os.Getenv("RBACDRIFT_BENCH_URL")
	if o.adminURL == "" {
		o.adminURL = defaultURL
	}
	if err := run(context.Background(), o); err != nil {
		fmt.Fprintf(os.Stderr, "bench: %v\n", err)
		os.Exit(1)
	}
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
}

func run(ctx context.Context, o options) error {
	if _, err := os.Stat("go.mod"); err != nil {
		return errors.New("run from the repository root (make bench)")
	}
	admin, err := pgx.Connect(ctx, o.adminURL)
	if err != nil {
		return fmt.Errorf("connecting to %s (set RBACDRIFT_BENCH_URL to a superuser postgres:// URL): %w", redact(o.adminURL), err)
	}
	defer admin.Close(ctx)
	if o.clean {
		for _, db := range []string{bigDB, smallDB} {
			logf("dropping database %s", db)
			if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{db}.Sanitize()+" WITH (FORCE)"); err != nil {
				return fmt.Errorf("dropping %s: %w", db, err)
			}
		}
		logf("dropping role %s", appRole)
		if _, err := admin.Exec(ctx, "DROP ROLE IF EXISTS "+appRole); err != nil {
			return fmt.Errorf("dropping role %s: %w", appRole, err)
		}
		return nil
	}
	for _, tool := range []string{"psql", "pg_dump", "go"} {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("%s is not on PATH (Debian: apt-get install postgresql-client golang)", tool)
		}
	}
	if _, err := os.Stat("/usr/bin/time"); err != nil {
		return errors.New("/usr/bin/time is missing; it measures peak memory (Debian: apt-get install time)")
	}

	started := time.Now()
	loadBefore := loadAverage()
	for _, d := range []struct {
		name string
		cfg  *synth.Config
	}{{smallDB, nil}, {bigDB, &bigConfig}} {
		if err := ensureDB(ctx, admin, o, d.name, d.cfg); err != nil {
			return err
		}
	}
	bigURL, smallURL := dbURL(o.adminURL, bigDB), dbURL(o.adminURL, smallDB)

	if err := os.MkdirAll("bench/results", 0o755); err != nil {
		return err
	}
	bin := "bin/rbacdrift-bench"
	logf("building %s", bin)
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/rbacdrift").CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %v\n%s", err, out)
	}
	modelFile := "bench/results/synth-1000.yaml"
	if err := writeFile(modelFile, func(w io.Writer) error { return synth.WriteModel(w, modelConfig) }); err != nil {
		return err
	}

	help, _ := exec.Command(bin, "help").Output()
	hasSnapshot := bytes.Contains(help, []byte("snapshot"))
	cases := benchCases(bin, bigURL, smallURL, modelFile, hasSnapshot)

	dryRun := false
	for _, c := range cases {
		out, err := exec.Command(c.argv[0], c.argv[1:]...).CombinedOutput()
		if err != nil {
			return fmt.Errorf("%s failed before timing (%v); it must succeed:\n$ %s\n%s", c.name, err, shellJoin(c.argv), out)
		}
		if c.id == "check-small" {
			dryRun = dryRunRan(bin, smallURL)
		}
	}

	var times map[string]timing
	tool := "hyperfine"
	if _, err := exec.LookPath("hyperfine"); err == nil {
		times, err = hyperfine(cases, o)
		if err != nil {
			return err
		}
	} else {
		tool = "/usr/bin/time -v (hyperfine not found)"
		logf("hyperfine not found: timing with /usr/bin/time -v")
	}
	rss := map[string]rssResult{}
	for _, c := range cases {
		r, elapsed, err := peakRSS(c, max(o.rssRuns, 1))
		if err != nil {
			return err
		}
		rss[c.id] = r
		if times == nil || times[c.id].Runs == 0 {
			if times == nil {
				times = map[string]timing{}
			}
			times[c.id] = timingOf(elapsed)
		}
	}

	m := machine(ctx, admin, bigURL)
	m.LoadBefore = loadBefore
	section := render(o, m, cases, times, rss, tool, dryRun, hasSnapshot, time.Since(started))
	if err := writeSection(o.out, section); err != nil {
		return err
	}
	fmt.Print(section)
	logf("wrote %s", o.out)
	return nil
}

// A benchCase is one measured command.
type benchCase struct {
	id, name string
	argv     []string
}

func benchCases(bin, bigURL, smallURL, modelFile string, hasSnapshot bool) []benchCase {
	dumpT := func(u string) []string {
		argv := []string{"pg_dump", "--schema-only", "--no-password", "-d", u}
		for _, t := range rbacTables {
			argv = append(argv, "-t", t)
		}
		return argv
	}
	cs := []benchCase{
		{"check-small", "rbacdrift check, RBAC model, small database", []string{bin, "check", "--db", smallURL, "--spec", "bench/rbac.yaml"}},
		{"check-big", "rbacdrift check, RBAC model, big database", []string{bin, "check", "--db", bigURL, "--spec", "bench/rbac.yaml"}},
		{"check-synth", "rbacdrift check, 1,000-table model, big database", []string{bin, "check", "--db", bigURL, "--spec", modelFile}},
	}
	if hasSnapshot {
		schemas := make([]string, bigConfig.Schemas)
		for s := range schemas {
			schemas[s] = synth.SchemaName(s)
		}
		cs = append(cs, benchCase{"snapshot-big", "rbacdrift snapshot, all 10,000 tables, big database",
			[]string{bin, "snapshot", "--db", bigURL, "--schema", strings.Join(schemas, ",")}})
	}
	cs = append(cs,
		benchCase{"pgdump-t-small", "pg_dump --schema-only -t (5 tables), small database", dumpT(smallURL)},
		benchCase{"pgdump-t-big", "pg_dump --schema-only -t (5 tables), big database", dumpT(bigURL)},
		benchCase{"pgdump-big", "pg_dump --schema-only, whole big database", []string{"pg_dump", "--schema-only", "--no-password", "-d", bigURL}},
	)
	return cs
}

// dryRunRan reports whether this rbacdrift dry-runs the model's queries: its
// JSON report counts them.
func dryRunRan(bin, u string) bool {
	out, _ := exec.Command(bin, "check", "--db", u, "--spec", "bench/rbac.yaml", "--format", "json").Output()
	var rep struct {
		Checked struct {
			Queries int `json:"queries"`
		} `json:"checked"`
	}
	return json.Unmarshal(out, &rep) == nil && rep.Checked.Queries > 0
}

// ensureDB makes sure database name exists as this generator builds it.
func ensureDB(ctx context.Context, admin *pgx.Conn, o options, name string, cfg *synth.Config) error {
	marker, err := dbMarker(cfg)
	if err != nil {
		return err
	}
	var comment *string
	err = admin.QueryRow(ctx, "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1", name).Scan(&comment)
	exists := err == nil
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("looking for database %s: %w", name, err)
	}
	u := dbURL(o.adminURL, name)
	if exists && comment != nil && *comment == marker && !o.rebuild {
		logf("reusing database %s (%s)", name, marker)
		// The role is the server's, not the database's: make sure it is there.
		return psqlFile(u, "bench/rbac_role.sql")
	}
	start := time.Now()
	logf("building database %s (%s)", name, marker)
	q := pgx.Identifier{name}.Sanitize()
	if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+q+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("dropping %s: %w", name, err)
	}
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+q+" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'"); err != nil {
		return fmt.Errorf("creating %s: %w", name, err)
	}
	if cfg != nil {
		if err := buildSynth(u, *cfg, o.workers); err != nil {
			return fmt.Errorf("building %s: %w", name, err)
		}
	}
	for _, f := range []string{"testdata/reference/normalised.sql", "bench/rbac_role.sql"} {
		if err := psqlFile(u, f); err != nil {
			return fmt.Errorf("building %s: %w", name, err)
		}
	}
	// Autovacuum may be off, and a production catalog has statistics: give
	// the planner the ones it would have.
	if err := psqlCommand(u, "VACUUM (ANALYZE)"); err != nil {
		return fmt.Errorf("analysing %s: %w", name, err)
	}
	if _, err := admin.Exec(ctx, "COMMENT ON DATABASE "+q+" IS "+quoteLiteral(marker)); err != nil {
		return fmt.Errorf("marking %s: %w", name, err)
	}
	logf("built database %s in %s", name, time.Since(start).Round(time.Second))
	return nil
}

// dbMarker is the comment of a bench database: the generator version, the
// size and a digest of the SQL files, so that a change to any of them
// rebuilds it.
func dbMarker(cfg *synth.Config) (string, error) {
	h := sha256.New()
	for _, f := range []string{"testdata/reference/normalised.sql", "bench/rbac_role.sql"} {
		b, err := os.ReadFile(f)
		if err != nil {
			return "", err
		}
		h.Write(b)
	}
	size := "RBAC tables only"
	if cfg != nil {
		size = fmt.Sprintf("%d tables over %d schemas plus the RBAC tables", cfg.Tables, cfg.Schemas)
	}
	return fmt.Sprintf("%s: %s; sql %s", synth.Version, size, hex.EncodeToString(h.Sum(nil))[:12]), nil
}

// buildSynth builds the synthetic schemas with several psql sessions at
// once, each fed one schema script after another.
func buildSynth(u string, cfg synth.Config, workers int) error {
	workers = max(1, min(workers, cfg.Schemas))
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.Command("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", u)
			stdin, err := cmd.StdinPipe()
			if err != nil {
				errs[w] = err
				return
			}
			var stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = io.Discard, &stderr
			if err := cmd.Start(); err != nil {
				errs[w] = err
				return
			}
			var werr error
			for s := w; s < cfg.Schemas; s += workers {
				if werr = synth.WriteSchemaSQL(stdin, cfg, s, 200); werr != nil {
					break
				}
			}
			stdin.Close()
			if err := cmd.Wait(); err != nil {
				errs[w] = fmt.Errorf("psql: %v: %s", err, strings.TrimSpace(stderr.String()))
			} else if werr != nil {
				errs[w] = werr
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

func psqlFile(u, file string) error {
	out, err := exec.Command("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", u, "-f", file).CombinedOutput()
	if err != nil {
		return fmt.Errorf("psql -f %s: %v: %s", file, err, strings.TrimSpace(string(out)))
	}
	return nil
}

func psqlCommand(u, sql string) error {
	out, err := exec.Command("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", u, "-c", sql).CombinedOutput()
	if err != nil {
		return fmt.Errorf("psql -c %q: %v: %s", sql, err, strings.TrimSpace(string(out)))
	}
	return nil
}

// dbURL returns admin with its database replaced by name.
func dbURL(admin, name string) string {
	u, err := url.Parse(admin)
	if err != nil {
		return admin
	}
	u.Path = "/" + name
	return u.String()
}

func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func writeFile(path string, fn func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := fn(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// A timing summarises the wall-clock times of one command, in seconds.
type timing struct {
	Median, Mean, Stddev, Min, Max float64
	Runs                           int
}

func timingOf(ts []float64) timing {
	if len(ts) == 0 {
		return timing{}
	}
	s := slices.Clone(ts)
	sort.Float64s(s)
	t := timing{Median: median(s), Min: s[0], Max: s[len(s)-1], Runs: len(s)}
	for _, v := range s {
		t.Mean += v
	}
	t.Mean /= float64(len(s))
	for _, v := range s {
		t.Stddev += (v - t.Mean) * (v - t.Mean)
	}
	if len(s) > 1 {
		t.Stddev = sqrt(t.Stddev / float64(len(s)-1))
	} else {
		t.Stddev = 0
	}
	return t
}

func sqrt(x float64) float64 {
	if x <= 0 {
		return 0
	}
	z := x
	for range 50 {
		z = (z + x/z) / 2
	}
	return z
}

func median(sorted []float64) float64 {
	n := len(sorted)
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}

// hyperfine times every case in one run and returns the timings by id.
func hyperfine(cases []benchCase, o options) (map[string]timing, error) {
	export := "bench/results/hyperfine.json"
	args := hyperfineArgs(cases, o, export)
	logf("timing: hyperfine ... (%d commands, %d runs each)", len(cases), o.runs)
	cmd := exec.Command("hyperfine", args...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("hyperfine: %w", err)
	}
	b, err := os.ReadFile(export)
	if err != nil {
		return nil, err
	}
	var res struct {
		Results []struct {
			Command string    `json:"command"`
			Times   []float64 `json:"times"`
		} `json:"results"`
	}
	if err := json.Unmarshal(b, &res); err != nil {
		return nil, fmt.Errorf("reading %s: %w", export, err)
	}
	out := map[string]timing{}
	for _, r := range res.Results {
		out[r.Command] = timingOf(r.Times)
	}
	return out, nil
}

func hyperfineArgs(cases []benchCase, o options, export string) []string {
	args := []string{"--shell=none", "--warmup", strconv.Itoa(o.warmup), "--runs", strconv.Itoa(o.runs),
		"--style", "basic", "--export-json", export}
	for _, c := range cases {
		args = append(args, "--command-name", c.id)
	}
	for _, c := range cases {
		args = append(args, shellJoin(c.argv))
	}
	return args
}

// An rssResult is the peak resident set size of a command over several runs, in KiB.
type rssResult struct {
	Median, Max int
}

var (
	rssRE     = regexp.MustCompile(`Maximum resident set size \(kbytes\): (\d+)`)
	elapsedRE = regexp.MustCompile(`Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)`)
)

// peakRSS runs c n times under /usr/bin/time -v and returns its median and
// largest peak RSS, and the elapsed times.
func peakRSS(c benchCase, n int) (rssResult, []float64, error) {
	var kbs []int
	var elapsed []float64
	for range n {
		cmd := exec.Command("/usr/bin/time", append([]string{"-v"}, c.argv...)...)
		var stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = io.Discard, &stderr
		if err := cmd.Run(); err != nil {
			return rssResult{}, nil, fmt.Errorf("/usr/bin/time -v %s: %v\n%s", c.id, err, stderr.String())
		}
		m := rssRE.FindStringSubmatch(stderr.String())
		if m == nil {
			return rssResult{}, nil, fmt.Errorf("/usr/bin/time -v %s: no peak RSS in its output", c.id)
		}
		kb, _ := strconv.Atoi(m[1])
		kbs = append(kbs, kb)
		if e := elapsedRE.FindStringSubmatch(stderr.String()); e != nil {
			h, _ := strconv.ParseFloat(e[1], 64)
			mm, _ := strconv.ParseFloat(e[2], 64)
			ss, _ := strconv.ParseFloat(e[3], 64)
			elapsed = append(elapsed, h*3600+mm*60+ss)
		}
	}
	sort.Ints(kbs)
	return rssResult{Median: kbs[len(kbs)/2], Max: kbs[len(kbs)-1]}, elapsed, nil
}

// shellJoin renders argv as a command line a POSIX shell (and hyperfine's
// own splitter) reads back as argv.
func shellJoin(argv []string) string {
	out := make([]string, len(argv))
	for i, a := range argv {
		if a != "" && strings.IndexFunc(a, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:@,=+", r))
		}) < 0 {
			out[i] = a
		} else {
			out[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
	}
	return strings.Join(out, " ")
}

// machineInfo describes where the numbers were measured.
type machineInfo struct {
	CPUs                     int
	CPUModel                 string
	Memory                   string
	Kernel                   string
	Load, LoadBefore         string
	Server, PgDump, Hyperfin string
	GoVersion, Commit        string
	Relations, Attributes    int64
	Constraints, Types       int64
	Indexes                  int64
	BigSize                  string
}

func machine(ctx context.Context, admin *pgx.Conn, bigURL string) machineInfo {
	m := machineInfo{CPUs: runtime.NumCPU()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		if mm := regexp.MustCompile(`(?m)^model name\s*:\s*(.+)$`).FindSubmatch(b); mm != nil {
			m.CPUModel = string(mm[1])
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		if mm := regexp.MustCompile(`(?m)^MemTotal:\s*(\d+) kB`).FindSubmatch(b); mm != nil {
			kb, _ := strconv.ParseFloat(string(mm[1]), 64)
			m.Memory = fmt.Sprintf("%.1f GiB", kb/(1<<20))
		}
	}
	m.Load = loadAverage()
	m.Kernel = output("uname", "-sr")
	m.PgDump = output("pg_dump", "--version")
	m.Hyperfin = output("hyperfine", "--version")
	m.GoVersion = output("go", "env", "GOVERSION")
	m.Commit = output("git", "rev-parse", "--short", "HEAD")
	if st := output("git", "status", "--porcelain"); st != "" {
		m.Commit += " (with uncommitted changes)"
	}
	_ = admin.QueryRow(ctx, "SELECT version()").Scan(&m.Server)
	if conn, err := pgx.Connect(ctx, bigURL); err == nil {
		_ = conn.QueryRow(ctx, `SELECT (SELECT count(*) FROM pg_class),
		        (SELECT count(*) FROM pg_attribute),
		        (SELECT count(*) FROM pg_constraint),
		        (SELECT count(*) FROM pg_type),
		        (SELECT count(*) FROM pg_index),
		        pg_size_pretty(pg_database_size(current_database()))`).
			Scan(&m.Relations, &m.Attributes, &m.Constraints, &m.Types, &m.Indexes, &m.BigSize)
		conn.Close(ctx)
	}
	return m
}

// loadAverage returns the 1, 5 and 15 minute load averages.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}

func output(name string, args ...string) string {
	b, err := exec.Command(name, args...).Output()
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(b))
}

func ms(s float64) string {
	switch {
	case s >= 10:
		return fmt.Sprintf("%.1f s", s)
	case s >= 1:
		return fmt.Sprintf("%.2f s", s)
	}
	return fmt.Sprintf("%.1f ms", s*1000)
}

func mib(kb int) string { return fmt.Sprintf("%.1f MiB", float64(kb)/1024) }

func render(o options, m machineInfo, cases []benchCase, times map[string]timing, rss map[string]rssResult,
	tool string, dryRun, hasSnapshot bool, took time.Duration) string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	w("%s\n", beginMarker)
	w("<!-- Written by `make bench` (bench/run) on %s; do not edit between the markers. -->\n\n", time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	w("### Results\n\n")
	w("| command | median | mean ± σ | min … max | peak RSS (median of %d) |\n|---|--:|--:|--:|--:|\n", o.rssRuns)
	for _, c := range cases {
		t, r := times[c.id], rss[c.id]
		w("| %s | **%s** | %s ± %s | %s … %s | %s |\n", c.name, ms(t.Median), ms(t.Mean), ms(t.Stddev), ms(t.Min), ms(t.Max), mib(r.Median))
	}
	w("\nTimes: %s, %d runs per command after %d warm-up run(s), all commands in one run. ", tool, times[cases[0].id].Runs, o.warmup)
	w("Peak memory: maximum resident set size from `/usr/bin/time -v`, median of %d runs.\n", o.rssRuns)
	if dryRun {
		w("The checks of the RBAC model include the dry run of its 3 queries as `%s`.\n", appRole)
	} else {
		w("**The checks of the RBAC model do not include the dry run yet**: this rbacdrift does not execute the model's `queries:`; rerun `make bench` once it does.\n")
	}
	if !hasSnapshot {
		w("**`rbacdrift snapshot` is not measured**: this rbacdrift has no snapshot command yet; rerun `make bench` once it has.\n")
	}

	w("\n### Targets\n\n| target | measured | |\n|---|---|---|\n")
	ck, cs, dt := times["check-big"], times["check-small"], times["pgdump-t-big"]
	if cs.Median > 0 {
		r := ck.Median / cs.Median
		w("| check on the big database within 1.2× of the small one | %.2f× (%s against %s) | %s |\n", r, ms(ck.Median), ms(cs.Median), verdict(r <= 1.2, fmt.Sprintf("missed by %.0f%%", (r/1.2-1)*100)))
	}
	if ck.Median > 0 {
		r := dt.Median / ck.Median
		w("| check on the big database ≥ 15× faster than `pg_dump --schema-only -t` of the same 5 tables | %.1f× (%s against %s) | %s |\n", r, ms(ck.Median), ms(dt.Median), verdict(r >= 15, fmt.Sprintf("missed: %.1f× short", 15/r)))
	}
	if st, ok := times["snapshot-big"]; ok {
		r := rss["snapshot-big"]
		w("| snapshot of all 10,000 tables under 2 s | %s | %s |\n", ms(st.Median), verdict(st.Median < 2, fmt.Sprintf("missed by %s", ms(st.Median-2))))
		w("| snapshot of all 10,000 tables under 150 MB peak memory | %s (%.0f MB) | %s |\n", mib(r.Median), float64(r.Median)*1024/1e6, verdict(float64(r.Median)*1024 < 150e6, fmt.Sprintf("missed by %.0f MB", float64(r.Median)*1024/1e6-150)))
	} else {
		w("| snapshot of all 10,000 tables under 2 s and 150 MB | not measured: no snapshot command | — |\n")
	}
	if pd, ok := times["pgdump-big"]; ok {
		if st, ok := times["snapshot-big"]; ok && st.Median > 0 {
			w("\nFor scale: `pg_dump --schema-only` of the whole database takes %s (%.1f× the snapshot) and %s.\n", ms(pd.Median), pd.Median/st.Median, mib(rss["pgdump-big"].Median))
		}
	}
	if ds := times["pgdump-t-small"]; ds.Median > 0 {
		w("`pg_dump -t` of the 5 tables is %.1f× slower on the big database than on the small one; rbacdrift's check %.2f×.\n", dt.Median/ds.Median, ck.Median/cs.Median)
	}

	w("\n### Machine\n\n")
	w("- CPUs (nproc): %d × %s\n- memory: %s\n- kernel: %s\n- load average (1, 5, 15 min) at the start: %s; at the end: %s\n", m.CPUs, m.CPUModel, m.Memory, m.Kernel, m.LoadBefore, m.Load)
	w("- server: %s, on the same machine, over TCP loopback\n- %s; %s; %s\n- rbacdrift at %s\n", m.Server, m.PgDump, m.Hyperfin, m.GoVersion, m.Commit)
	w("\n### Databases\n\n")
	w("- `%s`: the RBAC tables of `testdata/reference/normalised.sql` only.\n", smallDB)
	w("- `%s` (%s): %d tables over %d schemas from `bench/synth` (%s), plus the same RBAC tables: %d relations in pg_class, %d rows in pg_attribute, %d constraints, %d indexes, %d types.\n",
		bigDB, m.BigSize, bigConfig.Tables, bigConfig.Schemas, synth.Version, m.Relations, m.Attributes, m.Constraints, m.Indexes, m.Types)
	w("- The run took %s in all, database builds included.\n", took.Round(time.Second))

	w("\n### Exact commands\n\n```sh\n")
	for _, c := range cases {
		w("# %s\n%s\n", c.id, shellJoin(c.argv))
	}
	w("```\n\nTimed with:\n\n```sh\nhyperfine %s\n```\n\nPeak memory of each: `/usr/bin/time -v COMMAND`, field \"Maximum resident set size\".\n", shellJoin(hyperfineArgs(cases, o, "bench/results/hyperfine.json")))
	w("%s\n", endMarker)
	return b.String()
}

func verdict(ok bool, missed string) string {
	if ok {
		return "met"
	}
	return "**" + missed + "**"
}

// writeSection replaces the text between the bench markers of path, or
// creates the file around it.
func writeSection(path, section string) error {
	old, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return os.WriteFile(path, []byte("# Benchmarks\n\n"+section), 0o644)
	}
	if err != nil {
		return err
	}
	s := string(old)
	i, j := strings.Index(s, beginMarker), strings.Index(s, endMarker)
	if i < 0 || j < i {
		return os.WriteFile(path, []byte(strings.TrimRight(s, "\n")+"\n\n"+section), 0o644)
	}
	return os.WriteFile(path, []byte(s[:i]+strings.TrimSuffix(section, "\n")+s[j+len(endMarker):]), 0o644)
}
