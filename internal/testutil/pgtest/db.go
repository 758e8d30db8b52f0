package pgtest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// connectTimeout bounds every connection the harness opens.
const connectTimeout = 30 * time.Second

// A DB is a fresh database for one test, dropped when the test ends.
type DB struct {
	Name   string  // database name, unique on the server
	URL    string  // superuser URL of this database
	Server *Server // server the database lives on

	mu    sync.Mutex
	roles []string // created through Role and LoginRole, dropped with the database
}

// NewDB creates a database for the test t on the server of [GetServer] and
// drops it, and the roles made through [DB.Role] and [DB.LoginRole], when the
// test ends. The name is the test name made safe (lower case letters, digits
// and underscores) with a random suffix, at most 63 bytes.
func NewDB(t testing.TB) *DB {
	t.Helper()
	s := GetServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	admin, err := connect(ctx, s.AdminURL)
	if err != nil {
		t.Fatalf("pgtest: NewDB: %v", err)
	}
	defer admin.Close(context.Background())
	var name string
	err = retryTaken(func() error {
		name = uniqueName("pgtest", t.Name())
		_, err := admin.Exec(ctx, "CREATE DATABASE "+ident(name)+
			" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'")
		return err
	})
	if err != nil {
		t.Fatalf("pgtest: NewDB: creating database %s: %s", name, describe(err))
	}
	db := &DB{Name: name, URL: s.URL(name, "", ""), Server: s}
	t.Cleanup(func() { db.drop(t) })
	return db
}

// drop drops the database, then the roles: roles belong to the whole server
// and may have privileges in the database. A role that still has privileges
// or objects elsewhere is left, and reported.
func (db *DB) drop(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	admin, err := connect(ctx, db.Server.AdminURL)
	if err != nil {
		t.Errorf("pgtest: dropping database %s: %v", db.Name, err)
		return
	}
	defer admin.Close(context.Background())
	if err := dropDatabase(ctx, admin, db.Name); err != nil {
		t.Errorf("pgtest: dropping database %s: %s", db.Name, describe(err))
		return
	}
	db.mu.Lock()
	roles := slices.Clone(db.roles)
	db.mu.Unlock()
	if len(roles) == 0 {
		return
	}
	// All at once first, so that dependencies among the roles do not matter,
	// then one by one to drop all that can be and name the others.
	quoted := make([]string, len(roles))
	for i, r := range roles {
		quoted[i] = ident(r)
	}
	if _, err := admin.Exec(ctx, "DROP ROLE IF EXISTS "+strings.Join(quoted, ", ")); err == nil {
		return
	}
	for i, r := range roles {
		if _, err := admin.Exec(ctx, "DROP ROLE IF EXISTS "+quoted[i]); err != nil {
			t.Errorf("pgtest: dropping role %s of database %s (the role is left on the server): %s", r, db.Name, describe(err))
		}
	}
}

// dropDatabase drops a database and ends the sessions still connected to it.
// Servers older than 13 have no WITH (FORCE); there the sessions are ended
// first.
func dropDatabase(ctx context.Context, admin *pgx.Conn, name string) error {
	_, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+ident(name)+" WITH (FORCE)")
	if pgCode(err) != "42601" { // syntax_error
		return err
	}
	if _, err := admin.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = $1 AND pid <> pg_backend_pid()`, name); err != nil {
		return err
	}
	_, err = admin.Exec(ctx, "DROP DATABASE IF EXISTS "+ident(name))
	return err
}

// Exec runs sql as the superuser on this database and fails the test, showing
// the SQL, when it fails. Without args sql may hold many statements (a
// script), sent with the simple protocol; with args it is one statement whose
// $1, $2, ... are args. Each call has a session of its own.
func (db *DB) Exec(t testing.TB, sql string, args ...any) {
	t.Helper()
	if err := db.exec(sql, args); err != nil {
		t.Fatalf("pgtest: Exec on database %s: %s%s\nSQL:\n%s", db.Name, describe(err), errorLine(sql, err), sql)
	}
}

// ExecFile runs the SQL script at path like [DB.Exec] and fails the test with
// the file, line and column of the error.
func (db *DB) ExecFile(t testing.TB, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("pgtest: ExecFile: %v", err)
	}
	sql := string(b)
	if err := db.exec(sql, nil); err != nil {
		where := path
		if line, col, ok := errorPosition(sql, err); ok {
			where = fmt.Sprintf("%s:%d:%d", path, line, col)
		}
		t.Fatalf("pgtest: ExecFile on database %s: %s: %s%s", db.Name, where, describe(err), errorLine(sql, err))
	}
}

func (db *DB) exec(sql string, args []any) error {
	ctx, cancel := context.WithTimeout(context.Background(), connectTimeout)
	defer cancel()
	conn, err := connect(ctx, db.URL)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	if len(args) == 0 {
		_, err = conn.PgConn().Exec(context.Background(), sql).ReadAll()
		return err
	}
	_, err = conn.Exec(context.Background(), sql, args...)
	return err
}

// Conn returns a superuser connection to this database, closed when the test
// t ends.
func (db *DB) Conn(t testing.TB) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), connectTimeout)
	defer cancel()
	conn, err := connect(ctx, db.URL)
	if err != nil {
		t.Fatalf("pgtest: Conn: %v", err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// Role creates a role that cannot log in, named after base (made safe like
// database names) with a random suffix, since roles belong to the whole server
// and tests run in parallel. It returns the name. The role is dropped after
// the database.
func (db *DB) Role(t testing.TB, base string) string {
	t.Helper()
	return db.createRole(t, "Role", base, "NOLOGIN")
}

// LoginRole creates a role like [DB.Role] that can log in with password (no
// password when empty) and may connect to this database. It returns the name.
func (db *DB) LoginRole(t testing.TB, base, password string) string {
	t.Helper()
	opts := "LOGIN"
	if password != "" {
		if strings.ContainsRune(password, 0) {
			t.Fatalf("pgtest: LoginRole: password contains a NUL byte")
		}
		opts += " PASSWORD " + quoteLiteral(password)
	}
	name := db.createRole(t, "LoginRole", base, opts)
	db.Exec(t, "GRANT CONNECT ON DATABASE "+ident(db.Name)+" TO "+ident(name))
	return name
}

func (db *DB) createRole(t testing.TB, op, base, opts string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	admin, err := connect(ctx, db.URL)
	if err != nil {
		t.Fatalf("pgtest: %s: %v", op, err)
	}
	defer admin.Close(context.Background())
	var name string
	err = retryTaken(func() error {
		name = uniqueName("", base)
		_, err := admin.Exec(ctx, "CREATE ROLE "+ident(name)+" "+opts)
		return err
	})
	if err != nil {
		// The statement may hold a password: show the error only.
		t.Fatalf("pgtest: %s: creating role %s: %s", op, name, describe(err))
	}
	db.mu.Lock()
	db.roles = append(db.roles, name)
	db.mu.Unlock()
	return name
}

// URLAs returns the URL of this database as user with password (none when
// empty).
func (db *DB) URLAs(user, password string) string {
	return db.Server.URL(db.Name, user, password)
}

// connect opens a connection, with an error that never holds the password.
func connect(ctx context.Context, url string) (*pgx.Conn, error) {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("connecting to %s: %w", redact(url), err)
	}
	return conn, nil
}

// retryTaken calls create until it does not fail because the random name is
// taken (another test binary on the same server drew the same suffix).
func retryTaken(create func() error) error {
	var err error
	for range 5 {
		err = create()
		switch pgCode(err) {
		case "42P04", "42710": // duplicate_database, duplicate_object
			continue
		}
		return err
	}
	return err
}

// maxIdent is the longest identifier PostgreSQL keeps (NAMEDATALEN - 1).
const maxIdent = 63

// uniqueName makes a safe, unique identifier from prefix and s: lower case
// ASCII letters, digits and single underscores, starting with a letter, then
// "_" and eight random hex digits, at most 63 bytes. It can be written in SQL
// without quotes.
func uniqueName(prefix, s string) string {
	suffix := fmt.Sprintf("_%08x", rand.Uint32())
	var b strings.Builder
	b.WriteString(prefix)
	under := prefix != ""
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if under && b.Len() > 0 {
				b.WriteByte('_')
			}
			under = false
			b.WriteRune(r)
		} else {
			under = true
		}
	}
	name := b.String()
	if name == "" || name[0] < 'a' || name[0] > 'z' {
		name = "r_" + name
	}
	name = strings.TrimRight(name[:min(len(name), maxIdent-len(suffix))], "_")
	return name + suffix
}

// ident quotes an identifier for SQL.
func ident(name string) string {
	return pgx.Identifier{name}.Sanitize()
}

// quoteLiteral quotes s as an SQL string literal that reads the same whatever
// standard_conforming_strings says.
func quoteLiteral(s string) string {
	q := "'" + strings.ReplaceAll(s, "'", "''") + "'"
	if strings.Contains(s, `\`) {
		q = "E" + strings.ReplaceAll(q, `\`, `\\`)
	}
	return q
}

func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// describe renders err with the server's detail and hint, when it has them.
func describe(err error) string {
	msg := err.Error()
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		if pe.Detail != "" {
			msg += "\nDETAIL: " + pe.Detail
		}
		if pe.Hint != "" {
			msg += "\nHINT: " + pe.Hint
		}
		if pe.Where != "" {
			msg += "\nCONTEXT: " + pe.Where
		}
	}
	return msg
}

// errorPosition turns the character position of a server error into a line
// and column of sql, both counted from 1.
func errorPosition(sql string, err error) (line, col int, ok bool) {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Position <= 0 {
		return 0, 0, false
	}
	line, col = 1, 1
	n := int(pe.Position) - 1 // characters before the error
	for _, r := range sql {
		if n == 0 {
			return line, col, true
		}
		n--
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col, n == 0
}

// errorLine shows the line of sql where err points, with a caret, or nothing
// when the server gave no position.
func errorLine(sql string, err error) string {
	line, col, ok := errorPosition(sql, err)
	if !ok {
		return ""
	}
	text := strings.Split(sql, "\n")[line-1]
	prefix := text
	if i := byteOffset(text, col-1); i >= 0 {
		prefix = text[:i]
	}
	pad := strings.Map(func(r rune) rune {
		if r == '\t' {
			return '\t'
		}
		return ' '
	}, prefix)
	return fmt.Sprintf("\nline %d, column %d:\n%s\n%s^", line, col, text, pad)
}

// byteOffset returns the byte offset of the n-th character of s, or -1.
func byteOffset(s string, n int) int {
	for i := range s {
		if n == 0 {
			return i
		}
		n--
	}
	if n == 0 {
		return len(s)
	}
	return -1
}
