package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/rbacdrift/rbacdrift/drift/report"
	"github.com/rbacdrift/rbacdrift/internal/testutil/golden"
	"github.com/rbacdrift/rbacdrift/internal/testutil/pgtest"
)

// tenantsDB creates n tenant schemas tenant_000 ... each with the
// normalised reference tables, then runs drift (SQL) on it.
func tenantsDB(t *testing.T, n int, drift string) *pgtest.DB {
	t.Helper()
	fixture, err := os.ReadFile("../../testdata/reference/normalised.sql")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "CREATE SCHEMA tenant_%03d; SET search_path = tenant_%03d;\n%s\n", i, i, fixture)
	}
	b.WriteString("RESET search_path;\n" + drift)
	db := pgtest.NewDB(t)
	db.Exec(t, b.String())
	return db
}

// tenantsDrift drifts three of the tenants, each its own way.
const tenantsDrift = `
ALTER TABLE tenant_017.role_permissions DROP COLUMN scope CASCADE;
ALTER TABLE tenant_101.role_permissions DROP COLUMN scope CASCADE;
ALTER TABLE tenant_150.users ALTER COLUMN email DROP NOT NULL;`

// TestTenantSchemas: 200 tenant schemas, three drifted: exactly those are
// named, each finding with its schema; the text report says it once with
// the schemas that have it; the catalog costs the same round trips as one
// schema (TestRoundTripBudget covers one schema).
func TestTenantSchemas(t *testing.T) {
	t.Parallel()
	db := tenantsDB(t, 200, tenantsDrift)
	code, stdout, stderr := runIn(t, "", "check", "--db", db.URL, "--spec", "../../testdata/reference/normalised.yaml",
		"--schemas", "tenant_*", "--no-queries", "--format", "json")
	if code != exitDrift {
		t.Fatalf("exit %d, want %d\n%s", code, exitDrift, stderr)
	}
	var rep report.Report
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Checked.Schemas) != 200 {
		t.Errorf("checked %d schemas, want 200", len(rep.Checked.Schemas))
	}
	got := map[string][]string{}
	for _, f := range rep.Findings {
		if f.Schema == "" || !strings.HasPrefix(f.Object, f.Schema+".") {
			t.Errorf("finding %s %s does not name its schema (%q)", f.Code, f.Object, f.Schema)
		}
		got[f.Schema] = append(got[f.Schema], string(f.Code)+" "+f.Object)
	}
	want := map[string][]string{
		"tenant_017": {"missing-column tenant_017.role_permissions.scope", "primary-key-mismatch tenant_017.role_permissions", "missing-unique tenant_017.role_permissions"},
		"tenant_101": {"missing-column tenant_101.role_permissions.scope", "primary-key-mismatch tenant_101.role_permissions", "missing-unique tenant_101.role_permissions"},
		"tenant_150": {"nullability-mismatch tenant_150.users.email"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings by schema (-want +got):\n%s", diff)
	}

	_, text, _ := runIn(t, "", "check", "--db", db.URL, "--spec", "../../testdata/reference/normalised.yaml",
		"--schemas", "tenant_*", "--no-queries")
	if n := strings.Count(text, "missing-column"); n != 1 {
		t.Errorf("the text report shows missing-column %d times, want once with its schemas:\n%s", n, text)
	}
	for _, line := range []string{
		"          in 2 of 200 schemas: tenant_017, tenant_101\n",
		"          in 1 of 200 schemas: tenant_150\n",
		"7 errors, 0 warnings in 5 tables and 1 enum in 200 schemas\n",
	} {
		if !strings.Contains(text, line) {
			t.Errorf("the text report lacks %q:\n%s", line, text)
		}
	}

	code, _, stderr = runIn(t, "", "check", "--db", db.URL, "--spec", "../../testdata/reference/normalised.yaml", "--schemas", "nobody_*")
	if code != exitUsage || !strings.Contains(stderr, `--tenants: no schema matches ["nobody_*"]`) {
		t.Errorf("no matching schema: exit %d, want %d\n%s", code, exitUsage, stderr)
	}
}

// TestTenantQueries: the dry run runs with each tenant's schema first on the
// search_path, once per group of identical tenants, and names the tenant.
func TestTenantQueries(t *testing.T) {
	t.Parallel()
	db := tenantsDB(t, 6, `ALTER TABLE tenant_004.role_permissions RENAME COLUMN permission_id TO perm_id;`)
	code, stdout, stderr := runIn(t, "", "check", "--db", db.URL, "--spec", "../../testdata/reference/normalised.yaml",
		"--schemas", "tenant_*", "--format", "json")
	if code != exitDrift {
		t.Fatalf("exit %d, want %d\n%s", code, exitDrift, stderr)
	}
	var rep report.Report
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatal(err)
	}
	var queryErrs []string
	for _, f := range rep.Findings {
		if f.Code == "query-error" {
			queryErrs = append(queryErrs, f.Schema+" "+f.SQLState)
		}
	}
	if diff := cmp.Diff([]string{"tenant_004 42703"}, queryErrs); diff != "" {
		t.Errorf("query errors by schema (-want +got):\n%s", diff)
	}
	if rep.Checked.Queries == 0 {
		t.Errorf("no query was dry-run")
	}
}

// TestTenantReportsGolden: the tenant report in every format.
func TestTenantReportsGolden(t *testing.T) {
	t.Parallel()
	db := tenantsDB(t, 5, `ALTER TABLE tenant_001.role_permissions DROP COLUMN scope CASCADE;
ALTER TABLE tenant_003.role_permissions DROP COLUMN scope CASCADE;`)
	for _, format := range formatNames {
		t.Run(format, func(t *testing.T) {
			code, stdout, stderr := runIn(t, "", "check", "--db", db.URL, "--spec", "../../testdata/reference/normalised.yaml",
				"--schemas", "tenant_*", "--no-queries", "--format", format)
			if code != exitDrift {
				t.Fatalf("exit %d, want %d\n%s", code, exitDrift, stderr)
			}
			golden.Check(t, filepath.Join("testdata/golden", "tenants."+format), []byte(stableReport(t, stdout, db.Name)))
		})
	}
}

// stableReport takes out of a report what differs from run to run: the
// server's address, version and database names.
func stableReport(t *testing.T, out string, dbNames ...string) string {
	t.Helper()
	for _, n := range dbNames {
		out = strings.ReplaceAll(out, n, "DB")
	}
	out = normalise(out)
	out = regexpReplace(out, `[A-Za-z_]+@[^ "`+"`"+`<]*:[0-9]+/DB`, "USER@SERVER/DB")
	for _, re := range []struct{ from, to string }{
		{`"host": "[^"]*"`, `"host": "HOST"`},
		{`"port": [0-9]+`, `"port": 5432`},
		{`"server_version": "[^"]*"`, `"server_version": "N"`},
		{`"user": "[^"]*"`, `"user": "USER"`},
		{`"serverVersion": "[^"]*"`, `"serverVersion": "N"`},
		{`"target": "[^"]*"`, `"target": "USER@SERVER/DB"`},
		{`server_version" value="[^"]*"`, `server_version" value="N"`},
		{`rbacdrift ([a-z]+ )?postgres://[^"]*"`, `rbacdrift ${1}TARGET"`},
		{`rbacdrift ([a-z]+ )?[^ "@]+@[^ "]+"`, `rbacdrift ${1}TARGET"`},
		{`\(PostgreSQL [0-9.]+[^)]*\)`, `(PostgreSQL N)`},
	} {
		out = regexpReplace(out, re.from, re.to)
	}
	return out
}

// TestFleet: a healthy, a drifted and an unreachable database in one run:
// one report for all, the unreachable one its own error, the exit code the
// worst (3); the password from the environment never shows.
func TestFleet(t *testing.T) {
	legacy, normalised := referenceDBs(t)
	const secret = "fleet-s3cret-pw"
	dir := t.TempDir()
	targets := filepath.Join(dir, "targets.yaml")
	gone := fmt.Sprintf("postgres://nobody:%s@127.0.0.1:%d/none?sslmode=disable&connect_timeout=2", secret, pgtest.FreePort(t))
	t.Setenv("RBACDRIFT_TEST_LEGACY_URL", legacy.URL)
	os.WriteFile(targets, []byte(fmt.Sprintf(`- name: staging
  db: %s
- name: production
  db: ${RBACDRIFT_TEST_LEGACY_URL}
- name: gone
  db: %s
`, normalised.URL, gone)), 0o644)
	for _, format := range formatNames {
		t.Run(format, func(t *testing.T) {
			code, stdout, stderr := runIn(t, "", "check", "--targets", targets, "--spec", "../../testdata/reference/normalised.yaml",
				"--format", format, "--parallel", "2")
			if code != exitConnect {
				t.Fatalf("exit %d, want %d\n%s", code, exitConnect, stderr)
			}
			if strings.Contains(stdout+stderr, secret) {
				t.Fatalf("the password is in the output")
			}
			out := strings.ReplaceAll(stableReport(t, stdout, legacy.Name, normalised.Name), gone, "GONE")
			out = regexpReplace(out, `127\.0\.0\.1:[0-9]+`, "127.0.0.1:PORT")
			golden.Check(t, filepath.Join("testdata/golden", "fleet."+format), []byte(out))
		})
	}
	code, stdout, _ := runIn(t, "", "check", "--targets", targets, "--spec", "../../testdata/reference/normalised.yaml", "--format", "json")
	var fleet report.Fleet
	if err := json.Unmarshal([]byte(stdout), &fleet); err != nil || code != exitConnect {
		t.Fatalf("exit %d, %v\n%s", code, err, stdout)
	}
	sum := fleet.Summary
	if sum.Targets != 3 || sum.Clean != 1 || sum.Failed != 1 || sum.Unreachable != 1 {
		t.Errorf("summary %+v, want 3 targets: 1 clean, 1 failed, 1 unreachable", sum)
	}
	if fleet.Targets[2].Name != "gone" || fleet.Targets[2].Error == "" || len(fleet.Targets[1].Findings) == 0 {
		t.Errorf("targets: %+v", fleet.Targets)
	}
}

// TestFleetShards: the shards of any N partition the fleet, by name.
func TestFleetShards(t *testing.T) {
	t.Parallel()
	_, normalised := referenceDBs(t)
	dir := t.TempDir()
	targets := filepath.Join(dir, "targets.yaml")
	var b strings.Builder
	var all []string
	for i := range 7 {
		name := fmt.Sprintf("db-%d", i)
		all = append(all, name)
		fmt.Fprintf(&b, "- { name: %s, db: %q }\n", name, normalised.URL)
	}
	os.WriteFile(targets, []byte(b.String()), 0o644)
	var union []string
	for k := 1; k <= 3; k++ {
		code, stdout, stderr := runIn(t, "", "check", "--targets", targets, "--spec", "../../testdata/reference/normalised.yaml",
			"--no-queries", "--shard", fmt.Sprintf("%d/3", k), "--format", "json")
		if code != exitOK {
			t.Fatalf("shard %d/3: exit %d\n%s", k, code, stderr)
		}
		var fleet report.Fleet
		if err := json.Unmarshal([]byte(stdout), &fleet); err != nil {
			t.Fatal(err)
		}
		for _, tg := range fleet.Targets {
			union = append(union, tg.Name)
		}
	}
	sort.Strings(union)
	if diff := cmp.Diff(all, union); diff != "" {
		t.Errorf("the union of the shards (-want +got):\n%s", diff)
	}
	code, _, stderr := runIn(t, "", "check", "--targets", targets, "--spec", "../../testdata/reference/normalised.yaml", "--shard", "4/3")
	if code != exitUsage || !strings.Contains(stderr, "--shard: want K/N") {
		t.Errorf("--shard 4/3: exit %d\n%s", code, stderr)
	}
}

// TestFleetRoleMap: a target's run_as replaces the model's, so one model
// checks staging (app_staging) and production (app) with their own roles.
func TestFleetRoleMap(t *testing.T) {
	t.Parallel()
	staging, prod := pgtest.NewDB(t), pgtest.NewDB(t)
	staging.ExecFile(t, "../../testdata/reference/normalised.sql")
	prod.ExecFile(t, "../../testdata/reference/normalised.sql")
	appStaging, app, noGrants := staging.Role(t, "app_staging"), prod.Role(t, "app"), prod.Role(t, "nogrants")
	staging.Exec(t, "GRANT SELECT ON ALL TABLES IN SCHEMA public TO "+pgx.Identifier{appStaging}.Sanitize())
	prod.Exec(t, "GRANT SELECT ON ALL TABLES IN SCHEMA public TO "+pgx.Identifier{app}.Sanitize())
	dir := t.TempDir()
	targets := filepath.Join(dir, "targets.yaml")
	os.WriteFile(targets, []byte(fmt.Sprintf(`- { name: staging, db: %q, run_as: %q }
- { name: production, db: %q, run_as: %q }
- { name: production-wrong-role, db: %q, run_as: %q }
`, staging.URL, appStaging, prod.URL, app, prod.URL, noGrants)), 0o644)
	code, stdout, stderr := runIn(t, "", "check", "--targets", targets, "--spec", "../../testdata/reference/normalised.yaml", "--format", "json")
	if code != exitDrift {
		t.Fatalf("exit %d, want %d\n%s", code, exitDrift, stderr)
	}
	var fleet report.Fleet
	if err := json.Unmarshal([]byte(stdout), &fleet); err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, tg := range fleet.Targets {
		got[tg.Name] = []string{}
		for _, f := range tg.Findings {
			got[tg.Name] = append(got[tg.Name], string(f.Code)+" "+f.Object)
		}
		slices.Sort(got[tg.Name])
	}
	want := map[string][]string{"staging": {}, "production": {},
		"production-wrong-role": {"query-permission-denied query:resolve_user_permissions"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings by target (-want +got):\n%s", diff)
	}
}

func regexpReplace(s, from, to string) string {
	return regexp.MustCompile(from).ReplaceAllString(s, to)
}
