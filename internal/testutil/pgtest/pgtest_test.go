package pgtest

import (
	"context"
	"crypto/hmac"
	"crypto/md5"
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) { Main(m) }

// recorder is a testing.TB that keeps what Fatal and Error say instead of
// failing the real test, and keeps cleanups until runCleanups.
type recorder struct {
	testing.TB
	mu       sync.Mutex
	fatal    string
	errors   []string
	cleanups []func()
}

func newRecorder(t *testing.T) *recorder { return &recorder{TB: t} }

func (r *recorder) Helper() {}

func (r *recorder) Fatal(args ...any) { r.fail(fmt.Sprint(args...)) }

func (r *recorder) Fatalf(format string, args ...any) { r.fail(fmt.Sprintf(format, args...)) }

func (r *recorder) fail(msg string) {
	r.mu.Lock()
	r.fatal = msg
	r.mu.Unlock()
	runtime.Goexit()
}

func (r *recorder) Error(args ...any) { r.Errorf("%s", fmt.Sprint(args...)) }

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func (r *recorder) Cleanup(f func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cleanups = append(r.cleanups, f)
}

// run calls f in a goroutine of its own, so that Fatal can end it, and waits.
func (r *recorder) run(f func(tb testing.TB)) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(r)
	}()
	<-done
}

func (r *recorder) runCleanups() {
	r.mu.Lock()
	cleanups := r.cleanups
	r.cleanups = nil
	r.mu.Unlock()
	r.run(func(testing.TB) {
		for _, f := range slices.Backward(cleanups) {
			f()
		}
	})
}

// adminConn connects to the maintenance database of the test server.
func adminConn(t *testing.T) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), GetServer(t).AdminURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func TestGetServer(t *testing.T) {
	s := GetServer(t)
	if s != GetServer(t) {
		t.Error("GetServer returned another server on the second call")
	}
	if !slices.Contains([]string{"env", "initdb", "testcontainers"}, s.Kind) {
		t.Errorf("Kind = %q", s.Kind)
	}
	if s.Kind == "initdb" && (s.BinDir == "" || s.SocketDir == "" || s.DataDir == "") {
		t.Errorf("initdb server without its directories: %+v", s)
	}
	var super bool
	if err := adminConn(t).QueryRow(t.Context(), "SELECT current_setting('is_superuser') = 'on'").Scan(&super); err != nil {
		t.Fatal(err)
	}
	if !super {
		t.Error("AdminURL is not a superuser URL")
	}
}

func TestNewDBIsFreshAndDropped(t *testing.T) {
	var names []string
	for _, sub := range []string{"first", "second"} {
		t.Run(sub, func(t *testing.T) {
			db := NewDB(t)
			names = append(names, db.Name)
			var current string
			var tables int
			err := db.Conn(t).QueryRow(t.Context(), `SELECT current_database(),
				(SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
				 WHERE n.nspname = 'public')`).Scan(&current, &tables)
			if err != nil {
				t.Fatal(err)
			}
			if current != db.Name || tables != 0 {
				t.Errorf("connected to %q with %d objects in public, want %q and 0", current, tables, db.Name)
			}
			db.Exec(t, "CREATE TABLE t (id int)")
		})
	}
	if len(names) != 2 || names[0] == names[1] {
		t.Fatalf("database names %q, want two distinct", names)
	}
	// The subtests have ended, so their cleanups have dropped the databases.
	var left []string
	rows, err := adminConn(t).Query(t.Context(), "SELECT datname FROM pg_database WHERE datname = ANY($1)", names)
	if err == nil {
		left, err = pgx.CollectRows(rows, pgx.RowTo[string])
	}
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 0 {
		t.Errorf("databases %q are left after their tests ended", left)
	}
}

func TestNewDBNames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		sub  string
		want string // the name without its random suffix
	}{
		{"plain", "pgtest_testnewdbnames_plain"},
		{"Upper Case/and-dashes", "pgtest_testnewdbnames_upper_case_and_dashes"},
		{`quote'; DROP DATABASE postgres; --"x`, "pgtest_testnewdbnames_quote_drop_database_postgres_x"},
		{"名前", "pgtest_testnewdbnames"},
		{strings.Repeat("long", 30), ("pgtest_testnewdbnames_" + strings.Repeat("long", 30))[:54]},
	}
	suffix := regexp.MustCompile(`^_[0-9a-f]{8}$`)
	for _, tt := range tests {
		t.Run(tt.sub, func(t *testing.T) {
			t.Parallel()
			db := NewDB(t)
			if len(db.Name) > maxIdent {
				t.Errorf("name %q is %d bytes, want at most %d", db.Name, len(db.Name), maxIdent)
			}
			base, rest := db.Name[:len(db.Name)-9], db.Name[len(db.Name)-9:]
			if base != tt.want || !suffix.MatchString(rest) {
				t.Errorf("name %q, want %q and a suffix like _1234abcd", db.Name, tt.want)
			}
			var current string
			if err := db.Conn(t).QueryRow(t.Context(), "SELECT current_database()").Scan(&current); err != nil {
				t.Fatal(err)
			}
			if current != db.Name {
				t.Errorf("current_database() = %q, want %q", current, db.Name)
			}
		})
	}
}

func TestUniqueName(t *testing.T) {
	tests := []struct {
		prefix, s string
		want      string
	}{
		{"", "reader", "reader"},
		{"", "App-Reader", "app_reader"},
		{"", "__x__y__", "x_y"},
		{"", "1st", "r_1st"},
		{"", "", "r"},
		{"", "ä", "r"},
		{"pgtest", "TestA/b", "pgtest_testa_b"},
		{"pgtest", "", "pgtest"},
		{"", strings.Repeat("ab_", 40), strings.TrimRight(strings.Repeat("ab_", 40)[:54], "_")},
	}
	for _, tt := range tests {
		got := uniqueName(tt.prefix, tt.s)
		if len(got) > maxIdent || !strings.HasPrefix(got, tt.want+"_") || len(got) != len(tt.want)+9 {
			t.Errorf("uniqueName(%q, %q) = %q, want %q and a suffix", tt.prefix, tt.s, got, tt.want)
		}
		if again := uniqueName(tt.prefix, tt.s); again == got {
			t.Errorf("uniqueName(%q, %q) gave %q twice", tt.prefix, tt.s, got)
		}
	}
}

func TestRolesAreUniqueAndDropped(t *testing.T) {
	t.Parallel()
	var roles []string
	t.Run("create", func(t *testing.T) {
		db := NewDB(t)
		a := db.Role(t, "Reader")
		b := db.Role(t, "Reader")
		login := db.LoginRole(t, "app", `it's a \secret`)
		roles = []string{a, b, login}
		if a == b {
			t.Errorf("two roles named %q", a)
		}
		for _, r := range []string{a, b} {
			if !strings.HasPrefix(r, "reader_") {
				t.Errorf("role %q does not start with reader_", r)
			}
		}
		rows, err := db.Conn(t).Query(t.Context(),
			"SELECT rolname, rolcanlogin FROM pg_roles WHERE rolname = ANY($1) ORDER BY rolname", roles)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]bool{}
		for rows.Next() {
			var name string
			var login bool
			if err := rows.Scan(&name, &login); err != nil {
				t.Fatal(err)
			}
			got[name] = login
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		want := map[string]bool{a: false, b: false, login: true}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("roles (name: can login) = %v, want %v", got, want)
		}
	})
	var left int
	if err := adminConn(t).QueryRow(t.Context(), "SELECT count(*) FROM pg_roles WHERE rolname = ANY($1)", roles).Scan(&left); err != nil {
		t.Fatal(err)
	}
	if len(roles) != 3 || left != 0 {
		t.Errorf("%d of roles %q are left after their test ended", left, roles)
	}
}

func TestRoleWithPrivilegesElsewhereIsReported(t *testing.T) {
	t.Parallel()
	other := NewDB(t)
	rec := newRecorder(t)
	var role string
	rec.run(func(tb testing.TB) {
		db := NewDB(tb)
		role = db.Role(tb, "sticky")
		other.Exec(t, "GRANT CONNECT ON DATABASE "+ident(other.Name)+" TO "+ident(role))
	})
	if rec.fatal != "" {
		t.Fatal(rec.fatal)
	}
	t.Cleanup(func() {
		other.Exec(t, "REVOKE CONNECT ON DATABASE "+ident(other.Name)+" FROM "+ident(role)+"; DROP ROLE "+ident(role))
	})
	rec.runCleanups()
	if len(rec.errors) != 1 || !strings.Contains(rec.errors[0], "dropping role "+role) ||
		!strings.Contains(rec.errors[0], "privileges for database "+other.Name) {
		t.Errorf("cleanup reported %q, want one error about role %s and its privileges for database %s", rec.errors, role, other.Name)
	}
}

func TestURLsConnectAsTheirUser(t *testing.T) {
	t.Parallel()
	db := NewDB(t)
	app := db.LoginRole(t, "app", "app-password")
	nopw := db.LoginRole(t, "nopw", "")
	cfg, err := pgx.ParseConfig(db.Server.AdminURL)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name         string
		url          string
		user, dbname string
	}{
		{"DB.URL", db.URL, cfg.User, db.Name},
		{"URLAs", db.URLAs(app, "app-password"), app, db.Name},
		{"URLAs without password", db.URLAs(nopw, ""), nopw, db.Name},
		{"Server.URL superuser", db.Server.URL(db.Name, "", ""), cfg.User, db.Name},
		{"Server.URL maintenance", db.Server.URL("postgres", "", ""), cfg.User, "postgres"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn, err := pgx.Connect(t.Context(), tt.url)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(context.Background())
			var user, dbname string
			if err := conn.QueryRow(t.Context(), "SELECT current_user, current_database()").Scan(&user, &dbname); err != nil {
				t.Fatal(err)
			}
			if user != tt.user || dbname != tt.dbname {
				t.Errorf("connected as %s to %s, want %s to %s", user, dbname, tt.user, tt.dbname)
			}
		})
	}
}

func TestExec(t *testing.T) {
	t.Parallel()
	db := NewDB(t)
	db.Exec(t, `CREATE TABLE t (id int PRIMARY KEY, note text);
		INSERT INTO t VALUES (1, 'a;b'), (2, $$it's$$);
		CREATE VIEW v AS SELECT count(*) AS n FROM t;`)
	db.Exec(t, "INSERT INTO t VALUES ($1, $2)", 3, "with args")
	var n int
	if err := db.Conn(t).QueryRow(t.Context(), "SELECT n FROM v").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Errorf("v.n = %d, want 3", n)
	}

	rec := newRecorder(t)
	script := "CREATE TABLE u (id int);\nSELECT * FROM missing_table;"
	rec.run(func(tb testing.TB) { db.Exec(tb, script) })
	for _, want := range []string{`relation "missing_table" does not exist`, "line 2, column 15", script} {
		if !strings.Contains(rec.fatal, want) {
			t.Errorf("Exec failure says %q, want it to contain %q", rec.fatal, want)
		}
	}
	// A script without BEGIN runs as one transaction: u was rolled back.
	var u *string
	if err := db.Conn(t).QueryRow(t.Context(), "SELECT to_regclass('u')::text").Scan(&u); err != nil {
		t.Fatal(err)
	}
	if u != nil {
		t.Errorf("table u exists after its script failed")
	}
}

func TestExecFile(t *testing.T) {
	t.Parallel()
	db := NewDB(t)
	dir := t.TempDir()
	good := filepath.Join(dir, "good.sql")
	bad := filepath.Join(dir, "bad.sql")
	writeFile(t, good, "CREATE TABLE a (id int);\n\nINSERT INTO a VALUES (1), (2);\n")
	writeFile(t, bad, "SELECT 1;\n-- comment\n  SELEC 2;\n")
	db.ExecFile(t, good)
	var n int
	if err := db.Conn(t).QueryRow(t.Context(), "SELECT count(*) FROM a").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("count(*) = %d, want 2", n)
	}

	tests := []struct {
		path string
		want string
	}{
		{bad, bad + ":3:3: ERROR: syntax error at or near \"SELEC\""},
		{filepath.Join(dir, "missing.sql"), "no such file or directory"},
	}
	for _, tt := range tests {
		rec := newRecorder(t)
		rec.run(func(tb testing.TB) { db.ExecFile(tb, tt.path) })
		if !strings.Contains(rec.fatal, tt.want) {
			t.Errorf("ExecFile(%s) failure says %q, want it to contain %q", tt.path, rec.fatal, tt.want)
		}
	}
}

func TestConnIsClosedWhenTheTestEnds(t *testing.T) {
	t.Parallel()
	db := NewDB(t)
	var conn *pgx.Conn
	t.Run("sub", func(t *testing.T) {
		conn = db.Conn(t)
		if err := conn.Ping(t.Context()); err != nil {
			t.Fatal(err)
		}
	})
	if !conn.IsClosed() {
		t.Error("connection still open after its test ended")
	}
}

func TestErrorLine(t *testing.T) {
	t.Parallel()
	// The server counts characters, not bytes.
	sql := "SELECT 'é';\n\tSELEC 1;"
	db := NewDB(t)
	rec := newRecorder(t)
	rec.run(func(tb testing.TB) { db.Exec(tb, sql) })
	want := "line 2, column 2:\n\tSELEC 1;\n\t^"
	if !strings.Contains(rec.fatal, want) {
		t.Errorf("Exec failure says %q, want it to contain %q", rec.fatal, want)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLoginRolePassword(t *testing.T) {
	t.Parallel()
	db := NewDB(t)
	// Test servers trust every connection, so the stored verifier is checked
	// instead: a quoting mistake would set another password.
	for _, password := range []string{"plain", "it's", `back\slash`, `\'; DROP ROLE postgres; --`, "$$dollar$$", "ünïcode and spaces"} {
		role := db.LoginRole(t, "app", password)
		var stored string
		if err := db.Conn(t).QueryRow(t.Context(), "SELECT rolpassword FROM pg_authid WHERE rolname = $1", role).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if ok, err := passwordMatches(stored, role, password); !ok {
			t.Errorf("role %s: stored verifier %q does not match password %q (%v)", role, stored, password, err)
		}
	}
}

// passwordMatches checks password against a pg_authid.rolpassword verifier,
// SCRAM-SHA-256 (RFC 5802, RFC 7677) or MD5.
func passwordMatches(stored, role, password string) (bool, error) {
	if md5sum, ok := strings.CutPrefix(stored, "md5"); ok {
		return fmt.Sprintf("%x", md5.Sum([]byte(password+role))) == md5sum, nil
	}
	// SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>
	parts := strings.FieldsFunc(stored, func(r rune) bool { return r == '$' || r == ':' })
	if len(parts) != 5 || parts[0] != "SCRAM-SHA-256" {
		return false, fmt.Errorf("unknown verifier format")
	}
	iter, err := strconv.Atoi(parts[1])
	if err != nil {
		return false, err
	}
	salt, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil {
		return false, err
	}
	// Non-ASCII passwords go through SASLprep first; NFKC leaves these as they are.
	salted, err := pbkdf2.Key(sha256.New, password, salt, iter, sha256.Size)
	if err != nil {
		return false, err
	}
	mac := hmac.New(sha256.New, salted)
	mac.Write([]byte("Client Key"))
	sum := sha256.Sum256(mac.Sum(nil))
	return base64.StdEncoding.EncodeToString(sum[:]) == parts[3], nil
}
