// Command scale measures rbacdrift at scale, side by side in one run, and
// writes the results between the scale markers of BENCHMARKS.md:
//
//   - check of 1,000 tenant schemas (--schemas 'tenant_*') against one tenant
//     schema of the same database (goal: at most 5 times the one) and
//     against pg_dump -s of the same schemas (goal: at most a quarter);
//   - check of 10,000 tenant schemas, 50,000 tables, on the server's default
//     lock table (goal: within 10 s and 300 MiB peak);
//   - a fleet of 20 databases (--targets) at --parallel 1 and 4, each a
//     check of a single schema;
//   - the Spring Security model's 23 queries against the same model with
//     --no-queries (goal: at most 2 times), when its fixture is there;
//   - peak memory of each;
//   - the bench model with 500 harvested queries against the same model with
//     --no-queries, the catalog check alone (goal: at most 2 times), in a
//     section of its own (see harvest.go); -only harvest runs it alone.
//
// It builds its databases once (rbacdrift_bench_tenants_1000 and _10000,
// one tenant in 150 drifted, and rbacdrift_bench_fleet_01 to _20) on
// RBACDRIFT_BENCH_URL; -build builds them and exits; make bench-clean drops
// them. It is not part of make test or CI.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

const (
	beginMarker = "<!-- bench-scale:begin -->"
	endMarker   = "<!-- bench-scale:end -->"
	tenantsDB   = "rbacdrift_bench_tenants"
	fleetSize   = 20
)

func main() {
	admin := flag.String("url", envOr("RBACDRIFT_BENCH_URL", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"), "superuser URL of the server")
	runs := flag.Int("runs", 10, "timed runs per case")
	tenants := flag.Int("tenants", 1000, "tenant schemas")
	clean := flag.Bool("clean", false, "drop the scale databases and exit")
	build := flag.Bool("build", false, "build the scale databases and exit")
	out := flag.String("out", "BENCHMARKS.md", "the file to write the results into")
	only := flag.String("only", "", "run one group of cases only: harvest")
	harvested := flag.Int("harvested", 500, "harvested queries in the harvest case")
	harvestFiles := flag.String("harvest-files", "", "write the harvest case's model and query file into this directory and exit (to profile it)")
	flag.Parse()
	var err error
	switch {
	case *harvestFiles != "":
		err = writeHarvestFiles(*harvestFiles, *harvested)
	case *only == "":
		err = run(*admin, *runs, *tenants, *clean, *build, *out)
		if err == nil && !*clean && !*build {
			err = runHarvest(*admin, *runs, *harvested, *out)
		}
	case *only == "harvest":
		err = runHarvest(*admin, *runs, *harvested, *out)
	default:
		err = fmt.Errorf("-only takes harvest")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench/scale:", err)
		os.Exit(1)
	}
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func dbURL(admin, name string) string {
	u, err := url.Parse(admin)
	if err != nil {
		return admin
	}
	u.Path = "/" + name
	return u.String()
}

func fleetName(i int) string { return fmt.Sprintf("rbacdrift_bench_fleet_%02d", i) }

func run(admin string, runs, tenants int, clean, buildOnly bool, out string) error {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	if clean {
		names := []string{tenantsDB, harvestDB}
		for _, n := range tenantCounts(tenants) {
			names = append(names, tenantsDBName(n))
		}
		for _, n := range append(names, fleetNames()...) {
			if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{n}.Sanitize()); err != nil {
				return err
			}
		}
		return nil
	}
	fixture, err := os.ReadFile("testdata/reference/normalised.sql")
	if err != nil {
		return err
	}
	for _, n := range tenantCounts(tenants) {
		if err := ensureTenants(ctx, conn, admin, n, string(fixture)); err != nil {
			return err
		}
	}
	if buildOnly {
		return nil
	}
	for _, n := range fleetNames() {
		if err := ensureDB(ctx, conn, admin, n, "rbacdrift scale bench: fleet", func(u string) error { return exec1(u, string(fixture)) }); err != nil {
			return err
		}
	}

	bin := filepath.Join(os.TempDir(), "rbacdrift-scale-bench")
	if b, err := exec.Command("go", "build", "-o", bin, "./cmd/rbacdrift").CombinedOutput(); err != nil {
		return fmt.Errorf("building: %v\n%s", err, b)
	}
	dir, err := os.MkdirTemp("", "rbacdrift-scale")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	targets := filepath.Join(dir, "targets.yaml")
	var tb strings.Builder
	for _, n := range fleetNames() {
		fmt.Fprintf(&tb, "- { name: %s, db: %q }\n", n, dbURL(admin, n))
	}
	if err := os.WriteFile(targets, []byte(tb.String()), 0o644); err != nil {
		return err
	}
	model := "testdata/reference/normalised.yaml"
	tu := dbURL(admin, tenantsDBName(tenants))
	big := 10 * tenants
	bu := dbURL(admin, tenantsDBName(big))
	pgDump, err := exec.LookPath("pg_dump")
	if err != nil {
		return err
	}
	cases := []benchCase{
		{name: "one tenant schema", args: []string{"check", "--db", tu, "--spec", model, "--schemas", "tenant_0000"}},
		{name: fmt.Sprintf("%d tenant schemas", tenants), args: []string{"check", "--db", tu, "--spec", model, "--schemas", "tenant_*"}},
		{name: fmt.Sprintf("pg_dump -s of the %d tenant schemas", tenants), cmd: pgDump, args: []string{"-s", "-n", "tenant_*", "-f", os.DevNull, tu}},
		{name: fmt.Sprintf("%d tenant schemas", big), args: []string{"check", "--db", bu, "--spec", model, "--schemas", "tenant_*"}, runs: max(1, runs/3)},
		{name: "fleet of 20, --parallel 1", args: []string{"check", "--targets", targets, "--spec", model, "--parallel", "1"}},
		{name: "fleet of 20, --parallel 4", args: []string{"check", "--targets", targets, "--spec", model, "--parallel", "4"}},
	}
	spring := "testdata/dryrun/corpus/spring_security_jdbc"
	if _, err := os.Stat(filepath.Join(spring, "model.yaml")); err == nil {
		if err := ensureDB(ctx, conn, admin, "rbacdrift_bench_spring", "rbacdrift scale bench: spring", func(u string) error {
			b, err := os.ReadFile(filepath.Join(spring, "schema.sql"))
			if err != nil {
				return err
			}
			return exec1(u, string(b))
		}); err != nil {
			return err
		}
		su := dbURL(admin, "rbacdrift_bench_spring")
		// The model a Spring application would keep: its five tables, as
		// snapshot writes them, and the 23 queries of the framework.
		sm := filepath.Join(dir, "spring.yaml")
		if b, err := exec.Command(bin, "snapshot", "--db", su, "--out", sm).CombinedOutput(); err != nil {
			return fmt.Errorf("snapshot of the Spring schema: %v\n%s", err, b)
		}
		q, err := os.ReadFile(filepath.Join(spring, "queries.sql"))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, "queries.sql"), q, 0o644); err != nil {
			return err
		}
		f, err := os.OpenFile(sm, os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		_, err = f.WriteString("query_files: [queries.sql]\n")
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
		cases = append(cases,
			benchCase{name: "Spring Security model, 23 queries dry-run", args: []string{"check", "--db", su, "--spec", sm}},
			benchCase{name: "Spring Security model, --no-queries", args: []string{"check", "--db", su, "--spec", sm, "--no-queries"}})
	}
	for i := range cases {
		c := &cases[i]
		n := runs
		if c.runs > 0 {
			n = c.runs
		}
		cmd := bin
		if c.cmd != "" {
			cmd = c.cmd
		}
		for range n {
			d, rss, err := measure(cmd, c.args)
			if err != nil {
				return fmt.Errorf("%s: %w", c.name, err)
			}
			c.times = append(c.times, d)
			c.rss = max(c.rss, rss)
		}
		slices.Sort(c.times)
		fmt.Fprintf(os.Stderr, "bench/scale: %s: median %s, peak %.1f MiB\n", c.name, c.median(), float64(c.rss)/1024)
	}
	return writeSection(out, render(cases, runs, tenants))
}

func fleetNames() []string {
	var out []string
	for i := 1; i <= fleetSize; i++ {
		out = append(out, fleetName(i))
	}
	return out
}

// ensureDB creates the database name and fills it with build, unless it
// exists with marker as its comment.
func ensureDB(ctx context.Context, conn *pgx.Conn, admin, name, marker string, build func(u string) error) error {
	var comment *string
	err := conn.QueryRow(ctx, `SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1`, name).Scan(&comment)
	if err == nil && comment != nil && *comment == marker {
		return nil
	}
	fmt.Fprintf(os.Stderr, "bench/scale: building %s\n", name)
	id := pgx.Identifier{name}.Sanitize()
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+id); err != nil {
		return err
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+id+" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'"); err != nil {
		return err
	}
	if err := build(dbURL(admin, name)); err != nil {
		return err
	}
	_, err = conn.Exec(ctx, "COMMENT ON DATABASE "+id+" IS "+quoteLiteral(marker))
	return err
}

func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func exec1(u, sql string) error {
	ctx := context.Background()
	c, err := pgx.Connect(ctx, u)
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	_, err = c.Exec(ctx, sql)
	return err
}

// A benchCase is one command line, timed.
type benchCase struct {
	name  string
	cmd   string // the command; "" for rbacdrift
	args  []string
	runs  int // timed runs; 0 for the run's -runs
	times []time.Duration
	rss   int // peak resident memory, KiB
}

func (c benchCase) median() time.Duration { return c.times[len(c.times)/2] }

var maxRSS = regexp.MustCompile(`Maximum resident set size \(kbytes\): (\d+)`)

// measure runs the command once under /usr/bin/time -v when it is there,
// and returns its wall time and peak memory. Exit codes 0 and 1 (drift) are
// both a run that finished.
func measure(bin string, args []string) (time.Duration, int, error) {
	argv := append([]string{bin}, args...)
	useTime := false
	if _, err := os.Stat("/usr/bin/time"); err == nil {
		argv = append([]string{"/usr/bin/time", "-v"}, argv...)
		useTime = true
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = nil, &stderr
	start := time.Now()
	err := cmd.Run()
	d := time.Since(start)
	if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 1 {
		err = nil
	}
	if err != nil {
		return 0, 0, fmt.Errorf("%v\n%s", err, stderr.String())
	}
	rss := 0
	if useTime {
		if m := maxRSS.FindStringSubmatch(stderr.String()); m != nil {
			rss, _ = strconv.Atoi(m[1])
		}
	}
	return d, rss, nil
}

// loadavg returns the 1, 5 and 15 minute load averages, when Linux tells.
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], ", ")
}

func render(cases []benchCase, runs, tenants int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n<!-- Written by `make bench` (bench/scale) on %s; do not edit between the markers. -->\n\n",
		beginMarker, time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	fmt.Fprintf(&b, "Median of the runs of the built binary (and of `pg_dump`), wall time and peak resident memory (`/usr/bin/time -v`), exit 0 or 1 both counted. The tenant databases hold %d and %d schemas of the reference model (`testdata/reference/normalised.sql`: five tables with keys and indexes), one in %d drifted in one of %d ways. Load average at the start: %s.\n\n", tenants, 10*tenants, driftedEvery, len(driftKinds), loadavg())
	b.WriteString("| case | median | peak memory | runs |\n|---|--:|--:|--:|\n")
	by := map[string]benchCase{}
	for _, c := range cases {
		by[c.name] = c
		fmt.Fprintf(&b, "| %s | %s | %.1f MiB | %d |\n", c.name, ms(c.median()), float64(c.rss)/1024, len(c.times))
	}
	b.WriteString("\n")
	goal := func(what string, a, base benchCase, limit float64) {
		if len(a.times) == 0 || len(base.times) == 0 {
			return
		}
		r := float64(a.median()) / float64(base.median())
		verdict := "met"
		if r > limit {
			verdict = "missed"
		}
		fmt.Fprintf(&b, "- %s: %.2f times (goal: at most %.0f): %s.\n", what, r, limit, verdict)
	}
	many := by[fmt.Sprintf("%d tenant schemas", tenants)]
	goal(fmt.Sprintf("%d tenant schemas against one", tenants), many, by["one tenant schema"], 5)
	if d := by[fmt.Sprintf("pg_dump -s of the %d tenant schemas", tenants)]; len(d.times) > 0 && len(many.times) > 0 {
		r := float64(many.median()) / float64(d.median())
		fmt.Fprintf(&b, "- %d tenant schemas against `pg_dump -s` of them: %.2f of its time (goal: at most 0.25): %s.\n", tenants, r, verdict(r <= 0.25))
	}
	if c := by[fmt.Sprintf("%d tenant schemas", 10*tenants)]; len(c.times) > 0 {
		mib := float64(c.rss) / 1024
		fmt.Fprintf(&b, "- %d tenant schemas (%d tables): %s and %.0f MiB peak (goal: within 10 s and 300 MiB): %s.\n",
			10*tenants, 50*tenants, ms(c.median()), mib, verdict(c.median() <= 10*time.Second && mib <= 300))
	}
	goal("the Spring Security model's 23 queries against --no-queries", by["Spring Security model, 23 queries dry-run"], by["Spring Security model, --no-queries"], 2)
	if p1, p4 := by["fleet of 20, --parallel 1"], by["fleet of 20, --parallel 4"]; len(p1.times) > 0 {
		fmt.Fprintf(&b, "- a fleet of 20 databases: --parallel 4 takes %.2f of the time of --parallel 1.\n", float64(p4.median())/float64(p1.median()))
	}
	b.WriteString(endMarker + "\n")
	return b.String()
}

func verdict(met bool) string {
	if met {
		return "met"
	}
	return "missed"
}

func ms(d time.Duration) string {
	if d >= time.Second {
		return fmt.Sprintf("%.2f s", d.Seconds())
	}
	return fmt.Sprintf("%d ms", d.Milliseconds())
}

// writeSection replaces the scale section of path, or appends it.
func writeSection(path, section string) error {
	return replaceSection(path, beginMarker, endMarker, "## Scale: tenants, fleets, the dry run (issue 15)", section)
}

// replaceSection replaces what stands between begin and end in path with
// section (which holds the markers), or appends it under heading.
func replaceSection(path, begin, end, heading, section string) error {
	old, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	s := string(old)
	i, j := strings.Index(s, begin), strings.Index(s, end)
	if i < 0 || j < i {
		return os.WriteFile(path, []byte(strings.TrimRight(s, "\n")+"\n\n"+heading+"\n\n"+section), 0o644)
	}
	return os.WriteFile(path, []byte(s[:i]+strings.TrimSuffix(section, "\n")+s[j+len(end):]), 0o644)
}

// tenantsDBName is the database of n tenant schemas.
func tenantsDBName(n int) string { return fmt.Sprintf("%s_%d", tenantsDB, n) }

// tenantCounts are the tenant databases measured: n, and ten times n.
func tenantCounts(n int) []int { return []int{n, 10 * n} }

// driftedEvery: one tenant in driftedEvery is drifted, the kind of drift
// going round driftKinds, so that some drift is identical across tenants
// and the report summarises it.
const driftedEvery = 150

var driftKinds = []string{
	"ALTER TABLE users ALTER COLUMN email TYPE varchar(200);",
	"DROP INDEX user_roles_role_id_idx;",
	"ALTER TABLE roles ALTER COLUMN name DROP NOT NULL;",
}

// ensureTenants builds the database of n tenant schemas of the reference
// model (tenant_0000 ...), one in driftedEvery drifted.
func ensureTenants(ctx context.Context, conn *pgx.Conn, admin string, n int, fixture string) error {
	marker := fmt.Sprintf("rbacdrift scale bench: %d tenants, one in %d drifted", n, driftedEvery)
	return ensureDB(ctx, conn, admin, tenantsDBName(n), marker, func(u string) error {
		// 50 tenants a transaction: one for all would need more locks than
		// the server's lock table holds.
		for start := 0; start < n; start += 50 {
			var b strings.Builder
			for i := start; i < min(start+50, n); i++ {
				fmt.Fprintf(&b, "CREATE SCHEMA tenant_%04d; SET search_path = tenant_%04d;\n%s\n", i, i, fixture)
				if i%driftedEvery == 7 {
					b.WriteString(driftKinds[(i/driftedEvery)%len(driftKinds)] + "\n")
				}
			}
			if err := exec1(u, b.String()); err != nil {
				return err
			}
		}
		return nil
	})
}
