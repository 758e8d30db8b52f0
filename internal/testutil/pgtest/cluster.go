package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rbacdrift/rbacdrift/internal/pgserver"
)

// ClusterOptions configures a cluster started by [StartCluster].
type ClusterOptions struct {
	// ExtraConf holds postgresql.conf lines, like "wal_level = logical". They
	// come after the harness's own settings, so they win; set the port with
	// TCPPort, not here, or [Cluster.URL] will not find the server.
	ExtraConf []string
	// TCPPort, when not 0, makes the server also listen on 127.0.0.1 at this
	// port. With 0 it listens only on its private Unix socket.
	TCPPort int
	// HBA holds pg_hba.conf lines put before initdb's own (trust for every
	// local connection, replication included), so they take precedence, like
	// "host all pw_user 127.0.0.1/32 scram-sha-256".
	HBA []string
	// Files are written to the data directory before the server starts,
	// readable only by the server's OS user (mode 0600), like a TLS key and
	// certificate named by ssl_key_file and ssl_cert_file in ExtraConf.
	Files map[string][]byte
}

// A Cluster is a throwaway PostgreSQL cluster made with initdb: superuser
// "postgres", trust authentication, fsync off, listening on a Unix socket in a
// private temporary directory that also holds the data directory.
type Cluster struct {
	SocketDir string // directory of the Unix socket
	DataDir   string // data directory
	BinDir    string // directory of the initdb and pg_ctl that made and run it
	Port      int    // port number of the socket, and of the TCP listener when there is one

	dir      string  // temporary directory holding all of the above; removed by Stop
	owner    *osUser // OS user the server runs as; nil for the current user
	watchdog *exec.Cmd
	lifeline *os.File // the watchdog acts when this closes, so when the process ends

	stopOnce sync.Once
	stopErr  error
}

// URL returns the URL of database dbname on the cluster as user with password,
// through the Unix socket. An empty user means the superuser "postgres"; an
// empty password means none.
func (c *Cluster) URL(dbname, user, password string) string {
	base := "postgres://postgres@/postgres?host=" + queryValue(c.SocketDir) +
		"&port=" + strconv.Itoa(c.Port) + "&sslmode=disable"
	return withDatabase(base, dbname, user, password)
}

// Stop stops the server at once (immediate shutdown) and removes its
// directory. Later calls do nothing. A failure is reported when the test that
// started the cluster ends.
func (c *Cluster) Stop() {
	_ = c.stop()
}

// StartCluster starts a new throwaway cluster with the local initdb and pg_ctl
// (those of [EnvBinDir] when it is set), whatever server [GetServer] uses, and
// stops it when the test ends. Use it for a test that needs a server of its
// own: another configuration, a TCP port, a primary for a replica.
func StartCluster(t testing.TB, opts ClusterOptions) *Cluster {
	t.Helper()
	bin, err := clusterBinDir()
	if err != nil {
		hint := ""
		if os.Getenv(EnvBinDir) == "" {
			hint = "\nhint: install the PostgreSQL server binaries (Debian/Ubuntu: apt-get install postgresql; macOS: brew install postgresql)"
		}
		t.Fatalf("pgtest: StartCluster: %v%s", err, hint)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := startCluster(ctx, bin, opts)
	if err != nil {
		t.Fatalf("pgtest: StartCluster: %v", err)
	}
	t.Cleanup(func() {
		if err := c.stop(); err != nil {
			t.Errorf("pgtest: %v", err)
		}
	})
	return c
}

// startCluster makes and starts a cluster with the binaries of bin. Nothing is
// left behind when it fails.
func startCluster(ctx context.Context, bin string, opts ClusterOptions) (_ *Cluster, err error) {
	owner, err := serverUser()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(clusterBase(owner), "rbacdrift-pgtest-")
	if err != nil {
		return nil, fmt.Errorf("creating cluster directory: %w", err)
	}
	port := 5432 // the socket directory is private, so the default port is free
	if opts.TCPPort != 0 {
		port = opts.TCPPort
	}
	c := &Cluster{
		SocketDir: dir,
		DataDir:   filepath.Join(dir, "data"),
		BinDir:    bin,
		Port:      port,
		dir:       dir,
		owner:     owner,
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, c.stop())
		}
	}()
	if owner != nil {
		if err := owner.Chown(dir); err != nil {
			return nil, err
		}
	}
	if c.watchdog, c.lifeline, err = startWatchdog(bin, c.DataDir, dir, owner); err != nil {
		return nil, err
	}
	liveClusters.Store(c, true)
	if out, err := c.run(ctx, "initdb", "-D", c.DataDir, "-U", "postgres", "--auth=trust",
		"--no-sync", "-E", "UTF8", "--locale=C"); err != nil {
		return nil, fmt.Errorf("initdb in %s: %v\n%s", dir, err, out)
	}
	if err := appendConf(filepath.Join(c.DataDir, "postgresql.conf"), serverConf(dir, opts)); err != nil {
		return nil, err
	}
	if err := c.writeSetup(opts); err != nil {
		return nil, err
	}
	logFile := filepath.Join(dir, "log")
	if out, err := c.run(ctx, "pg_ctl", "-D", c.DataDir, "-l", logFile, "-w", "-t", "60", "start"); err != nil {
		log, _ := os.ReadFile(logFile)
		return nil, fmt.Errorf("pg_ctl start in %s: %v\n%s%s", dir, err, out, log)
	}
	return c, nil
}

// serverConf is what the harness adds to postgresql.conf: a private socket,
// no durability (the data is thrown away), room for parallel tests, quiet
// logs, then the caller's lines. Settings live in the file rather than on the
// pg_ctl command line, where they would go through a shell, and so they
// survive a restart.
func serverConf(dir string, opts ClusterOptions) []string {
	listen, port := "", 5432
	if opts.TCPPort != 0 {
		listen, port = "127.0.0.1", opts.TCPPort
	}
	conf := []string{
		"# added by rbacdrift internal/testutil/pgtest",
		"listen_addresses = " + confString(listen),
		"port = " + strconv.Itoa(port),
		"unix_socket_directories = " + confString(dir),
		"fsync = off",
		"full_page_writes = off",
		"synchronous_commit = off",
		"max_connections = 200",
		"log_min_messages = warning",
	}
	return append(conf, opts.ExtraConf...)
}

// liveClusters keeps every started cluster reachable until it is stopped: the
// garbage collector closes an unreachable *os.File, and closing a cluster's
// lifeline makes its watchdog remove the cluster.
var liveClusters sync.Map

// stop stops the server, removes the directory and then dismisses the
// watchdog, whose job is done. It runs once; later calls return the first
// outcome.
func (c *Cluster) stop() error {
	c.stopOnce.Do(func() {
		var errs []error
		if _, err := os.Stat(filepath.Join(c.DataDir, "postmaster.pid")); err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			out, err := c.run(ctx, "pg_ctl", "-D", c.DataDir, "-m", "immediate", "-w", "stop")
			cancel()
			if err != nil {
				errs = append(errs, fmt.Errorf("pg_ctl stop in %s: %v\n%s", c.dir, err, out))
			}
		}
		if len(errs) == 0 {
			if err := os.RemoveAll(c.dir); err != nil {
				errs = append(errs, fmt.Errorf("removing cluster directory: %w", err))
			}
		}
		// When the server could not be stopped, the watchdog stays: it tries
		// again when the process ends.
		if len(errs) == 0 && c.watchdog != nil {
			_ = c.watchdog.Process.Kill()
			_ = c.watchdog.Wait()
			_ = c.lifeline.Close()
			liveClusters.Delete(c)
		}
		c.stopErr = errors.Join(errs...)
	})
	return c.stopErr
}

// run runs one of the cluster's binaries as the cluster's OS user, with the
// cluster directory as working directory (the test's may not be readable by
// that user).
func (c *Cluster) run(ctx context.Context, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, filepath.Join(c.BinDir, name), args...)
	cmd.Dir = c.dir
	cmd.Env = childEnv()
	setProcUser(cmd, c.owner)
	return cmd.CombinedOutput()
}

// clusterBase returns the directory to create cluster directories in (see
// [pgserver.BaseDir]).
func clusterBase(owner *osUser) string {
	return pgserver.BaseDir(owner, "/rbacdrift-pgtest-1234567890/.s.PGSQL.65535")
}

// queryValue writes s for a URL query, leaving a plain path as it is so the
// URL stays readable.
func queryValue(s string) string {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/._-", r)) {
			return url.QueryEscape(s)
		}
	}
	return s
}
