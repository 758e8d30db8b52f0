package migrations

import (
	"fmt"
	"strings"
	"testing"

	"github.com/rbacdrift/rbacdrift/internal/testutil/pgtest"
)

// A history table is input: whatever it holds, reading it neither aborts
// the check nor floods the report.

func TestHostileHistoryValues(t *testing.T) {
	t.Run("drizzle", func(t *testing.T) {
		runCases(t, Options{Dir: fixtures + "drizzle", Tool: Drizzle}, []historyCase{
			{
				name: "NULL hash",
				setup: drizzleHistory(drizzleHash0, drizzleHash1) +
					`ALTER TABLE drizzle.__drizzle_migrations ALTER hash DROP NOT NULL;
INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES (NULL, 1704628800000);`,
				want: []string{"migration-modified error migration:0002_role_permissions"},
			},
			{
				name: "hash stored as an integer, created_at as text",
				setup: drizzleHistory(drizzleHash0, drizzleHash1, drizzleHash2) +
					`ALTER TABLE drizzle.__drizzle_migrations ALTER created_at TYPE text;
INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES ('x', 'soon');
ALTER TABLE drizzle.__drizzle_migrations ALTER hash TYPE bigint USING length(hash);`,
				want: []string{
					"migration-modified error migration:0000_create_roles",
					"migration-modified error migration:0001_create_permissions",
					"migration-modified error migration:0002_role_permissions",
					"migration-unknown warning migration:created_at=0",
				},
			},
		})
	})
	t.Run("flyway", func(t *testing.T) {
		runCases(t, Options{Dir: fixtures + "flyway"}, []historyCase{
			{
				name: "checksum stored as text",
				setup: flywayHistory(flywayV1, flywayV11, flywayV2, flywayR) +
					`ALTER TABLE flyway_schema_history ALTER checksum TYPE text;`,
			},
			{
				name: "checksum stored as bigint, a version that is not one",
				setup: flywayHistory(flywayV1, flywayV11, flywayV2, flywayR, `'x.y', 'odd', 'SQL', 'V_odd.sql', 1`) +
					`ALTER TABLE flyway_schema_history ALTER checksum TYPE bigint;
UPDATE flyway_schema_history SET checksum = 4294967296 WHERE installed_rank = 1;`,
				want: []string{"migration-modified error migration:V1__create_roles", "migration-unknown warning table:flyway_schema_history"},
			},
		})
	})
	t.Run("goose", func(t *testing.T) {
		runCases(t, Options{Dir: fixtures + "goose"}, []historyCase{
			{
				name: "version_id stored as text",
				setup: gooseHistory("1, true", "2, true", "3, true") +
					`ALTER TABLE goose_db_version ALTER version_id TYPE text, ALTER is_applied DROP NOT NULL;
INSERT INTO goose_db_version (version_id, is_applied) VALUES ('three', true), ('4', NULL);`,
				// is_applied NULL is not true: version 4 counts as rolled back.
				want: []string{"migration-unknown warning table:goose_db_version"},
			},
		})
	})
}

// A 100 MB name is cut on the server: the finding that reports it stays short.
func TestHostileHistoryHugeValue(t *testing.T) {
	db := pgtest.NewDB(t)
	db.Exec(t, `create table "knex_migrations" ("id" serial primary key, "name" text, "batch" integer, "migration_time" timestamptz);
insert into "knex_migrations" ("batch", "migration_time", "name") values
  (1, now(), '20240105120000_create_roles.js'), (1, now(), '20240106120000_create_permissions.js'),
  (1, now(), '20240107120000_role_permissions.js'), (1, now(), repeat('x', 100 << 20)), (1, now(), NULL);`)
	got, findings := readAndCompare(t, db.Conn(t), Options{Dir: fixtures + "knex"})
	want := "migration-unknown warning migration:" + strings.Repeat("x", MaxHistoryValue) + "…"
	if len(got) != 2 || got[0] != want || got[1] != "migration-unknown warning migration:(no name)" {
		t.Fatalf("findings: %.300q", got)
	}
	for _, f := range findings {
		if n := len(f.Object + f.Expected + f.Actual + f.Message + f.Hint); n > 2000 {
			t.Errorf("finding of %d bytes: %.200s", n, f.Message)
		}
	}
}

// A million rows no folder has: the rows read are capped, the unknown ones
// listed up to MaxUnknown and summed up in one finding, and the cut said.
func TestHostileHistoryManyRows(t *testing.T) {
	db := pgtest.NewDB(t)
	db.Exec(t, `create table "knex_migrations" ("id" serial primary key, "name" varchar(255), "batch" integer, "migration_time" timestamptz);
insert into "knex_migrations" ("batch", "migration_time", "name")
  select 1, now(), format('%s_unknown.js', i) from generate_series(1, 1000000) i;`)
	got, findings := readAndCompare(t, db.Conn(t), Options{Dir: fixtures + "knex"})
	// Three pending, MaxUnknown unknown, "and N more", the cut.
	if len(got) != 3+MaxUnknown+2 {
		t.Fatalf("%d findings, want %d: %q", len(got), 3+MaxUnknown+2, got)
	}
	more, cut := findings[len(findings)-2], findings[len(findings)-1]
	if n := MaxHistoryRows - MaxUnknown; !strings.Contains(more.Message, fmt.Sprintf("and %d more", n)) {
		t.Errorf("summary does not count %d more: %s", n, more.Message)
	}
	if !strings.Contains(cut.Message, fmt.Sprintf("more than %d rows", MaxHistoryRows)) {
		t.Errorf("the cut is not said: %s", cut.Message)
	}
	for _, g := range got[:3] {
		if !strings.HasPrefix(g, "migration-pending ") {
			t.Errorf("want the folder's migrations pending first: %q", got[:3])
		}
	}
}
