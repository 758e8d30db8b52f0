package pgtest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/rbacdrift/rbacdrift/internal/pgserver"
)

// These tests start clusters of their own with the local binaries, whichever
// server GetServer uses, so the initdb path is tested even when
// RBACDRIFT_TEST_DATABASE_URL is set.

func TestStartCluster(t *testing.T) {
	t.Parallel()
	began := time.Now()
	c := StartCluster(t, ClusterOptions{ExtraConf: []string{"work_mem = '7MB'"}})
	t.Logf("cluster started in %v", time.Since(began).Round(time.Millisecond))
	conn, err := pgx.Connect(t.Context(), c.URL("postgres", "", ""))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"work_mem":                "7MB",
		"listen_addresses":        "",
		"fsync":                   "off",
		"max_connections":         "200",
		"data_directory":          c.DataDir,
		"unix_socket_directories": c.SocketDir,
		"server_encoding":         "UTF8",
		"lc_messages":             "C", // initdb --locale=C; the collation is checked below
	}
	for name, value := range want {
		var got string
		if err := conn.QueryRow(t.Context(), "SELECT current_setting($1)", name).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != value {
			t.Errorf("%s = %q, want %q", name, got, value)
		}
	}
	// Not current_setting('lc_collate'): PostgreSQL 16 dropped that setting.
	var collate string
	if err := conn.QueryRow(t.Context(), "SELECT datcollate FROM pg_database WHERE datname = current_database()").Scan(&collate); err != nil {
		t.Fatal(err)
	}
	if collate != "C" {
		t.Errorf("datcollate = %q, want C", collate)
	}
	conn.Close(context.Background())

	c.Stop()
	c.Stop()
	for _, dir := range []string{c.DataDir, c.SocketDir} {
		if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s is still there after Stop (%v)", dir, err)
		}
	}
	if conn, err := pgx.Connect(t.Context(), c.URL("postgres", "", "")); err == nil {
		conn.Close(context.Background())
		t.Error("connected after Stop")
	}
}

func TestStartClusterTCP(t *testing.T) {
	t.Parallel()
	port := FreePort(t)
	c := StartCluster(t, ClusterOptions{TCPPort: port})
	for _, url := range []string{
		fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port),
		c.URL("postgres", "", ""),
	} {
		conn, err := pgx.Connect(t.Context(), url)
		if err != nil {
			t.Fatal(err)
		}
		var got int
		if err := conn.QueryRow(t.Context(), "SELECT current_setting('port')::int").Scan(&got); err != nil {
			t.Fatal(err)
		}
		conn.Close(context.Background())
		if got != port || c.Port != port {
			t.Errorf("%s: port %d, Cluster.Port %d, want %d", url, got, c.Port, port)
		}
	}
}

func TestInitdbSource(t *testing.T) {
	t.Parallel()
	s, release, err := initdbSource(pgserver.DefaultFinder()).start(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := release(); err != nil {
			t.Error(err)
		}
		if _, err := os.Stat(s.DataDir); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s is still there after release (%v)", s.DataDir, err)
		}
	}()
	if s.Kind != "initdb" || s.BinDir == "" || s.SocketDir == "" || s.DataDir == "" {
		t.Errorf("server %+v", s)
	}
	conn, err := pgx.Connect(t.Context(), s.AdminURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var user, dbname string
	if err := conn.QueryRow(t.Context(), "SELECT current_user, current_database()").Scan(&user, &dbname); err != nil {
		t.Fatal(err)
	}
	if user != "postgres" || dbname != "postgres" {
		t.Errorf("AdminURL connects as %s to %s, want postgres to postgres", user, dbname)
	}
}

// crashHelper makes the test binary, run by TestClusterGoneWhenProcessDies,
// start a cluster, say where, and wait to be killed.
const crashHelper = "PGTEST_CRASH_HELPER"

func TestClusterGoneWhenProcessDies(t *testing.T) {
	if os.Getenv(crashHelper) == "1" {
		bin, err := clusterBinDir()
		if err != nil {
			t.Fatal(err)
		}
		port, _ := strconv.Atoi(os.Getenv(crashHelper + "_PORT"))
		c, err := startCluster(context.Background(), bin, ClusterOptions{TCPPort: port})
		if err != nil {
			t.Fatal(err)
		}
		fmt.Printf("cluster %s\n", c.srv.Dir)
		time.Sleep(time.Minute)
		return
	}
	t.Parallel()
	port := FreePort(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestClusterGoneWhenProcessDies$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashHelper+"=1", crashHelper+"_PORT="+strconv.Itoa(port))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var dir string
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if d, ok := strings.CutPrefix(sc.Text(), "cluster "); ok {
			dir = d
			break
		}
	}
	if dir == "" {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatalf("the helper started no cluster:\n%s", stderr.String())
	}
	url := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable&connect_timeout=5", port)
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	conn.Close(context.Background())

	// SIGKILL: no deferred function, cleanup or TestMain runs.
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, err := os.Stat(dir)
		if errors.Is(err, os.ErrNotExist) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s is still there 20s after its process died (%v)", dir, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if conn, err := pgx.Connect(t.Context(), url); err == nil {
		conn.Close(context.Background())
		t.Error("the server still answers after its process died")
	}
}
