package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

const (
	harvestDB          = "rbacdrift_bench_harvest"
	harvestBeginMarker = "<!-- bench-harvest:begin -->"
	harvestEndMarker   = "<!-- bench-harvest:end -->"
)

// runHarvest measures the harvested-queries case and writes its section.
func runHarvest(admin string, runs, n int, out string) error {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	var sqls []string
	for _, f := range []string{"testdata/reference/normalised.sql", "bench/rbac_role.sql"} {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		sqls = append(sqls, string(b))
	}
	if err := ensureDB(ctx, conn, admin, harvestDB, "rbacdrift scale bench: harvest", func(u string) error {
		return exec1(u, strings.Join(sqls, "\n"))
	}); err != nil {
		return err
	}
	bin := filepath.Join(os.TempDir(), "rbacdrift-scale-bench")
	if b, err := exec.Command("go", "build", "-o", bin, "./cmd/rbacdrift").CombinedOutput(); err != nil {
		return fmt.Errorf("building: %v\n%s", err, b)
	}
	dir, err := os.MkdirTemp("", "rbacdrift-harvest")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := writeHarvestFiles(dir, n); err != nil {
		return err
	}
	m := filepath.Join(dir, "rbacdrift.yaml")
	// Every harvested statement must dry-run cleanly: a benchmark of
	// findings would measure their hints, not the dry run.
	hu := dbURL(admin, harvestDB)
	if b, err := exec.Command(bin, "check", "--db", hu, "--spec", m).CombinedOutput(); err != nil {
		return fmt.Errorf("the harvest model is not clean: %v\n%s", err, b)
	}
	withQueries := fmt.Sprintf("bench model and %d harvested queries, dry-run", n)
	cases := []benchCase{
		{name: withQueries, args: []string{"check", "--db", hu, "--spec", m}},
		{name: "bench model, --no-queries (the catalog check alone)", args: []string{"check", "--db", hu, "--spec", m, "--no-queries"}},
		{name: "bench model and its 3 queries", args: []string{"check", "--db", hu, "--spec", "bench/rbac.yaml"}},
	}
	for i := range cases {
		c := &cases[i]
		for range runs {
			d, rss, err := measure(bin, c.args)
			if err != nil {
				return fmt.Errorf("%s: %w", c.name, err)
			}
			c.times = append(c.times, d)
			c.rss = max(c.rss, rss)
		}
		slices.Sort(c.times)
		fmt.Fprintf(os.Stderr, "bench/scale: %s: median %s, peak %.1f MiB\n", c.name, c.median(), float64(c.rss)/1024)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n<!-- Written by `make bench` (bench/scale) on %s; do not edit between the markers. -->\n\n",
		harvestBeginMarker, time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	fmt.Fprintf(&b, "Median of %d runs of the built binary against `%s` (the RBAC tables of the reference scenario), wall time and peak resident memory.\n\n", runs, harvestDB)
	b.WriteString("| case | median | min … max | peak memory |\n|---|--:|--:|--:|\n")
	for _, c := range cases {
		fmt.Fprintf(&b, "| %s | %s | %s … %s | %.1f MiB |\n", c.name, ms(c.median()), ms(c.times[0]), ms(c.times[len(c.times)-1]), float64(c.rss)/1024)
	}
	r := float64(cases[0].median()) / float64(cases[1].median())
	verdict := "met"
	if r > 2 {
		verdict = "missed"
	}
	fmt.Fprintf(&b, "\n- %d harvested queries against the catalog check alone: %.2f times (goal: at most 2): %s.\n", n, r, verdict)
	fmt.Fprintf(&b, "- per query: %.2f ms ((%s − %s) / %d).\n", float64(cases[0].median()-cases[1].median())/float64(time.Millisecond)/float64(n), ms(cases[0].median()), ms(cases[1].median()), n)
	b.WriteString(harvestEndMarker + "\n")
	return replaceSection(out, harvestBeginMarker, harvestEndMarker, "## Scale: harvested queries (issue 22)", b.String())
}

// writeHarvestFiles writes the harvest case's model (rbacdrift.yaml) and
// its query file of n statements (harvested.sql) into dir.
func writeHarvestFiles(dir string, n int) error {
	model, err := os.ReadFile("bench/rbac.yaml")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "rbacdrift.yaml"), append(model, "query_files: [harvested.sql]\n"...), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "harvested.sql"), []byte(harvestedQueries(n)), 0o644)
}

// The harvested-queries case: the bench model (bench/rbac.yaml) with a
// query file of n statements as rbacdrift harvest writes them from
// pg_stat_statements (normalised: constants are $n with no declared type,
// names quoted as ORMs write them), dry-run as the model's run_as, against
// the same model with --no-queries (goal: at most 2 times).

// A benchTable is one table of the bench model, with its columns.
type benchTable struct {
	name string
	cols []string
}

var benchTables = []benchTable{
	{"users", []string{"id", "email", "created_at"}},
	{"roles", []string{"id", "name"}},
	{"permissions", []string{"id", "resource", "action"}},
	{"user_roles", []string{"user_id", "role_id"}},
	{"role_permissions", []string{"role_id", "permission_id", "scope"}},
}

// harvestedQueries returns a query file of n distinct statements over the
// bench model's tables: single-table reads with every choice of columns,
// filter, order and limit, the permission loader's joins with their
// filters, counts and existence checks, in the order a harvest of a busy
// application would list them.
func harvestedQueries(n int) string {
	var out []string
	seen := map[string]bool{}
	add := func(sql string) {
		if len(out) < n && !seen[sql] {
			seen[sql] = true
			out = append(out, sql)
		}
	}
	q := func(t, c string) string { return fmt.Sprintf("%q.%q", t, c) }
	joins := []string{
		// The permission loader, as drizzle writes it.
		`select %s from "user_roles" inner join "role_permissions" on "role_permissions"."role_id" = "user_roles"."role_id" inner join "permissions" on "permissions"."id" = "role_permissions"."permission_id" where "user_roles"."user_id" = $1%s`,
		// The roles of a user.
		`select %s from "roles" inner join "user_roles" on "user_roles"."role_id" = "roles"."id" where "user_roles"."user_id" = $1%s`,
		// The users of a permission.
		`select %s from "users" inner join "user_roles" on "user_roles"."user_id" = "users"."id" inner join "role_permissions" on "role_permissions"."role_id" = "user_roles"."role_id" where "role_permissions"."permission_id" = $1%s`,
	}
	selects := [][]string{
		{q("permissions", "resource"), q("permissions", "action"), q("role_permissions", "scope")},
		{q("roles", "id"), q("roles", "name")},
		{q("users", "id"), q("users", "email")},
	}
	extras := []string{"", ` and "role_permissions"."scope" = $2`, ` and "permissions"."resource" = $2`, ` and "permissions"."action" = any($2)`,
		` order by 1`, ` order by 1 limit $2`, ` and "users"."created_at" > $2`, ` and "roles"."name" like $2`}
	for round := 0; len(out) < n && round < 4; round++ {
		for i, j := range joins {
			for _, e := range extras {
				// An extra that names a table the join lacks fails to
				// plan (42P01), as a harvest never holds: skip it.
				if strings.Contains(e, `"permissions"`) && !strings.Contains(j, `"permissions"`) ||
					strings.Contains(e, `"users"`) && !strings.Contains(j, `"users"`) ||
					strings.Contains(e, `"roles"`) && !strings.Contains(j, `"roles"`) ||
					strings.Contains(e, `"role_permissions"`) && !strings.Contains(j, `"role_permissions"`) {
					continue
				}
				cols := selects[i]
				if round > 0 {
					cols = cols[:max(1, len(cols)-round)]
				}
				if round == 3 {
					cols = []string{"count(*)"}
				}
				add(fmt.Sprintf(j, strings.Join(cols, ", "), e))
			}
		}
	}
	for _, t := range benchTables {
		add(fmt.Sprintf(`select count(*) from %q`, t.name))
		add(fmt.Sprintf(`select exists(select 1 from %q where %s = $1)`, t.name, q(t.name, t.cols[0])))
	}
	// Single-table reads: every non-empty set of columns, filtered by each
	// column (=, = any, <>), with and without an order and a limit.
	tails := []string{"", " limit $2", " order by %s desc", " order by %s limit $2 offset $3"}
	ops := []string{"= $1", "= any($1)", "<> $1"}
	for _, op := range ops {
		if len(out) >= n {
			break
		}
		for _, tail := range tails {
			for _, t := range benchTables {
				for mask := 1; mask < 1<<len(t.cols); mask++ {
					var cols []string
					for k, c := range t.cols {
						if mask&(1<<k) != 0 {
							cols = append(cols, q(t.name, c))
						}
					}
					for _, w := range t.cols {
						s := fmt.Sprintf("select %s from %q where %s %s", strings.Join(cols, ", "), t.name, q(t.name, w), op)
						if strings.Contains(tail, "%s") {
							s += fmt.Sprintf(tail, q(t.name, t.cols[0]))
						} else {
							s += tail
						}
						add(s)
					}
				}
			}
		}
	}
	if len(out) < n {
		panic(fmt.Sprintf("only %d distinct statements", len(out)))
	}
	var b strings.Builder
	b.WriteString("-- Harvested by rbacdrift harvest, not written by hand.\n-- Generated by bench/scale for the harvested-queries benchmark.\n")
	for i, s := range out {
		fmt.Fprintf(&b, "\n-- name: bench_harvested_%03d :many\n%s;\n", i+1, s)
	}
	return b.String()
}
