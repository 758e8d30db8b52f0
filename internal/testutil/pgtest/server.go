package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rbacdrift/rbacdrift/internal/pgserver"
)

// EnvURL names the environment variable that points the tests at an existing
// server: a superuser postgres:// URL.
const EnvURL = "RBACDRIFT_TEST_DATABASE_URL"

// A Server is the PostgreSQL server the tests of this binary use.
type Server struct {
	Kind      string // "env", "initdb" (RBACDRIFT_TEST_PG_BINDIR included) or "testcontainers"
	AdminURL  string // superuser URL of the maintenance database, "postgres" unless RBACDRIFT_TEST_DATABASE_URL names another
	BinDir    string // directory of initdb, pg_ctl and pg_basebackup when found, else ""
	SocketDir string // Unix socket directory, for "initdb"
	DataDir   string // data directory, for "initdb"
}

// URL returns the URL of database dbname on the same server as user with
// password. An empty user means the superuser of AdminURL, with its password;
// an empty password means none. Host, port and the other query parameters
// (host=/socket/dir, sslmode) are kept.
func (s *Server) URL(dbname, user, password string) string {
	return withDatabase(s.AdminURL, dbname, user, password)
}

// GetServer returns the server of this test binary, looking for one on the
// first call. When there is none the test fails with the reason and how to get
// one.
func GetServer(t testing.TB) *Server {
	t.Helper()
	return defaultDiscovery.get(t)
}

// Main runs the tests of m, then stops and removes what this package started
// for them (a cluster or a container), and exits with the tests' code. Call it
// from TestMain:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
func Main(m *testing.M) {
	code := m.Run()
	if err := defaultDiscovery.close(); err != nil {
		fmt.Fprintf(os.Stderr, "pgtest: %v\n", err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

// defaultDiscovery is the discovery of this test binary.
var defaultDiscovery = &discovery{sources: func() []source {
	return defaultSources(os.Getenv, os.Geteuid() == 0)
}}

// defaultSources returns where to look for a server: only the binaries of
// [EnvBinDir] when it is set, since it says which PostgreSQL the tests must
// run on; else the environment, the local binaries, then Docker. root tells
// whether the tests run as root.
func defaultSources(getenv func(string) string, root bool) []source {
	if dir := getenv(EnvBinDir); dir != "" {
		return []source{binDirSource(dir, root)}
	}
	return []source{
		envSource(getenv),
		initdbSource(pgserver.DefaultFinder()),
		dockerSource(2 * time.Second),
	}
}

// A source is one way to get a server. start returns the server and a function
// that releases what start created (nil when there is nothing to release). An
// error wrapped by unavailable means the source does not apply here and the
// next one is tried; any other error ends discovery.
type source struct {
	name  string
	start func(ctx context.Context) (*Server, func() error, error)
}

// unavailableError says a source does not apply, and why.
type unavailableError struct{ reason error }

func (e unavailableError) Error() string { return e.reason.Error() }
func (e unavailableError) Unwrap() error { return e.reason }

func unavailable(format string, args ...any) error {
	return unavailableError{fmt.Errorf(format, args...)}
}

// A discovery looks for a server once and remembers the outcome, failure
// included, so later tests fail fast with the same message.
type discovery struct {
	sources func() []source

	once    sync.Once
	server  *Server
	err     error
	note    string // what was found, logged in the test that triggered discovery
	mu      sync.Mutex
	release func() error
}

func (d *discovery) get(t testing.TB) *Server {
	t.Helper()
	first := false
	d.once.Do(func() {
		first = true
		d.run()
	})
	if d.err != nil {
		t.Fatal(d.err)
	}
	if first {
		t.Log(d.note)
	}
	return d.server
}

func (d *discovery) run() {
	defer func() {
		if r := recover(); r != nil {
			d.server, d.err = nil, fmt.Errorf("pgtest: looking for a PostgreSQL server: panic: %v", r)
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var reasons []string
	for _, src := range d.sources() {
		began := time.Now()
		srv, release, err := src.start(ctx)
		if err == nil {
			d.mu.Lock()
			d.server, d.release = srv, release
			d.mu.Unlock()
			d.note = fmt.Sprintf("pgtest: using %s server %s (ready in %v)", srv.Kind, redact(srv.AdminURL), time.Since(began).Round(time.Millisecond))
			if srv.Kind == "initdb" {
				d.note += ", binaries in " + srv.BinDir
			}
			return
		}
		var u unavailableError
		if errors.As(err, &u) {
			reasons = append(reasons, fmt.Sprintf("%s: %v", src.name, u.reason))
			continue
		}
		d.err = fmt.Errorf("pgtest: %s: %w", src.name, err)
		return
	}
	d.err = noServerError(reasons)
}

// close releases what discovery started. It is safe to call more than once.
func (d *discovery) close() error {
	d.mu.Lock()
	release := d.release
	d.release = nil
	d.mu.Unlock()
	if release == nil {
		return nil
	}
	return release()
}

// noServerError is the message of a test binary that found no server: why
// each source did not apply, then how to get a server.
func noServerError(reasons []string) error {
	var b strings.Builder
	b.WriteString("pgtest: no PostgreSQL server for the tests")
	for _, r := range reasons {
		b.WriteString("\n  ")
		b.WriteString(r)
	}
	b.WriteString("\nhint: set " + EnvURL + "=postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable (a superuser URL) to use a running server")
	b.WriteString("\nhint: or install the PostgreSQL server binaries so that initdb and pg_ctl are found (Debian/Ubuntu: apt-get install postgresql; macOS: brew install postgresql)")
	b.WriteString("\nhint: or start Docker, so that testcontainers can run " + containerImage)
	return errors.New(b.String())
}

// withDatabase rewrites the postgres:// URL base for database dbname and,
// when user is not empty, for user with password. Query parameters that would
// override the path or the user info (dbname, user, password) are dropped;
// the others (host, port, sslmode) are kept as they are.
func withDatabase(base, dbname, user, password string) string {
	u, err := url.Parse(base)
	if err != nil {
		// Every base was parsed when the server or cluster was set up.
		panic(fmt.Sprintf("pgtest: parsing %s: %v", redact(base), err))
	}
	u.Path, u.RawPath = "/"+dbname, ""
	drop := []string{"dbname", "database"}
	if user != "" {
		if password == "" {
			u.User = url.User(user)
		} else {
			u.User = url.UserPassword(user, password)
		}
		drop = append(drop, "user", "password")
	}
	q := u.Query()
	changed := false
	for _, k := range drop {
		if q.Has(k) {
			q.Del(k)
			changed = true
		}
	}
	if changed {
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// redact returns the URL s without its password, for messages.
func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable URL)"
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}
