package migrations

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/rbacdrift/rbacdrift/internal/testutil/pgtest"
)

const supabaseDir = fixtures + "supabase/supabase/migrations"

// supabaseHistory is the CLI's table as CreateMigrationTable leaves it, and
// the rows db push inserts.
func supabaseHistory(versions ...string) string {
	s := `CREATE SCHEMA IF NOT EXISTS supabase_migrations;
CREATE TABLE IF NOT EXISTS supabase_migrations.schema_migrations (version text NOT NULL PRIMARY KEY);
ALTER TABLE supabase_migrations.schema_migrations ADD COLUMN IF NOT EXISTS statements text[];
ALTER TABLE supabase_migrations.schema_migrations ADD COLUMN IF NOT EXISTS name text;
`
	for _, v := range versions {
		s += "INSERT INTO supabase_migrations.schema_migrations (version, name, statements) VALUES ('" + v + "', 'x', '{}');\n"
	}
	return s
}

func TestSupabase(t *testing.T) {
	runCases(t, Options{Dir: supabaseDir}, []historyCase{
		{name: "in sync", setup: supabaseHistory("20240105120000", "20240106120000", "20240107120000")},
		{
			name: "pending", setup: supabaseHistory("20240105120000", "20240106120000"),
			want: []string{"migration-pending error migration:20240107120000_role_permissions"},
			hint: `supabase db push --db-url "$DATABASE_URL"`,
		},
		{
			name: "older than the newest that ran", setup: supabaseHistory("20240105120000", "20240107120000"),
			want: []string{"migration-pending error migration:20240106120000_create_permissions"},
			hint: "--include-all",
		},
		{
			name: "unknown", setup: supabaseHistory("20240105120000", "20240106120000", "20240107120000", "20250101000000"),
			want: []string{"migration-unknown warning migration:20250101000000_x"},
			hint: "supabase migration repair --status reverted 20250101000000",
		},
		{
			name: "a CLI that kept no name", setup: "CREATE SCHEMA supabase_migrations; CREATE TABLE supabase_migrations.schema_migrations (version text PRIMARY KEY); INSERT INTO supabase_migrations.schema_migrations VALUES ('20240105120000'), ('20240106120000')",
			want: []string{"migration-pending error migration:20240107120000_role_permissions"},
		},
		{name: "history missing", want: []string{"migration-history-missing warning table:supabase_migrations.schema_migrations"}},
	})
}

// TestSupabaseDetect: the folder of a Supabase project is Supabase's by its
// context; the same files elsewhere are sqlx's by their layout, until the
// database holds Supabase's table and not sqlx's.
func TestSupabaseDetect(t *testing.T) {
	if got, err := Detect(supabaseDir); got != Supabase || err != nil {
		t.Errorf("Detect(supabase/migrations) = %q, %v", got, err)
	}
	bare := t.TempDir()
	for _, name := range []string{"20240105120000_create_roles.sql", "20240106120000_create_permissions.sql"} {
		b, err := os.ReadFile(filepath.Join(supabaseDir, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(bare, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := Detect(bare); got != Sqlx || err != nil {
		t.Errorf("Detect(bare folder) = %q, %v; want sqlx, by the layout alone", got, err)
	}
	ctx := context.Background()
	for _, tc := range []struct {
		name, setup string
		dir         string
		want        Tool
	}{
		{"no history: the layout", "", bare, Sqlx},
		{"only supabase's history: supabase", supabaseHistory("20240105120000"), bare, Supabase},
		{"only sqlx's history: sqlx", sqlxTable, bare, Sqlx},
		{"both: the layout's pick", supabaseHistory() + sqlxTable, bare, Sqlx},
		{"marked folder, only sqlx's history: sqlx", sqlxTable, supabaseDir, Sqlx},
		{"marked folder, both: supabase", supabaseHistory() + sqlxTable, supabaseDir, Supabase},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := pgtest.NewDB(t)
			if tc.setup != "" {
				db.Exec(t, tc.setup)
			}
			tx, err := db.Conn(t).BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly})
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback(ctx)
			got, err := DetectDB(ctx, tx, tc.dir)
			if err != nil || got != tc.want {
				t.Errorf("DetectDB = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

const sqlxTable = "CREATE TABLE _sqlx_migrations (version bigint PRIMARY KEY, description text NOT NULL, installed_on timestamptz NOT NULL DEFAULT now(), success boolean NOT NULL, checksum bytea NOT NULL, execution_time bigint NOT NULL);\n"

// TestColumnsError: a history table named for a tool that lacks its
// columns is a ColumnsError naming them, not a failed query.
func TestColumnsError(t *testing.T) {
	db := pgtest.NewDB(t)
	db.Exec(t, supabaseHistory("20240105120000"))
	ctx := context.Background()
	opts := Options{Dir: supabaseDir, Tool: Sqlx, Schema: "supabase_migrations", Table: "schema_migrations"}
	f, err := ReadFolder(opts)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := db.Conn(t).BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	_, err = ReadHistory(ctx, tx, f, opts)
	var ce *ColumnsError
	if !errors.As(err, &ce) {
		t.Fatalf("ReadHistory = %v, want a ColumnsError", err)
	}
	if diff := cmp.Diff([]string{"description", "success", "checksum"}, ce.Missing); diff != "" {
		t.Errorf("missing (-want +got):\n%s", diff)
	}
	if !strings.Contains(ce.Error(), "supabase_migrations.schema_migrations is not sqlx's history table: it has no column description, success, checksum") {
		t.Errorf("message: %s", ce.Error())
	}
	if !slices.Contains(ce.Have, "statements") {
		t.Errorf("have: %v", ce.Have)
	}
}
