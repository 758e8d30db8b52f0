package pgtest

import (
	"context"
	"os"
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
// private temporary directory that also holds the data directory. It is a
// [pgserver.Cluster] with the harness's settings.
type Cluster struct {
	SocketDir string // directory of the Unix socket
	DataDir   string // data directory
	BinDir    string // directory of the initdb and pg_ctl that made and run it
	Port      int    // port number of the socket, and of the TCP listener when there is one

	srv *pgserver.Cluster
}

// URL returns the URL of database dbname on the cluster as user with password,
// through the Unix socket. An empty user means the superuser "postgres"; an
// empty password means none.
func (c *Cluster) URL(dbname, user, password string) string {
	return withDatabase(c.srv.URL("postgres"), dbname, user, password)
}

// Stop stops the server at once (immediate shutdown) and removes its
// directory. Later calls do nothing. A failure is reported when the test that
// started the cluster ends.
func (c *Cluster) Stop() {
	_ = c.stop()
}

// stop stops the server and removes its directory, once; later calls return
// the first outcome.
func (c *Cluster) stop() error { return c.srv.Stop() }

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
func startCluster(ctx context.Context, bin string, opts ClusterOptions) (*Cluster, error) {
	owner, err := serverUser()
	if err != nil {
		return nil, err
	}
	return start(ctx, pgserver.Options{
		Name:    "rbacdrift-pgtest",
		BinDir:  bin,
		Owner:   owner,
		Conf:    harnessConf(opts.ExtraConf),
		TCPPort: opts.TCPPort,
		HBA:     opts.HBA,
		Files:   opts.Files,
	})
}

// start starts a cluster with opts and wraps it for the tests.
func start(ctx context.Context, opts pgserver.Options) (*Cluster, error) {
	srv, err := pgserver.Start(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &Cluster{SocketDir: srv.Dir, DataDir: srv.DataDir, BinDir: srv.BinDir, Port: srv.Port, srv: srv}, nil
}

// harnessConf is what the harness adds to [pgserver]'s postgresql.conf: room
// for parallel tests, then the caller's lines.
func harnessConf(extra []string) []string {
	return append([]string{"max_connections = 200"}, extra...)
}

// clusterBase returns the directory to create the harness's other
// directories in (see [pgserver.DirBase]).
func clusterBase(owner *osUser) string {
	return pgserver.DirBase(owner, "rbacdrift-pgtest")
}
