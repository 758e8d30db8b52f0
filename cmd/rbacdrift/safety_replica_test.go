package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rbacdrift/rbacdrift/drift"
	"github.com/rbacdrift/rbacdrift/drift/report"
	"github.com/rbacdrift/rbacdrift/internal/testutil/pgtest"
)

// TestSafetyHotStandby runs the full check, dry run and samples included,
// and a snapshot, on a streaming replica and on its primary: the findings
// and the model are the same, and the report says the replica is a hot
// standby.
func TestSafetyHotStandby(t *testing.T) {
	t.Parallel()
	primary := pgtest.StartCluster(t, pgtest.ClusterOptions{})
	adminConn(t, primary.URL("postgres", "", ""), "CREATE DATABASE rbac TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'")
	fixture, err := os.ReadFile("../../testdata/reference/normalised.sql")
	if err != nil {
		t.Fatal(err)
	}
	history, err := os.ReadFile("../../testdata/reference/legacy_drizzle_history.sql")
	if err != nil {
		t.Fatal(err)
	}
	const app = `app_user`
	adminConn(t, primary.URL("rbac", "", ""), "CREATE ROLE "+app+";\n"+string(fixture)+strings.ReplaceAll(safetySQL, "{{app}}", app)+string(history))
	model := filepath.Join(t.TempDir(), "rbacdrift.yaml")
	if err := os.WriteFile(model, []byte(strings.ReplaceAll(safetyModel, "{{app}}", app)), 0o644); err != nil {
		t.Fatal(err)
	}

	replica := pgtest.StartReplica(t, primary)
	// A change after the base backup reaches the replica by streaming.
	adminConn(t, primary.URL("rbac", "", ""), "CREATE INDEX users_created_at_idx ON users (created_at); INSERT INTO roles (name) VALUES ('auditor')")
	replica.CatchUp(t, primary)

	check := func(url string) (*report.Report, string) {
		t.Helper()
		code, stdout, stderr := rbacdrift(t.Context(), "check", "--db", url, "--spec", model, "--format", "json",
			"--migrations", "../../testdata/migrations/drizzle-reference")
		if code != exitDrift {
			t.Fatalf("check %s: exit %d, want %d\n%s", url, code, exitDrift, stderr)
		}
		var rep report.Report
		if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
			t.Fatalf("check %s: %v\n%s", url, err, stdout)
		}
		_, text, errText := rbacdrift(t.Context(), "check", "--db", url, "--spec", model)
		assertNoSecret(t, safetyPassword, map[string]string{"json": stdout, "text": text, "stderr": stderr + errText})
		return &rep, text
	}
	onPrimary, primaryText := check(primary.URL("rbac", "postgres", safetyPassword))
	onReplica, replicaText := check(replica.URL("rbac", "postgres", safetyPassword))

	if onPrimary.Target.InRecovery || onPrimary.Target.ReplayLagSeconds != nil {
		t.Errorf("primary reported as a standby: %+v", onPrimary.Target)
	}
	if !onReplica.Target.InRecovery || onReplica.Target.ReplayLagSeconds == nil {
		t.Errorf("replica not reported as a hot standby with its lag: %+v", onReplica.Target)
	}
	if !regexp.MustCompile(`\(PostgreSQL [0-9.]+, hot standby( [0-9.]+s behind)?\)`).MatchString(replicaText) {
		t.Errorf("the text report does not say hot standby:\n%s", replicaText)
	}
	if strings.Contains(primaryText, "hot standby") {
		t.Errorf("the primary's text report says hot standby:\n%s", primaryText)
	}
	// The migration history reads on a standby as on its primary.
	if !slices.ContainsFunc(onReplica.Findings, func(f *drift.Finding) bool {
		return f.Code == drift.MigrationPending && f.Object == "migration:0007_normalise_rbac"
	}) {
		t.Errorf("the replica's check does not report the pending migration")
	}
	if onReplica.Checked.Queries == 0 || len(onReplica.Findings) == 0 {
		t.Errorf("the replica's check dry-ran %d queries and found %d findings; want the full check", onReplica.Checked.Queries, len(onReplica.Findings))
	}
	if diff := cmp.Diff(onPrimary.Findings, onReplica.Findings); diff != "" {
		t.Errorf("findings differ (-primary +replica):\n%s", diff)
	}
	if diff := cmp.Diff(onPrimary.Checked, onReplica.Checked); diff != "" {
		t.Errorf("checked differ (-primary +replica):\n%s", diff)
	}
	// The samples ran on both: the sampled reads gave rows.
	for _, f := range onReplica.Findings {
		if f.Object == "query:resolve_user_permissions" {
			t.Errorf("the sampled read failed on the replica: %+v", f)
		}
	}

	snapshot := func(url string) string {
		t.Helper()
		code, stdout, stderr := rbacdrift(t.Context(), "snapshot", "--db", url, "--grants-for", app)
		if code != exitOK {
			t.Fatalf("snapshot %s: exit %d\n%s", url, code, stderr)
		}
		// The header names the server and the time.
		return regexp.MustCompile(`(?m)^#.*\n`).ReplaceAllString(stdout, "")
	}
	if diff := cmp.Diff(snapshot(primary.URL("rbac", "", "")), snapshot(replica.URL("rbac", "", ""))); diff != "" {
		t.Errorf("snapshots differ (-primary +replica):\n%s", diff)
	}
}
