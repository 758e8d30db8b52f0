//go:build unix

package pgtest

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/rbacdrift/rbacdrift/internal/pgserver"
)

// PgBouncerOptions configures a pooler started by [StartPgBouncer].
type PgBouncerOptions struct {
	// PoolMode is "session" (the default) or "transaction": in transaction
	// pooling a server connection goes back to the pool, for another client,
	// at the end of every transaction.
	PoolMode string
	// PoolSize is default_pool_size, the server connections of one database
	// and user; 0 means 2, so that clients share them.
	PoolSize int
	// IgnoreStartupParameters are the startup parameters PgBouncer accepts
	// from a client and drops (ignore_startup_parameters). With none it
	// refuses every parameter but the few it tracks itself (application_name,
	// client_encoding, DateStyle, TimeZone, standard_conforming_strings) with
	// 08P01 "unsupported startup parameter".
	IgnoreStartupParameters []string
	// MaxClientConn is max_client_conn; 0 means 100.
	MaxClientConn int
	// Users may connect besides the server's superuser: PgBouncer's trust
	// authentication still wants every user in its auth_file. They reach the
	// server without a password.
	Users []string
}

// A PgBouncer is a PgBouncer process in front of the server of [GetServer],
// on a TCP port of 127.0.0.1, with trust authentication and every database of
// the server (a "*" entry).
type PgBouncer struct {
	Port     int    // TCP port on 127.0.0.1
	PoolMode string // "session" or "transaction"
	Dir      string // holds pgbouncer.ini, userlist.txt and pgbouncer.log; removed by Stop

	superuser, password string // the server's, for URL
	owner               *osUser
	cmd                 *exec.Cmd
	exited              chan struct{} // closed when the process has ended
	watchdog            *exec.Cmd
	lifeline            *os.File // the watchdog acts when this closes

	stopOnce sync.Once
	stopErr  error
	mu       sync.Mutex
	stopped  bool
	lastLog  string // the log as Stop found it
}

// pgbouncerPaths are where StartPgBouncer looks for the binary when it is not
// on PATH: Debian's package installs it in /usr/sbin, which is not on every
// user's PATH.
var pgbouncerPaths = []string{"/usr/sbin/pgbouncer", "/usr/local/sbin/pgbouncer", "/usr/local/bin/pgbouncer"}

// StartPgBouncer starts PgBouncer in front of the server of [GetServer] and
// stops it when the test ends. When the tests run as root it runs as the
// "postgres" OS user, as clusters do, because PgBouncer refuses root. A
// missing pgbouncer fails the test (it never skips), with how to install it.
func StartPgBouncer(t testing.TB, opts PgBouncerOptions) *PgBouncer {
	t.Helper()
	bin := pgserver.LookPathIn("pgbouncer", os.Getenv("PATH"))
	for _, p := range pgbouncerPaths {
		if bin == "" && pgserver.IsExecutable(p) {
			bin = p
		}
	}
	if bin == "" {
		t.Fatalf("pgtest: StartPgBouncer: pgbouncer not found on PATH or in %s\nhint: install it (Debian/Ubuntu: apt-get install pgbouncer; macOS: brew install pgbouncer)", strings.Join(pgbouncerPaths, ", "))
	}
	switch opts.PoolMode {
	case "":
		opts.PoolMode = "session"
	case "session", "transaction":
	default:
		t.Fatalf("pgtest: StartPgBouncer: PoolMode %q, want session or transaction", opts.PoolMode)
	}
	s := GetServer(t)
	// A port that was free a moment ago may be taken by the time PgBouncer
	// binds it: then try another.
	var errs []error
	for range 3 {
		b, err := startPgBouncer(bin, s, FreePort(t), opts)
		if err == nil {
			t.Cleanup(func() {
				if t.Failed() {
					t.Logf("pgtest: log of pgbouncer on port %d (%s pooling):\n%s", b.Port, b.PoolMode, tail(b.Log(), 8000))
				}
				if err := b.stop(); err != nil {
					t.Errorf("pgtest: %v", err)
				}
			})
			return b
		}
		errs = append(errs, err)
		if !errors.Is(err, errPortTaken) {
			break
		}
	}
	t.Fatalf("pgtest: StartPgBouncer: %v", errors.Join(errs...))
	return nil
}

// errPortTaken says PgBouncer could not bind its port.
var errPortTaken = errors.New("the port is taken")

// startPgBouncer writes the configuration and starts the binary bin on port
// in front of server s. Nothing is left behind when it fails.
func startPgBouncer(bin string, s *Server, port int, opts PgBouncerOptions) (_ *PgBouncer, err error) {
	srv, err := pgconn.ParseConfig(s.AdminURL)
	if err != nil {
		return nil, fmt.Errorf("reading the server's address from %s: %w", redact(s.AdminURL), err)
	}
	owner, err := serverUser()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(clusterBase(owner), "rbacdrift-pgbouncer-")
	if err != nil {
		return nil, fmt.Errorf("creating pgbouncer directory: %w", err)
	}
	b := &PgBouncer{Port: port, PoolMode: opts.PoolMode, Dir: dir, superuser: srv.User, password: srv.Password,
		owner: owner, exited: make(chan struct{})}
	defer func() {
		if err != nil {
			err = errors.Join(err, b.stop())
		}
	}()
	users := append([]string{srv.User}, opts.Users...)
	files := map[string]string{
		"pgbouncer.ini": pgbouncerConf(dir, srv, port, opts),
		"userlist.txt":  authFile(users, srv.User, srv.Password),
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			return nil, fmt.Errorf("configuring pgbouncer: %w", err)
		}
	}
	if owner != nil {
		for _, p := range []string{dir, filepath.Join(dir, "pgbouncer.ini"), filepath.Join(dir, "userlist.txt")} {
			if err := owner.Chown(p); err != nil {
				return nil, err
			}
		}
	}
	// The log is opened here and inherited, so it needs no permission of
	// PgBouncer's OS user; in the foreground PgBouncer logs to stderr.
	log, err := os.OpenFile(filepath.Join(dir, "pgbouncer.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("creating the pgbouncer log: %w", err)
	}
	defer log.Close()

	b.cmd = exec.Command(bin, filepath.Join(dir, "pgbouncer.ini"))
	b.cmd.Dir = dir
	b.cmd.Env = pgserver.ChildEnv()
	b.cmd.Stdout, b.cmd.Stderr = log, log
	// A process group of its own: Ctrl-C in a terminal reaches the tests,
	// whose cleanup stops PgBouncer, and the watchdog otherwise.
	b.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	owner.Apply(b.cmd)
	if err := b.cmd.Start(); err != nil {
		close(b.exited)
		return nil, fmt.Errorf("starting %s: %w", bin, err)
	}
	go func() {
		_ = b.cmd.Wait()
		close(b.exited)
	}()
	if b.watchdog, b.lifeline, err = startPgBouncerWatchdog(b.cmd.Process.Pid, dir, owner); err != nil {
		return nil, err
	}
	if err := b.waitReady(15 * time.Second); err != nil {
		return nil, err
	}
	return b, nil
}

// pgbouncerConf is the configuration of a pooler on port in front of srv.
func pgbouncerConf(dir string, srv *pgconn.Config, port int, opts PgBouncerOptions) string {
	size := opts.PoolSize
	if size <= 0 {
		size = 2
	}
	clients := opts.MaxClientConn
	if clients <= 0 {
		clients = 100
	}
	// TLS to the server when the server's URL asks for it (a server of
	// RBACDRIFT_TEST_DATABASE_URL may), never from clients: the tests'
	// wire recorders read the client side in the clear.
	serverTLS := "disable"
	if srv.TLSConfig != nil {
		serverTLS = "prefer"
	}
	lines := []string{
		"; written by rbacdrift internal/testutil/pgtest",
		"[databases]",
		// Every database of the server, under its own name.
		"* = host=" + connValue(srv.Host) + " port=" + strconv.Itoa(int(srv.Port)),
		"",
		"[pgbouncer]",
		"listen_addr = 127.0.0.1",
		"listen_port = " + strconv.Itoa(port),
		"unix_socket_dir =",
		"auth_type = trust",
		"auth_file = " + filepath.Join(dir, "userlist.txt"),
		"pool_mode = " + opts.PoolMode,
		"default_pool_size = " + strconv.Itoa(size),
		"min_pool_size = 0",
		"reserve_pool_size = 0",
		"max_client_conn = " + strconv.Itoa(clients),
		"ignore_startup_parameters = " + strings.Join(opts.IgnoreStartupParameters, ","),
		"server_tls_sslmode = " + serverTLS,
		"client_tls_sslmode = disable",
		"log_connections = 0",
		"log_disconnections = 0",
		"stats_period = 3600",
	}
	return strings.Join(lines, "\n") + "\n"
}

// connValue quotes v for a PgBouncer connection string when it needs it.
func connValue(v string) string {
	if v != "" && !strings.ContainsAny(v, ` '\`) {
		return v
	}
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(v) + "'"
}

// authFile is PgBouncer's auth_file: every user, the superuser with its
// password, which PgBouncer gives the server when it asks for one.
func authFile(users []string, superuser, password string) string {
	quote := func(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
	var b strings.Builder
	seen := map[string]bool{}
	for _, u := range users {
		if u == "" || seen[u] {
			continue
		}
		seen[u] = true
		pw := ""
		if u == superuser {
			pw = password
		}
		fmt.Fprintf(&b, "%s %s\n", quote(u), quote(pw))
	}
	return b.String()
}

// waitReady waits until PgBouncer listens on its port.
func (b *PgBouncer) waitReady(within time.Duration) error {
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(b.Port))
	deadline := time.Now().Add(within)
	for {
		select {
		case <-b.exited:
			log := b.Log()
			if strings.Contains(log, "Address already in use") {
				return fmt.Errorf("pgbouncer on port %d: %w\n%s", b.Port, errPortTaken, log)
			}
			return fmt.Errorf("pgbouncer on port %d ended at start: %v\n%s", b.Port, b.cmd.ProcessState, log)
		default:
		}
		// The port counts once PgBouncer says it listens there: another
		// process may have taken it since FreePort.
		if strings.Contains(b.Log(), "listening on "+addr) {
			if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
				c.Close()
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("pgbouncer did not listen on %s within %v\n%s", addr, within, b.Log())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// URL returns the URL of database dbname through the pooler as user with
// password, without TLS. An empty user means the server's superuser with its
// password; an empty password means none (trust authentication asks for
// none).
func (b *PgBouncer) URL(dbname, user, password string) string {
	if user == "" {
		user, password = b.superuser, b.password
	}
	u := &url.URL{Scheme: "postgres", Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(b.Port)),
		Path: "/" + dbname, RawQuery: "sslmode=disable"}
	if password == "" {
		u.User = url.User(user)
	} else {
		u.User = url.UserPassword(user, password)
	}
	return u.String()
}

// Log returns what PgBouncer has logged so far, or until Stop.
func (b *PgBouncer) Log() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.stopped {
		return b.lastLog
	}
	return b.readLog()
}

func (b *PgBouncer) readLog() string {
	out, err := os.ReadFile(filepath.Join(b.Dir, "pgbouncer.log"))
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	return string(out)
}

// Stop stops PgBouncer at once, which closes its server connections, and
// removes its directory. Later calls do nothing. A failure is reported when
// the test that started it ends.
func (b *PgBouncer) Stop() {
	_ = b.stop()
}

func (b *PgBouncer) stop() error {
	b.stopOnce.Do(func() {
		var errs []error
		if b.cmd != nil && b.cmd.Process != nil {
			select {
			case <-b.exited:
			default:
				// SIGTERM is PgBouncer's immediate shutdown.
				_ = b.cmd.Process.Signal(syscall.SIGTERM)
				select {
				case <-b.exited:
				case <-time.After(10 * time.Second):
					_ = b.cmd.Process.Kill()
					<-b.exited
					errs = append(errs, fmt.Errorf("pgbouncer on port %d did not stop within 10s of SIGTERM; killed", b.Port))
				}
			}
		}
		b.mu.Lock()
		b.lastLog, b.stopped = b.readLog(), true
		b.mu.Unlock()
		if err := os.RemoveAll(b.Dir); err != nil {
			errs = append(errs, fmt.Errorf("removing pgbouncer directory: %w", err))
		}
		if b.watchdog != nil {
			_ = b.watchdog.Process.Kill()
			_ = b.watchdog.Wait()
			_ = b.lifeline.Close()
		}
		b.stopErr = errors.Join(errs...)
	})
	return b.stopErr
}

// pgbouncerWatchdog is the [pgserver.Watchdog] script of a PgBouncer: when
// the test process is gone, it stops PgBouncer and removes its directory.
// Its arguments are the process id and the directory.
const pgbouncerWatchdog = `kill -TERM "$1" 2>/dev/null; rm -rf "$2"`

// startPgBouncerWatchdog starts the watchdog of the PgBouncer process pid,
// as PgBouncer's OS user, like the watchdog of a cluster. The returned file
// is the write end of its standard input.
func startPgBouncerWatchdog(pid int, dir string, u *osUser) (*exec.Cmd, *os.File, error) {
	return pgserver.Watchdog("pgtest-pgbouncer-watchdog", pgbouncerWatchdog, u, pgserver.ChildEnv(), strconv.Itoa(pid), dir)
}

// tail returns the last n bytes of s, at a line start when it cuts.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[len(s)-n:]
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	return "...\n" + s
}
