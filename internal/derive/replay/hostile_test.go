package replay

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/rbacdrift/rbacdrift/internal/pgsession"
	"github.com/rbacdrift/rbacdrift/internal/safefile"
	"github.com/rbacdrift/rbacdrift/internal/testutil/pgtest"
	"github.com/rbacdrift/rbacdrift/introspect"
)

// sqlPlan is a plan of one golang-migrate migration holding sql.
func sqlPlan(t *testing.T, sql string) *Plan {
	t.Helper()
	dir := t.TempDir()
	file := filepath.Join(dir, "000001_hostile.up.sql")
	if err := os.WriteFile(file, []byte(sql), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := Read(dir, "golang-migrate")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func deriveErr(t *testing.T, p *Plan, dev *pgsession.Target, opts Options) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	opts.DevDB = dev
	opts.Selection = introspect.Selection{Schemas: []string{"public"}}
	if opts.Introspect.Timeout == 0 {
		opts.Introspect = snapOpts
	}
	_, err := Derive(ctx, p, opts)
	return err
}

// runNames records the database and migrator names of every run, through
// testHookNames.
var runNames = map[string]bool{}

func init() {
	testHookNames = func(db, role string) { runNames[db], runNames[role] = true, true }
}

// leftovers lists what this package's runs may have left on the server:
// scratch databases, migrator roles, the roles named, and busy sessions of
// the migrations. (Other packages' tests share the server.)
func leftovers(t *testing.T, url string, roles ...string) []string {
	t.Helper()
	for n := range runNames {
		roles = append(roles, n)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, _ := conn.Query(ctx, `SELECT 'database ' || datname FROM pg_database WHERE datname = ANY($1)
		UNION ALL SELECT 'role ' || rolname FROM pg_roles WHERE rolname = ANY($1)
		UNION ALL SELECT 'session ' || pid || ' on ' || datname FROM pg_stat_activity WHERE datname = ANY($1) OR usename = ANY($1)`, roles)
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// TestHostileMigrations: the migrations run as a role that owns the scratch
// database and nothing more. What only a superuser may do fails with the
// file and line and a hint, nothing of it happens, and nothing of the run is
// left on the server.
func TestHostileMigrations(t *testing.T) {
	server := pgtest.GetServer(t)
	dev := target(t, server.AdminURL)
	marker := filepath.Join(t.TempDir(), "pwned")
	tests := []struct {
		name, sql, msg string
	}{
		{"copy to program", "CREATE TABLE t (id int);\n\nCOPY (SELECT 1) TO PROGRAM 'touch " + marker + "';\n", "COPY to or from an external program"},
		{"copy to a file", "CREATE TABLE t (id int);\nCOPY t TO '" + marker + "';\n", "COPY to a file"},
		{"lo_export", "CREATE TABLE t (id int);\nSELECT lo_export(lo_from_bytea(0, 'x'), '" + marker + "');\n", "lo_export"},
		{"pg_read_file", "CREATE TABLE t (id int);\nSELECT pg_read_file('/etc/passwd');\n", "pg_read_file"},
		{"alter system", "\n\nALTER SYSTEM SET work_mem = '1GB';\n", "ALTER SYSTEM"},
		{"untrusted language", "CREATE TABLE t (id int);\nCREATE FUNCTION f() RETURNS int LANGUAGE c AS '/nonexistent.so', 'f';\n", "language c"},
		{"untrusted extension", "CREATE TABLE t (id int);\nCREATE EXTENSION pg_stat_statements;\n", "pg_stat_statements"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := deriveErr(t, sqlPlan(t, tt.sql), dev, Options{})
			var me *MigrationError
			if !errors.As(err, &me) {
				t.Fatalf("Derive = %v, want a MigrationError", err)
			}
			if me.Line != 2 && me.Line != 3 || !strings.HasSuffix(me.File, "000001_hostile.up.sql") || !strings.Contains(me.Error(), "42501") {
				t.Errorf("error = %v; want 42501 at 000001_hostile.up.sql line 2 or 3", me)
			}
			if !strings.Contains(strings.ToLower(me.Error()+me.Hint()), strings.ToLower(tt.msg)) && !strings.Contains(me.Error(), "permission denied") {
				t.Errorf("error = %v; want it to say what was refused", me)
			}
			if !strings.Contains(me.Hint(), "without superuser rights") && !strings.Contains(me.Hint(), "nothing more") {
				t.Errorf("hint = %q; want rbacdrift's explanation", me.Hint())
			}
			if _, err := os.Stat(marker); err == nil {
				t.Fatalf("the migration wrote %s", marker)
			}
			if left := leftovers(t, server.AdminURL); len(left) > 0 {
				t.Errorf("left behind: %v", left)
			}
		})
	}
	// The throwaway cluster applies them the same way.
	t.Run("throwaway cluster", func(t *testing.T) {
		err := deriveErr(t, sqlPlan(t, tests[0].sql), nil, Options{})
		var me *MigrationError
		if !errors.As(err, &me) || me.Line != 3 || !strings.Contains(me.Error(), "42501") {
			t.Fatalf("Derive = %v, want a 42501 MigrationError at line 3", err)
		}
		if _, err := os.Stat(marker); err == nil {
			t.Fatalf("the migration wrote %s", marker)
		}
	})
}

// TestTrustedExtension: an extension a database owner may create (trusted,
// PostgreSQL 13+) still works.
func TestTrustedExtension(t *testing.T) {
	server := pgtest.GetServer(t)
	p := sqlPlan(t, "CREATE EXTENSION IF NOT EXISTS pgcrypto;\nCREATE TABLE t (id uuid PRIMARY KEY DEFAULT gen_random_uuid());\n")
	if err := deriveErr(t, p, target(t, server.AdminURL), Options{}); err != nil {
		t.Fatalf("Derive: %v", err)
	}
}

// TestMigrationCreatesRole: on --dev-db a role the migrations create is
// dropped after the run, so a second run succeeds too. Before PostgreSQL 16
// the migrator may not create roles at all, and says why.
func TestMigrationCreatesRole(t *testing.T) {
	server := pgtest.GetServer(t)
	dev := target(t, server.AdminURL)
	role := fmt.Sprintf("hostile_app_%d", time.Now().UnixNano())
	p := sqlPlan(t, "CREATE ROLE "+role+" LOGIN PASSWORD 'x';\nCREATE TABLE t (id int);\nGRANT SELECT ON t TO "+role+";\nGRANT CREATE ON SCHEMA public TO "+role+";\nALTER TABLE t OWNER TO "+role+";\n")
	version := serverVersion(t, server.AdminURL)
	for run := 1; run <= 2; run++ {
		err := deriveErr(t, p, dev, Options{})
		if version >= 160000 {
			if err != nil {
				t.Fatalf("run %d: %v", run, err)
			}
		} else {
			var me *MigrationError
			if !errors.As(err, &me) || me.Line != 1 || !strings.Contains(me.Hint(), "PostgreSQL 16") {
				t.Fatalf("run %d: Derive = %v; want a MigrationError at line 1 whose hint names PostgreSQL 16", run, err)
			}
		}
		if left := leftovers(t, server.AdminURL, role); len(left) > 0 {
			t.Errorf("run %d left behind: %v", run, left)
		}
	}
}

// TestDevDBNotSuperuser: a --dev-db role with CREATEDB and CREATEROLE but
// not a superuser can run the migrations and cleans up after itself; one
// without CREATEROLE is refused before anything is made.
func TestDevDBNotSuperuser(t *testing.T) {
	db := pgtest.NewDB(t)
	user := db.LoginRole(t, "devdb_owner", "pw-devdb")
	db.Exec(t, "ALTER ROLE "+pgx.Identifier{user}.Sanitize()+" CREATEDB")
	dev := target(t, db.Server.URL(db.Name, user, "pw-devdb"))
	p := sqlPlan(t, "CREATE TABLE t (id int PRIMARY KEY);\n")
	err := deriveErr(t, p, dev, Options{})
	var de *DevDBError
	if !errors.As(err, &de) || !strings.Contains(de.Message, "cannot create roles") || !strings.Contains(de.Hint, "CREATEROLE") {
		t.Fatalf("Derive without CREATEROLE = %v, want a DevDBError", err)
	}
	db.Exec(t, "ALTER ROLE "+pgx.Identifier{user}.Sanitize()+" CREATEROLE")
	if err := deriveErr(t, p, dev, Options{}); err != nil {
		t.Fatalf("Derive: %v", err)
	}
	if left := leftovers(t, db.Server.AdminURL); len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
}

// TestMigrationTimeouts: a statement that never ends is stopped by the
// statement limit; one that lifts that limit first is stopped by the limit
// of the whole run. Neither leaves a busy session or the database behind.
func TestMigrationTimeouts(t *testing.T) {
	server := pgtest.GetServer(t)
	dev := target(t, server.AdminURL)
	t.Run("statement", func(t *testing.T) {
		p := sqlPlan(t, "CREATE TABLE t (id int);\nDO $$ BEGIN LOOP END LOOP; END $$;\n")
		start := time.Now()
		err := deriveErr(t, p, dev, Options{Introspect: pgsession.Options{Timeout: time.Second}})
		var me *MigrationError
		if !errors.As(err, &me) || me.Line != 2 || !strings.Contains(me.Error(), "57014") || !strings.Contains(me.Hint(), "statement timeout") {
			t.Fatalf("Derive = %v; want a 57014 MigrationError at line 2", err)
		}
		if d := time.Since(start); d > 20*time.Second {
			t.Errorf("took %s", d)
		}
		if left := leftovers(t, server.AdminURL); len(left) > 0 {
			t.Errorf("left behind: %v", left)
		}
	})
	t.Run("whole run", func(t *testing.T) {
		p := sqlPlan(t, "SET statement_timeout = 0;\nDO $$ BEGIN LOOP END LOOP; END $$;\n")
		start := time.Now()
		err := deriveErr(t, p, dev, Options{Introspect: pgsession.Options{Timeout: 30 * time.Second}, ApplyTimeout: 2 * time.Second})
		var te *TimeoutError
		var me *MigrationError
		// The file is one query: the error stands at its start.
		if !errors.As(err, &te) || !errors.As(err, &me) || me.Line != 1 || !strings.Contains(me.Hint(), "ten times the statement timeout") {
			t.Fatalf("Derive = %v; want a TimeoutError at line 1", err)
		}
		if d := time.Since(start); d > 20*time.Second {
			t.Errorf("took %s", d)
		}
		if left := leftovers(t, server.AdminURL); len(left) > 0 {
			t.Errorf("left behind: %v", left)
		}
	})
}

func serverVersion(t *testing.T, url string) int {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var v int
	if err := conn.QueryRow(ctx, "SELECT current_setting('server_version_num')::int").Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestHostileFolders: a migrations folder is read only as far as it holds
// regular files inside it. A FIFO, a device, a link out of the folder or a
// journal entry that leads out of it is an error naming the path, before
// anything reaches a server; nothing blocks.
func TestHostileFolders(t *testing.T) {
	write := func(t *testing.T, path, text string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	secret := "SELECT 'hunter2';\n"
	tests := []struct {
		name  string
		setup func(t *testing.T, root, dir string)
		kind  error
	}{
		{"fifo", func(t *testing.T, root, dir string) {
			write(t, filepath.Join(dir, "000001_a.up.sql"), "SELECT 1;\n")
			if err := syscall.Mkfifo(filepath.Join(dir, "000002_b.up.sql"), 0o644); err != nil {
				t.Fatal(err)
			}
		}, safefile.ErrNotRegular},
		{"link to /dev/zero", func(t *testing.T, root, dir string) {
			write(t, filepath.Join(dir, "000001_a.up.sql"), "SELECT 1;\n")
			if err := os.Symlink("/dev/zero", filepath.Join(dir, "000002_b.up.sql")); err != nil {
				t.Fatal(err)
			}
		}, safefile.ErrOutside},
		{"link out of the folder", func(t *testing.T, root, dir string) {
			write(t, filepath.Join(root, "secret.sql"), secret)
			if err := os.Symlink("../secret.sql", filepath.Join(dir, "000001_a.up.sql")); err != nil {
				t.Fatal(err)
			}
		}, safefile.ErrOutside},
		{"drizzle journal tag out of the folder", func(t *testing.T, root, dir string) {
			write(t, filepath.Join(root, "secret.sql"), secret)
			write(t, filepath.Join(dir, "meta", "_journal.json"),
				`{"version": "7", "dialect": "postgresql", "entries": [{"idx": 0, "tag": "../secret", "when": 1}]}`)
		}, safefile.ErrOutside},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			dir := filepath.Join(root, "migrations")
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			tt.setup(t, root, dir)
			done := make(chan error, 1)
			go func() { _, err := Read(dir, ""); done <- err }()
			select {
			case err := <-done:
				if !errors.Is(err, tt.kind) || strings.Contains(err.Error(), "hunter2") {
					t.Fatalf("Read = %v; want %v", err, tt.kind)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("Read blocked")
			}
		})
	}
}
