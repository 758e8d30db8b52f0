package migrations

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/rbacdrift/rbacdrift/internal/testutil/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

const fixtures = "../../testdata/migrations/"

// A historyCase writes a history table as the tool writes it and says what
// Compare must find.
type historyCase struct {
	name  string
	setup string   // SQL run as the superuser before the read; empty: no history table
	want  []string // "code severity object", in Compare's order
	hint  string   // a phrase the first finding's hint must hold
}

// runCases reads each case's history in a READ ONLY transaction and checks
// that the read assigned no transaction ID, i.e. wrote nothing.
func runCases(t *testing.T, opts Options, cases []historyCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			db := pgtest.NewDB(t)
			if tc.setup != "" {
				db.Exec(t, tc.setup)
			}
			got, findings := readAndCompare(t, db.Conn(t), opts)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
			if tc.hint != "" && (len(findings) == 0 || !strings.Contains(findings[0].Hint, tc.hint)) {
				t.Errorf("first finding's hint does not say %q: %+v", tc.hint, findings)
			}
			for _, f := range findings {
				t.Logf("%s %s\n  expected %s, actual %s\n  %s\n  file %s\n  hint: %s", f.Code, f.Object, f.Expected, f.Actual, f.Message, f.File, f.Hint)
				if f.Message == "" || f.Hint == "" || f.File == "" || f.Object == "" {
					t.Errorf("finding lacks message, hint, file or object: %+v", f)
				}
			}
		})
	}
}

func readAndCompare(t testing.TB, conn *pgx.Conn, opts Options) ([]string, []*Finding) {
	t.Helper()
	ctx := context.Background()
	f, err := ReadFolder(opts)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	h, err := ReadHistory(ctx, tx, f, opts)
	if err != nil {
		t.Fatal(err)
	}
	if xid := assignedXID(t, tx); xid != nil {
		t.Errorf("reading the history assigned transaction %d: something was written", *xid)
	}
	findings := Compare(f, h)
	var got []string
	for _, fi := range findings {
		got = append(got, string(fi.Code)+" "+string(fi.Severity)+" "+fi.Object)
	}
	return got, findings
}

// assignedXID returns the transaction ID the server assigned tx, which it
// does at the first write; nil when tx has written nothing.
func assignedXID(t testing.TB, tx pgx.Tx) *int64 {
	t.Helper()
	var xid *int64
	if err := tx.QueryRow(context.Background(), "SELECT txid_current_if_assigned()").Scan(&xid); err != nil {
		t.Fatal(err)
	}
	return xid
}

// TestWriteProbe is the positive control of the check in readAndCompare: an
// INSERT does get a transaction ID.
func TestWriteProbe(t *testing.T) {
	ctx := context.Background()
	db := pgtest.NewDB(t)
	db.Exec(t, drizzleHistory())
	tx, err := db.Conn(t).Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if xid := assignedXID(t, tx); xid != nil {
		t.Fatalf("a fresh transaction has ID %d", *xid)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES ('x', 1)`); err != nil {
		t.Fatal(err)
	}
	if assignedXID(t, tx) == nil {
		t.Error("an INSERT left no transaction ID: the write probe sees nothing")
	}
}

// drizzle's table as drizzle-orm's pg dialect creates it, and its insert.
func drizzleHistory(rows ...string) string {
	s := `CREATE SCHEMA IF NOT EXISTS "drizzle";
CREATE TABLE IF NOT EXISTS "drizzle"."__drizzle_migrations" (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint);
`
	for _, r := range rows {
		s += `insert into "drizzle"."__drizzle_migrations" ("hash", "created_at") values(` + r + ");\n"
	}
	return s
}

// SHA-256 of the drizzle fixture files, by sha256sum.
const (
	drizzleHash0 = "'33c0094444b2c90e99b6c7f8019b7904f8dee7ac81e5cce8d1ede6221a4553d4', 1704456000000"
	drizzleHash1 = "'1af17fc7e5ec9750d5945860795f779c051779462ecff9d01905bfd68f58e841', 1704542400000"
	drizzleHash2 = "'b4f6385b046506983c6127c8eb6517154adf9c0d3f9dac4504f70cea484e13d8', 1704628800000"
)

func TestDrizzle(t *testing.T) {
	runCases(t, Options{Dir: fixtures + "drizzle", Tool: Drizzle}, []historyCase{
		{name: "in sync", setup: drizzleHistory(drizzleHash0, drizzleHash1, drizzleHash2)},
		{
			name: "pending", setup: drizzleHistory(drizzleHash0, drizzleHash1),
			want: []string{"migration-pending error migration:0002_role_permissions"},
			hint: "drizzle's command is npx drizzle-kit migrate",
		},
		{
			name: "merged late, skipped by drizzle", setup: drizzleHistory(drizzleHash0, drizzleHash2),
			want: []string{"migration-pending error migration:0001_create_permissions"},
			hint: "drizzle-kit migrate will skip it",
		},
		{
			name: "unknown", setup: drizzleHistory(drizzleHash0, drizzleHash1, drizzleHash2, "'0123', 1704715200000"),
			want: []string{"migration-unknown warning migration:created_at=1704715200000"},
		},
		{
			name: "modified", setup: drizzleHistory(drizzleHash0, "'0123', 1704542400000", drizzleHash2),
			want: []string{"migration-modified error migration:0001_create_permissions"},
		},
		{
			name: "history missing",
			want: []string{"migration-history-missing warning table:drizzle.__drizzle_migrations"},
			hint: "npx drizzle-kit migrate",
		},
	})
}

// drizzle-kit 1.0's table, with name and applied_at.
func drizzleV1History(rows ...string) string {
	s := `CREATE SCHEMA IF NOT EXISTS "drizzle";
CREATE TABLE IF NOT EXISTS "drizzle"."__drizzle_migrations" (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint, name text, applied_at timestamp with time zone DEFAULT now());
`
	for _, r := range rows {
		s += `insert into "drizzle"."__drizzle_migrations" ("hash", "created_at", "name") values(` + r + ");\n"
	}
	return s
}

func TestDrizzleFolders(t *testing.T) {
	r0 := drizzleHash0 + ", '20240105120000_create_roles'"
	r1 := drizzleHash1 + ", '20240106120000_create_permissions'"
	runCases(t, Options{Dir: fixtures + "drizzle-v1"}, []historyCase{
		{name: "in sync", setup: drizzleV1History(r0, r1)},
		{name: "pending", setup: drizzleV1History(r0), want: []string{"migration-pending error migration:20240106120000_create_permissions"}},
		{
			name: "unknown", setup: drizzleV1History(r0, r1, "'0123', 1704628800000, '20240107120000_other_branch'"),
			want: []string{"migration-unknown warning migration:20240107120000_other_branch"},
		},
		{
			name: "modified", setup: drizzleV1History(r0, "'0123', 1704542400000, '20240106120000_create_permissions'"),
			want: []string{"migration-modified error migration:20240106120000_create_permissions"},
		},
		{
			// rows written before the name column existed are matched by created_at
			name: "rows of the journal era", setup: drizzleHistory(drizzleHash0, drizzleHash1),
		},
	})
}

// Prisma's table as the schema engine creates it on PostgreSQL, and its rows.
func prismaHistory(rows ...string) string {
	s := `CREATE TABLE "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
);
`
	for i, r := range rows {
		s += fmt.Sprintf(`INSERT INTO "_prisma_migrations" ("id", "checksum", "migration_name", "finished_at", "logs", "rolled_back_at", "started_at", "applied_steps_count") VALUES ('%08d-0000-4000-8000-000000000000', %s, timestamptz '2024-02-01 10:00Z' + interval '%d minutes', 1);
`, i, r, i)
	}
	return s
}

// SHA-256 of the prisma fixture files by sha256sum: as written, with LF
// turned into CRLF (sed 's/$/\r/'), and in the old unpadded format.
const (
	prismaSum0      = "01b5cf9b7d836d2ded4465c402d5c8fc3ab849363d0b279f59f6390e02baf4f8"
	prismaSum0CRLF  = "17c5d53bcdeffb11f80d6597176b4a2a74867be319e65ff49a0c289a7bb18848"
	prismaSum0Old   = "1b5cf9b7d836d2ded4465c42d5c8fc3ab849363db279f59f639e2baf4f8"
	prismaSum1      = "7c7961b1a0d0409a0528e01fbcc8121096cd83ad9c2cbb0498c5b41459e74e33"
	prismaSum2      = "e0c31a22069afafb733462f7a4b4e8f936bb4204f4c4aaf3c8b14eb296e1bb23"
	prismaName0     = "20240105120000_init"
	prismaName1     = "20240106120000_add_permissions"
	prismaName2     = "20240107120000_role_permissions"
	prismaFinished  = "now(), NULL, NULL"
	prismaFailedRow = "NULL, 'ERROR: relation \"roles\" does not exist', NULL"
	prismaRolled    = "NULL, 'ERROR: type \"permission_scope\" already exists', now()"
)

func prismaRow(sum, name, state string) string {
	return fmt.Sprintf("'%s', '%s', %s", sum, name, state)
}

func TestPrisma(t *testing.T) {
	r0 := prismaRow(prismaSum0, prismaName0, prismaFinished)
	r1 := prismaRow(prismaSum1, prismaName1, prismaFinished)
	r2 := prismaRow(prismaSum2, prismaName2, prismaFinished)
	runCases(t, Options{Dir: fixtures + "prisma"}, []historyCase{
		{name: "in sync", setup: prismaHistory(r0, r1, r2)},
		{name: "in sync, checksum of CRLF text", setup: prismaHistory(prismaRow(prismaSum0CRLF, prismaName0, prismaFinished), r1, r2)},
		{name: "in sync, unpadded checksum of an old engine", setup: prismaHistory(prismaRow(prismaSum0Old, prismaName0, prismaFinished), r1, r2)},
		{
			name: "pending", setup: prismaHistory(r0, r1),
			want: []string{"migration-pending error migration:" + prismaName2},
			hint: "npx prisma migrate deploy",
		},
		{
			name: "rolled back does not count", setup: prismaHistory(r0, r1, prismaRow(prismaSum2, prismaName2, prismaRolled)),
			want: []string{"migration-pending error migration:" + prismaName2},
		},
		{
			name: "failed", setup: prismaHistory(r0, r1, prismaRow(prismaSum2, prismaName2, prismaFailedRow)),
			want: []string{"migration-failed error migration:" + prismaName2},
			hint: "npx prisma migrate resolve --rolled-back " + prismaName2,
		},
		{
			name: "modified", setup: prismaHistory(r0, prismaRow(prismaSum2, prismaName1, prismaFinished), r2),
			want: []string{"migration-modified error migration:" + prismaName1},
		},
		{
			name: "unknown", setup: prismaHistory(r0, r1, r2, prismaRow(prismaSum2, "20240108120000_other_branch", prismaFinished)),
			want: []string{"migration-unknown warning migration:20240108120000_other_branch"},
		},
		{name: "history missing", want: []string{"migration-history-missing warning table:_prisma_migrations"}},
	})
}

func TestPrismaChecksumLineEndings(t *testing.T) {
	// The cases of prisma-engines' script_matches_checksum_is_line_ending_agnostic.
	for _, pair := range [][2]string{
		{"ab\ncd\nef\ngh\rab", "ab\r\ncd\r\nef\r\ngh\rab"},
		{"ab\ncd\nef\ngh\rab\n", "ab\r\ncd\r\nef\r\ngh\rab\r\n"},
	} {
		for _, script := range pair {
			for _, other := range pair {
				m := &Migration{Checksum: sha256Hex(script), accept: []string{
					sha256Hex(strings.ReplaceAll(script, "\r\n", "\n")), sha256Hex(strings.ReplaceAll(script, "\n", "\r\n")),
				}}
				if !prismaMatches(m, sha256Hex(other)) {
					t.Errorf("%q does not match the checksum of %q", script, other)
				}
			}
		}
	}
	if m := (&Migration{Checksum: sha256Hex("abc\n")}); prismaMatches(m, sha256Hex("abc")) {
		t.Error(`"abc\n" matches the checksum of "abc"`)
	}
	if got, want := sha256Hex("hello"), "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"; got != want {
		t.Errorf("sha256Hex(hello) = %s, want %s", got, want)
	}
}

// goose's table as its postgres dialect creates it, with the version 0 row.
func gooseHistory(rows ...string) string {
	s := `CREATE TABLE goose_db_version (
		id integer PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY,
		version_id bigint NOT NULL,
		is_applied boolean NOT NULL,
		tstamp timestamp NOT NULL DEFAULT now()
	);
INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, true);
`
	for _, r := range rows {
		s += "INSERT INTO goose_db_version (version_id, is_applied) VALUES (" + r + ");\n"
	}
	return s
}

func TestGoose(t *testing.T) {
	runCases(t, Options{Dir: fixtures + "goose"}, []historyCase{
		{name: "in sync", setup: gooseHistory("1, true", "2, true", "3, true")},
		{
			name: "pending", setup: gooseHistory("1, true", "2, true"),
			want: []string{"migration-pending error migration:00003_role_permissions"},
			hint: `goose -dir ../../testdata/migrations/goose postgres "$DATABASE_URL" up`,
		},
		{
			name: "out of order", setup: gooseHistory("1, true", "3, true"),
			want: []string{"migration-pending error migration:00002_create_permissions"},
			hint: "-allow-missing",
		},
		{
			name: "newest row says not applied", setup: gooseHistory("1, true", "2, true", "3, true", "3, false"),
			want: []string{"migration-pending error migration:00003_role_permissions"},
			hint: "is_applied = false",
		},
		{
			name: "unknown", setup: gooseHistory("1, true", "2, true", "3, true", "20240101000000, true"),
			want: []string{"migration-unknown warning migration:20240101000000"},
		},
		{
			name: "only the initial row", setup: gooseHistory(),
			want: []string{
				"migration-pending error migration:00001_create_roles",
				"migration-pending error migration:00002_create_permissions",
				"migration-pending error migration:00003_role_permissions",
			},
		},
		{name: "history missing", want: []string{"migration-history-missing warning table:goose_db_version"}},
	})
}

// golang-migrate's table as its postgres driver creates it, and SetVersion's insert.
func golangMigrateHistory(row string) string {
	s := "CREATE TABLE IF NOT EXISTS schema_migrations (version bigint not null primary key, dirty boolean not null);\n"
	if row != "" {
		s += "INSERT INTO schema_migrations (version, dirty) VALUES (" + row + ");\n"
	}
	return s
}

func TestGolangMigrate(t *testing.T) {
	opts := Options{Dir: fixtures + "golang-migrate", Tool: GolangMigrate}
	runCases(t, opts, []historyCase{
		{name: "in sync", setup: golangMigrateHistory("3, false")},
		{
			name: "pending", setup: golangMigrateHistory("2, false"),
			want: []string{"migration-pending error migration:3_role_permissions"},
			hint: `migrate -path ../../testdata/migrations/golang-migrate -database "$DATABASE_URL" up`,
		},
		{
			name: "dirty", setup: golangMigrateHistory("3, true"),
			want: []string{"migration-failed error migration:3_role_permissions"},
			hint: "force V, where V is 3 if you finished it or 2 if you undid it",
		},
		{
			name: "unknown", setup: golangMigrateHistory("4, false"),
			want: []string{"migration-unknown warning migration:4"},
		},
		{
			name: "empty table", setup: golangMigrateHistory(""),
			want: []string{
				"migration-pending error migration:1_create_roles",
				"migration-pending error migration:2_create_permissions",
				"migration-pending error migration:3_role_permissions",
			},
		},
		{name: "history missing", want: []string{"migration-history-missing warning table:schema_migrations"}},
	})
}

// Flyway's table as its PostgreSQL createMetaDataTable.sql creates it.
func flywayHistory(rows ...string) string {
	s := `CREATE TABLE "flyway_schema_history" (
    "installed_rank" INT NOT NULL,
    "version" VARCHAR(50),
    "description" VARCHAR(200) NOT NULL,
    "type" VARCHAR(20) NOT NULL,
    "script" VARCHAR(1000) NOT NULL,
    "checksum" INTEGER,
    "installed_by" VARCHAR(100) NOT NULL,
    "installed_on" TIMESTAMP NOT NULL DEFAULT now(),
    "execution_time" INTEGER NOT NULL,
    "success" BOOLEAN NOT NULL
);
ALTER TABLE "flyway_schema_history" ADD CONSTRAINT "flyway_schema_history_pk" PRIMARY KEY ("installed_rank");
CREATE INDEX "flyway_schema_history_s_idx" ON "flyway_schema_history" ("success");
`
	for i, r := range rows {
		success := "true"
		if rest, ok := strings.CutPrefix(r, "!"); ok {
			r, success = rest, "false"
		}
		s += fmt.Sprintf(`INSERT INTO "flyway_schema_history" ("installed_rank", "version", "description", "type", "script", "checksum", "installed_by", "execution_time", "success") VALUES (%d, %s, 'postgres', 7, %s);
`, i+1, r, success)
	}
	return s
}

// Flyway checksums of the fixture files: CRC-32 of the lines without their
// terminators, as signed integers, computed with Python's zlib.crc32.
const (
	flywayV1   = `'1', 'create roles', 'SQL', 'V1__create_roles.sql', -1838298452`
	flywayV11  = `'1.1', 'create permissions', 'SQL', 'V1_1__create_permissions.sql', 312176859`
	flywayV2   = `'2', 'role permissions', 'SQL', 'V2__role_permissions.sql', 283944998`
	flywayR    = `NULL, 'role permission names', 'SQL', 'R__role_permission_names.sql', -405475628`
	flywayROld = `NULL, 'role permission names', 'SQL', 'R__role_permission_names.sql', 12345`
)

func TestFlyway(t *testing.T) {
	failed := func(r string) string { return "!" + r }
	runCases(t, Options{Dir: fixtures + "flyway"}, []historyCase{
		{name: "in sync", setup: flywayHistory(flywayV1, flywayV11, flywayV2, flywayR)},
		{
			name: "pending", setup: flywayHistory(flywayV1, flywayV11),
			want: []string{"migration-pending error migration:V2__role_permissions", "migration-pending error migration:R__role_permission_names"},
			hint: "flyway -locations=filesystem:../../testdata/migrations/flyway migrate",
		},
		{
			name: "out of order", setup: flywayHistory(flywayV1, flywayV2, flywayR),
			want: []string{"migration-pending error migration:V1_1__create_permissions"},
			hint: "-outOfOrder=true",
		},
		{
			name: "modified", setup: flywayHistory(strings.Replace(flywayV1, "-1838298452", "-1", 1), flywayV11, flywayV2, flywayR),
			want: []string{"migration-modified error migration:V1__create_roles"},
			hint: "flyway -locations=filesystem:../../testdata/migrations/flyway repair",
		},
		{
			name: "repeatable changed", setup: flywayHistory(flywayV1, flywayV11, flywayV2, flywayROld),
			want: []string{"migration-pending error migration:R__role_permission_names"},
			hint: "runs it again",
		},
		{
			name: "repeatable ran again", setup: flywayHistory(flywayV1, flywayV11, flywayV2, flywayROld, flywayR),
		},
		{
			name: "failed", setup: flywayHistory(flywayV1, flywayV11, failed(flywayV2)),
			want: []string{"migration-failed error migration:V2__role_permissions", "migration-pending error migration:R__role_permission_names"},
			hint: "repair",
		},
		{
			name: "baseline", setup: flywayHistory(`'1.1', '<< Flyway Baseline >>', 'BASELINE', '<< Flyway Baseline >>', NULL`, flywayV2, flywayR),
		},
		{
			name: "unknown", setup: flywayHistory(flywayV1, flywayV11, flywayV2, flywayR, `'3', 'other branch', 'SQL', 'V3__other_branch.sql', 99`),
			want: []string{"migration-unknown warning migration:V3__other_branch"},
		},
		{name: "history missing", want: []string{"migration-history-missing warning table:flyway_schema_history"}},
	})
}

func TestFlywayChecksum(t *testing.T) {
	// Line endings and a byte order mark do not change Flyway's checksum;
	// the value is zlib.crc32(b"ab") as a signed integer.
	for _, s := range []string{"a\nb\n", "a\r\nb\r\n", "a\rb", "\uFEFFa\nb", "a\n\nb\n"} {
		if got := flywayChecksum(s); got != -1635563411 {
			t.Errorf("flywayChecksum(%q) = %d, want -1635563411", s, got)
		}
	}
	if got := flywayChecksum(""); got != 0 {
		t.Errorf("flywayChecksum(\"\") = %d, want 0", got)
	}
	for _, c := range []struct{ a, b string }{{"1", "1.0"}, {"1_1", "1.1"}, {"001.2", "1.2"}} {
		va, _ := flywayVersion(c.a)
		vb, _ := flywayVersion(c.b)
		if flywayCompare(va, vb) != 0 {
			t.Errorf("version %s != %s", c.a, c.b)
		}
	}
}

// sqlx's table as sqlx-postgres creates it, and its insert.
func sqlxHistory(rows ...string) string {
	s := `CREATE TABLE IF NOT EXISTS _sqlx_migrations (
    version BIGINT PRIMARY KEY,
    description TEXT NOT NULL,
    installed_on TIMESTAMPTZ NOT NULL DEFAULT now(),
    success BOOLEAN NOT NULL,
    checksum BYTEA NOT NULL,
    execution_time BIGINT NOT NULL
);
`
	for _, r := range rows {
		s += "INSERT INTO _sqlx_migrations ( version, description, success, checksum, execution_time ) VALUES ( " + r + ", 1042 );\n"
	}
	return s
}

// SHA-384 of the sqlx fixture files, by sha384sum.
const (
	sqlx0 = `20240105120000, 'create roles', TRUE, '\x4e5d77a8457a06ddb3ef582f25a50ffb4645dfc72b6088c5d057f97e24ba7de14c8ad7ddee9b3132f01f64bfa56aaa72'`
	sqlx1 = `20240106120000, 'create permissions', TRUE, '\x9937d73704240d2b4ad24ff1a3c6b5a4eb1e0a48a80b6b295e59fe43370f16326f98f8b02f2d8cf4f3c96e78e6f081b2'`
	sqlx2 = `20240107120000, 'role permissions', TRUE, '\x630d7295081450094f94fce2bd5cba469d17d504cba4c55a8903336eed26869b79338b82ff3cc4fedea059461bd3848c'`
)

func TestSqlx(t *testing.T) {
	opts := Options{Dir: fixtures + "sqlx", Tool: Sqlx}
	runCases(t, opts, []historyCase{
		{name: "in sync", setup: sqlxHistory(sqlx0, sqlx1, sqlx2)},
		{
			name: "pending", setup: sqlxHistory(sqlx0, sqlx1),
			want: []string{"migration-pending error migration:20240107120000_role_permissions"},
			hint: "sqlx migrate run --source ../../testdata/migrations/sqlx",
		},
		{
			name: "modified", setup: sqlxHistory(sqlx0, strings.Replace(sqlx1, `\x99`, `\x98`, 1), sqlx2),
			want: []string{"migration-modified error migration:20240106120000_create_permissions"},
		},
		{
			name: "failed", setup: sqlxHistory(sqlx0, sqlx1, strings.Replace(sqlx2, "TRUE", "FALSE", 1)),
			want: []string{"migration-failed error migration:20240107120000_role_permissions"},
			hint: "DELETE FROM _sqlx_migrations WHERE version = 20240107120000",
		},
		{
			name: "unknown", setup: sqlxHistory(sqlx0, sqlx1, sqlx2, `20240108120000, 'other branch', TRUE, '\x00'`),
			want: []string{"migration-unknown warning migration:20240108120000_other_branch"},
		},
		{name: "history missing", want: []string{"migration-history-missing warning table:_sqlx_migrations"}},
	})
}

func TestReadFolderOrderAndChecksums(t *testing.T) {
	for _, tc := range []struct {
		dir       string
		tool      Tool
		names     []string
		checksums []string
	}{
		{"drizzle", "", []string{"0000_create_roles", "0001_create_permissions", "0002_role_permissions"}, nil},
		{"flyway", "", []string{"V1__create_roles", "V1_1__create_permissions", "V2__role_permissions", "R__role_permission_names"},
			[]string{"-1838298452", "312176859", "283944998", "-405475628"}},
		{"sqlx", Sqlx, []string{"20240105120000_create_roles", "20240106120000_create_permissions", "20240107120000_role_permissions"}, nil},
		{"golang-migrate", GolangMigrate, []string{"1_create_roles", "2_create_permissions", "3_role_permissions"}, nil},
	} {
		f, err := ReadFolder(Options{Dir: fixtures + tc.dir, Tool: tc.tool})
		if err != nil {
			t.Fatal(err)
		}
		var names, sums []string
		for _, m := range f.Migrations {
			names = append(names, m.Name)
			sums = append(sums, m.Checksum)
		}
		if diff := cmp.Diff(tc.names, names); diff != "" {
			t.Errorf("%s: order (-want +got):\n%s", tc.dir, diff)
		}
		if tc.checksums != nil {
			if diff := cmp.Diff(tc.checksums, sums); diff != "" {
				t.Errorf("%s: checksums (-want +got):\n%s", tc.dir, diff)
			}
		}
	}
}

func TestDetect(t *testing.T) {
	for dir, want := range map[string]Tool{
		"drizzle": Drizzle, "drizzle-v1": Drizzle, "drizzle-reference": Drizzle,
		"prisma": Prisma, "goose": Goose, "flyway": Flyway, "dbmate": Dbmate,
	} {
		got, err := Detect(fixtures + dir)
		if err != nil || got != want {
			t.Errorf("Detect(%s) = %q, %v; want %q", dir, got, err, want)
		}
	}
	// .up.sql and .down.sql files fit both golang-migrate and sqlx: the
	// history table decides.
	for _, dir := range []string{"golang-migrate", "sqlx"} {
		_, err := Detect(fixtures + dir)
		var amb *AmbiguousError
		if !errors.As(err, &amb) || !slices.Equal(amb.Tools, []Tool{GolangMigrate, Sqlx}) {
			t.Errorf("Detect(%s): %v, want an ambiguity between golang-migrate and sqlx", dir, err)
		}
	}
	ctx := context.Background()
	for _, tc := range []struct {
		setup string
		want  Tool
	}{
		{golangMigrateHistory("3, false"), GolangMigrate},
		{sqlxHistory(sqlx0), Sqlx},
	} {
		db := pgtest.NewDB(t)
		db.Exec(t, tc.setup)
		got, err := DetectDB(ctx, db.Conn(t), fixtures+"sqlx")
		if err != nil || got != tc.want {
			t.Errorf("DetectDB = %q, %v; want %q", got, err, tc.want)
		}
	}
	db := pgtest.NewDB(t)
	if _, err := DetectDB(ctx, db.Conn(t), fixtures+"sqlx"); err == nil {
		t.Error("DetectDB without any history table: no error")
	}
}

func TestCustomTableWithQuotes(t *testing.T) {
	schema, table := `we"ird schema`, `hist"; DROP TABLE roles; --`
	db := pgtest.NewDB(t)
	ident := pgx.Identifier{schema, table}.Sanitize()
	db.Exec(t, `CREATE TABLE roles (id int);
CREATE SCHEMA `+pgx.Identifier{schema}.Sanitize()+`;
CREATE TABLE `+ident+` (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint);
INSERT INTO `+ident+` (hash, created_at) VALUES (`+drizzleHash0+`), (`+drizzleHash1+`);`)
	opts := Options{Dir: fixtures + "drizzle", Schema: schema, Table: table}
	got, _ := readAndCompare(t, db.Conn(t), opts)
	if diff := cmp.Diff([]string{"migration-pending error migration:0002_role_permissions"}, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	// the table name was not run as SQL
	db.Exec(t, "SELECT * FROM roles")

	// a name that does not exist is a missing history, not an error
	opts.Table = `no"such`
	got, _ = readAndCompare(t, db.Conn(t), opts)
	if diff := cmp.Diff([]string{`migration-history-missing warning table:we"ird schema.no"such`}, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}

func TestReadFolderErrors(t *testing.T) {
	dir := t.TempDir()
	write(t, dir+"/00001_init.sql", "-- +goose Up\nSELECT 1;\n")
	write(t, dir+"/init.sql", "-- +goose Up\nSELECT 1;\n")
	_, err := ReadFolder(Options{Dir: dir, Tool: Goose})
	if err == nil || !strings.Contains(err.Error(), dir+"/init.sql") {
		t.Errorf("goose folder with a file without a version: error %v does not name the file", err)
	}

	dir = t.TempDir()
	write(t, dir+"/meta/_journal.json", "{\n  \"entries\": [\n    {\"idx\": 0,,}\n  ]\n}\n")
	_, err = ReadFolder(Options{Dir: dir})
	if err == nil || !strings.Contains(err.Error(), dir+"/meta/_journal.json:3:") {
		t.Errorf("drizzle journal with a syntax error: error %v does not name file and line", err)
	}

	dir = t.TempDir()
	write(t, dir+"/meta/_journal.json", `{"entries": [{"idx": 0, "when": 1, "tag": "0000_missing"}]}`)
	_, err = ReadFolder(Options{Dir: dir})
	if err == nil || !strings.Contains(err.Error(), "0000_missing") {
		t.Errorf("drizzle journal naming a missing file: error %v does not name it", err)
	}
}

func write(t testing.TB, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}
