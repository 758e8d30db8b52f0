package pgserver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// TestStartStop starts a real cluster from the local binaries, connects
// through its socket, and checks that Stop leaves nothing behind.
func TestStartStop(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := Start(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		c.Stop()
		t.Fatal(err)
	}
	var listen, fsync string
	err = conn.QueryRow(ctx, "SELECT current_setting('listen_addresses'), current_setting('fsync')").Scan(&listen, &fsync)
	conn.Close(ctx)
	if err != nil || listen != "" || fsync != "off" {
		t.Errorf("listen_addresses %q, fsync %q (%v); want no TCP listener and fsync off", listen, fsync, err)
	}
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(c.Dir); !os.IsNotExist(err) {
		t.Errorf("%s is still there after Stop: %v", c.Dir, err)
	}
	if err := c.Stop(); err != nil {
		t.Errorf("second Stop: %v", err)
	}
}

// TestStartCancelled: a start cut short (Ctrl-C) leaves no directory.
func TestStartCancelled(t *testing.T) {
	before, _ := filepath.Glob(filepath.Join(DirBase(mustUser(t), "rbacdrift-scratch"), "rbacdrift-scratch-*"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Start(ctx, Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Start with a cancelled context = %v, want context.Canceled", err)
	}
	after, _ := filepath.Glob(filepath.Join(DirBase(mustUser(t), "rbacdrift-scratch"), "rbacdrift-scratch-*"))
	if len(after) > len(before) {
		t.Errorf("directories left behind: %v", strings.Join(after, " "))
	}
}

func mustUser(t *testing.T) *User {
	u, err := ForServer("")
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestStartOptions starts a cluster with every option the test harness uses
// and checks each one on the running server.
func TestStartOptions(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	c, err := Start(ctx, Options{
		Name:    "rbacdrift-pgserver-test",
		Conf:    []string{"work_mem = '7MB'", "ssl_ca_file = 'extra.txt'"},
		TCPPort: port,
		HBA:     []string{"host all nobody_here 127.0.0.1/32 reject"},
		Files:   map[string][]byte{"extra.txt": []byte("hello")},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := c.Stop(); err != nil {
			t.Error(err)
		}
	}()
	if c.Port != port || !strings.HasPrefix(filepath.Base(c.Dir), "rbacdrift-pgserver-test-") {
		t.Errorf("Port %d, Dir %s; want %d and a directory named for the cluster", c.Port, c.Dir, port)
	}
	conn, err := pgx.Connect(ctx, fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var workMem, listen string
	var hba bool
	err = conn.QueryRow(ctx, `SELECT current_setting('work_mem'), current_setting('listen_addresses'),
		EXISTS (SELECT FROM pg_read_file('pg_hba.conf') f WHERE f LIKE '%nobody_here%')`).Scan(&workMem, &listen, &hba)
	if err != nil {
		t.Fatal(err)
	}
	if workMem != "7MB" || listen != "127.0.0.1" || !hba {
		t.Errorf("work_mem %q, listen_addresses %q, HBA line there %v; want 7MB, 127.0.0.1, true", workMem, listen, hba)
	}
	if b, err := os.ReadFile(filepath.Join(c.DataDir, "extra.txt")); err != nil || string(b) != "hello" {
		t.Errorf("extra.txt: %q, %v", b, err)
	}
	if fi, err := os.Stat(filepath.Join(c.DataDir, "extra.txt")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("extra.txt mode: %v, %v; want 0600", fi, err)
	}
	// The HBA line comes first, so it answers before the role is looked up.
	if _, err := pgx.Connect(ctx, fmt.Sprintf("postgres://nobody_here@127.0.0.1:%d/postgres?sslmode=disable", port)); err == nil || !strings.Contains(err.Error(), "pg_hba.conf rejects") {
		t.Errorf("connecting as nobody_here: %v, want the HBA line's rejection", err)
	}
}

// TestStartMakeDataFails: a data directory that cannot be made leaves no
// directory, and the error says why.
func TestStartMakeDataFails(t *testing.T) {
	var dir string
	_, err := Start(context.Background(), Options{
		Name: "rbacdrift-pgserver-test",
		MakeData: func(ctx context.Context, c *Cluster) error {
			dir = c.Dir
			return errors.New("no backup today")
		},
	})
	if err == nil || !strings.Contains(err.Error(), "no backup today") {
		t.Fatalf("Start = %v, want the MakeData error", err)
	}
	if _, err := os.Stat(dir); dir == "" || !os.IsNotExist(err) {
		t.Errorf("%q is still there after a failed Start: %v", dir, err)
	}
}
