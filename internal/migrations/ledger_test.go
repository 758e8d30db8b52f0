package migrations

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rbacdrift/rbacdrift/internal/testutil/pgtest"
)

// TestLedgerReadsBack: what each SQL tool's ledger writes, as a replay
// writes it, is what ReadHistory reads as every migration having run, with
// the tool's checksums: the writer and the reader of each history table
// agree.
func TestLedgerReadsBack(t *testing.T) {
	for _, tc := range []struct {
		dir  string
		tool Tool
	}{
		{"drizzle", Drizzle}, {"drizzle-v1", Drizzle}, {"prisma", Prisma}, {"goose", Goose},
		{"golang-migrate", GolangMigrate}, {"flyway", Flyway}, {"sqlx", Sqlx}, {"dbmate", Dbmate},
		{"supabase/supabase/migrations", Supabase},
	} {
		t.Run(tc.dir, func(t *testing.T) {
			opts := Options{Dir: fixtures + tc.dir, Tool: tc.tool}
			f, err := ReadFolder(opts)
			if err != nil {
				t.Fatal(err)
			}
			l := f.Ledger(opts)
			db := pgtest.NewDB(t)
			db.Exec(t, l.Create)
			for i, m := range f.Migrations {
				if l.Before != nil {
					db.Exec(t, l.Before(m, i))
				}
				db.Exec(t, l.After(m, i))
			}
			got, _ := readAndCompare(t, db.Conn(t), opts)
			if diff := cmp.Diff([]string(nil), got); diff != "" {
				t.Errorf("findings after the ledger recorded every migration (-want +got):\n%s", diff)
			}
			var n int
			if err := db.Conn(t).QueryRow(context.Background(), "SELECT count(*) FROM "+l.Table.Sanitize()).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				t.Error("the ledger wrote no row")
			}
		})
	}
}
