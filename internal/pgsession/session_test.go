package pgsession_test

import (
	"context"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/rbacdrift/rbacdrift/internal/pgsession"
	"github.com/rbacdrift/rbacdrift/internal/testutil/pgtest"
)

func TestParseTarget(t *testing.T) {
	tests := []struct {
		conn string
		want string // Target.String()
	}{
		{"postgres://app:s3cret@db.example.com:6432/rbac?sslmode=disable", "postgres://app@db.example.com:6432/rbac"},
		{"postgresql://app@db.example.com/rbac?sslmode=disable", "postgres://app@db.example.com:5432/rbac"},
		{"pg://app:s3cret@db.example.com/rbac?sslmode=disable", "postgres://app@db.example.com:5432/rbac"},
		{"postgres://app@/rbac?host=/var/run/postgresql&sslmode=disable", "postgres://app@/rbac?host=/var/run/postgresql&port=5432"},
		{"postgres+unix:/var/run/postgresql:5433/rbac?sslmode=disable", "postgres://" + currentUser(t) + "@/rbac?host=/var/run/postgresql&port=5433"},
		{"host=db.example.com port=5433 user=app dbname=rbac password=s3cret sslmode=disable", "postgres://app@db.example.com:5433/rbac"},
		{"postgres://app@[::1]:5432/rbac?sslmode=disable", "postgres://app@[::1]:5432/rbac"},
	}
	for _, tt := range tests {
		target, err := pgsession.ParseTarget(tt.conn)
		if err != nil {
			t.Errorf("ParseTarget(%q): %v", tt.conn, err)
			continue
		}
		if got := target.String(); got != tt.want {
			t.Errorf("ParseTarget(%q).String() = %q, want %q", tt.conn, got, tt.want)
		}
	}
}

func currentUser(t *testing.T) string {
	target, err := pgsession.ParseTarget("postgres+unix:/tmp:1/x")
	if err != nil {
		t.Fatal(err)
	}
	return target.Config.User
}

func TestParseTargetErrorsHidePassword(t *testing.T) {
	const pw = "Tr0ub4dor&3-distinctive"
	tests := []struct{ conn, want string }{
		{"mysql://root:" + pw + "@localhost/db", "is for mysql, not PostgreSQL"},
		{"postgres://app:" + pw + "@host:notaport/db", "invalid port"},
		{"postgres://app:" + pw + "@host/db?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem", "/nonexistent/ca.pem"},
		{"postgres://app:" + pw + "@host/db?sslmode=sometimes", "sslmode"},
	}
	for _, tt := range tests {
		_, err := pgsession.ParseTarget(tt.conn)
		if err == nil {
			t.Errorf("ParseTarget(%q) succeeded", tt.conn)
			continue
		}
		if strings.Contains(err.Error(), pw) || strings.Contains(err.Error(), "Tr0ub4dor") {
			t.Errorf("ParseTarget error shows the password: %v", err)
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseTarget(%q) = %v, want it to mention %q", tt.conn, err, tt.want)
		}
	}
	if got := pgsession.RedactURL("postgres://app:" + pw + "@h/db?password=" + pw); strings.Contains(got, "Tr0ub4dor") {
		t.Errorf("RedactURL kept the password: %s", got)
	}
}

// TestSessionIsReadOnly proves the settings of every session: they arrive in
// the startup packet, and a write is refused.
func TestSessionIsReadOnly(t *testing.T) {
	db := pgtest.NewDB(t)
	db.Exec(t, "CREATE TABLE t (id int)")
	target, err := pgsession.ParseTarget(db.URL)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	conn, err := pgsession.Connect(ctx, target, pgsession.Options{Timeout: 7 * time.Second, LockTimeout: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	want := map[string]string{
		"default_transaction_read_only":       "on",
		"transaction_read_only":               "on",
		"statement_timeout":                   "7s",
		"lock_timeout":                        "3s",
		"idle_in_transaction_session_timeout": "7s",
		"application_name":                    "rbacdrift",
		"jit":                                 "off",
	}
	for name, value := range want {
		var got string
		if err := conn.QueryRow(ctx, "SELECT current_setting($1)", name).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != value {
			t.Errorf("%s = %q, want %q", name, got, value)
		}
	}
	for _, sql := range []string{"INSERT INTO t VALUES (1)", "CREATE TABLE u (id int)", "CREATE TEMP TABLE tmp (id int)"} {
		_, err := conn.Exec(ctx, sql)
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "25006" {
			t.Errorf("%s: err = %v, want 25006 read_only_sql_transaction", sql, err)
		}
	}
	var n int
	if err := db.Conn(t).QueryRow(ctx, "SELECT count(*) FROM t").Scan(&n); err != nil || n != 0 {
		t.Errorf("table t has %d rows (err %v), want 0", n, err)
	}
}

func TestConnectErrors(t *testing.T) {
	db := pgtest.NewDB(t)
	const pw = "Zebra-Distinctive-9917"
	ctx := context.Background()
	tests := []struct {
		name, url, want string
	}{
		{"unknown database", strings.Replace(db.URLAs("postgres", pw), "/"+db.Name, "/no_such_db_"+db.Name, 1), "does not exist"},
	}
	for _, tt := range tests {
		target, err := pgsession.ParseTarget(tt.url)
		if err != nil {
			t.Fatal(err)
		}
		_, err = pgsession.Connect(ctx, target, pgsession.Options{Timeout: 5 * time.Second})
		var ce *pgsession.ConnectError
		if !errors.As(err, &ce) {
			t.Errorf("%s: err = %v, want a ConnectError", tt.name, err)
			continue
		}
		if strings.Contains(err.Error(), pw) {
			t.Errorf("%s: error shows the password: %v", tt.name, err)
		}
		if !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "cannot connect to postgres://") {
			t.Errorf("%s: err = %v, want it to mention %q", tt.name, err, tt.want)
		}
	}
	// A port where nothing listens: a fast, clear refusal.
	target, err := pgsession.ParseTarget("postgres://u:" + pw + "@127.0.0.1:1/db?sslmode=disable&connect_timeout=3")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pgsession.Connect(ctx, target, pgsession.Options{Timeout: 3 * time.Second}); err == nil || strings.Contains(err.Error(), pw) || !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Errorf("closed port: err = %v", err)
	}
}

func TestPGPassFile(t *testing.T) {
	// The libpq environment is honoured: PGPASSFILE supplies the password.
	db := pgtest.NewDB(t)
	user := db.LoginRole(t, "pgpass", "from-the-pgpass-file")
	dir := t.TempDir()
	pass := filepath.Join(dir, "pgpass")
	if err := os.WriteFile(pass, []byte("*:*:*:"+user+":from-the-pgpass-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PGPASSFILE", pass)
	target, err := pgsession.ParseTarget(db.URLAs(user, ""))
	if err != nil {
		t.Fatal(err)
	}
	conn, err := pgsession.Connect(context.Background(), target, pgsession.Options{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatalf("connect with ~/.pgpass-style file: %v", err)
	}
	conn.Close(context.Background())
}

// TestParseTargetNeverShowsPassword parses connection strings whose
// password holds each character that ends a URL's user information, or
// needs encoding, in URLs that parse and URLs that do not (a bad port), and
// in key=value pairs: neither the password nor any half of it may appear in
// the error, the redacted form or the target's description. An unencoded
// '@' is refused, with how to encode it.
func TestParseTargetNeverShowsPassword(t *testing.T) {
	const first, second = "Xq7v", "Zk9w" // the halves of every password
	tests := []struct {
		sep     string // between the halves
		wantErr string // for the URL that otherwise parses; "" when it parses
	}{
		{"/", "percent-encoded"},
		{"@", "%40"},
		{"?", ""},
		{"#", ""},
		{":", ""},
		{"%", "percent-encoded"},
		{" ", "percent-encoded"},
		{"/q@", "percent-encoded"},
		{"%40", ""},
		{"@@", "%40"},
	}
	for _, tt := range tests {
		pw := first + tt.sep + second
		conns := []struct {
			conn, wantErr string
		}{
			{"postgres://app:" + pw + "@db.example.com:5432/app?sslmode=disable", tt.wantErr},
			{"postgresql://app:" + pw + "@db.example.com/app", tt.wantErr},
			{"postgres://app:" + pw + "@db.example.com:notaport/app", "?"},
			{"pg://app:" + pw + "@db.example.com:notaport/app", "?"},
			{"postgres://app@db.example.com/app?password=" + url.QueryEscape(pw) + "&port=notaport", "?"},
			{"host=db.example.com port=notaport user=app password='" + strings.ReplaceAll(pw, "'", `\'`) + "'", "?"},
		}
		if !strings.ContainsAny(tt.sep, " ") {
			conns = append(conns, struct{ conn, wantErr string }{"host=db.example.com port=notaport password=" + pw + " user=app", "?"})
		}
		for _, c := range conns {
			target, err := pgsession.ParseTarget(c.conn)
			shown := []string{pgsession.RedactURL(c.conn)}
			switch {
			case err != nil:
				shown = append(shown, err.Error())
				if c.wantErr == "" || (c.wantErr != "?" && !strings.Contains(err.Error(), c.wantErr)) {
					t.Errorf("ParseTarget(%q) = %v, want an error that says %q", c.conn, err, c.wantErr)
				}
			case c.wantErr != "":
				t.Errorf("ParseTarget(%q) succeeded, want an error", c.conn)
			default:
				shown = append(shown, target.String())
				if tt.sep != "%40" && target.Config.Password != pw {
					t.Errorf("ParseTarget(%q): password %q, want %q", c.conn, target.Config.Password, pw)
				}
			}
			for _, s := range shown {
				if strings.Contains(s, first) || strings.Contains(s, second) {
					t.Errorf("ParseTarget(%q) shows (part of) the password: %s", c.conn, s)
				}
			}
		}
	}
}

// TestUnencodedAtNeverResolved checks that a URL with an '@' in its password
// is refused before any host is looked up: the part after the '@' would be
// the host.
func TestUnencodedAtNeverResolved(t *testing.T) {
	_, err := pgsession.ParseTarget("postgres://app:Xq7v@Zk9w.invalid@db.example.com/app")
	if err == nil || !strings.Contains(err.Error(), "%40") || strings.Contains(err.Error(), "Zk9w") {
		t.Fatalf("err = %v, want a refusal that says %%40 and does not show the password", err)
	}
	// The well-formed URL, with its '@' encoded, is taken as meant.
	target, err := pgsession.ParseTarget("postgres://app:Xq7v%40Zk9w@db.example.com/app")
	if err != nil {
		t.Fatal(err)
	}
	if target.Config.Host != "db.example.com" || target.Config.Password != "Xq7v@Zk9w" {
		t.Errorf("host %q, password %q; want db.example.com and Xq7v@Zk9w", target.Config.Host, target.Config.Password)
	}
}
