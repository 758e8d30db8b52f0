package pgtest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// TestStartReplica makes a standby both ways. Both run on the default
// server's binaries; `make test-versions` skips the pg_basebackup one, as its
// binaries have no pg_basebackup, and StartReplica copies files there.
func TestStartReplica(t *testing.T) {
	t.Parallel()
	for _, method := range []replicaMethod{byBasebackup, byFileCopy} {
		t.Run(method.String(), func(t *testing.T) {
			t.Parallel()
			testStartReplica(t, method)
		})
	}
}

func testStartReplica(t *testing.T, method replicaMethod) {
	primary := StartCluster(t, ClusterOptions{})
	p, err := pgx.Connect(t.Context(), primary.URL("postgres", "", ""))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close(context.Background())
	if _, err := p.Exec(t.Context(), "CREATE TABLE before_backup (id int); INSERT INTO before_backup VALUES (1)"); err != nil {
		t.Fatal(err)
	}

	replica := startReplicaBy(t, primary, method)
	if replica.SocketDir == primary.SocketDir || replica.DataDir == primary.DataDir {
		t.Fatalf("replica shares the primary's directories: %+v", replica)
	}
	if _, err := p.Exec(t.Context(), "CREATE TABLE after_backup (id int); INSERT INTO after_backup VALUES (2)"); err != nil {
		t.Fatal(err)
	}
	replica.CatchUp(t, primary)

	r, err := pgx.Connect(t.Context(), replica.URL("postgres", "", ""))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close(context.Background())
	var recovering bool
	var sum int
	if err := r.QueryRow(t.Context(), `SELECT pg_is_in_recovery(),
		(SELECT sum(id) FROM before_backup) + (SELECT sum(id) FROM after_backup)`).Scan(&recovering, &sum); err != nil {
		t.Fatal(err)
	}
	if !recovering || sum != 3 {
		t.Errorf("on the replica: pg_is_in_recovery() = %v, rows sum to %d; want true and 3", recovering, sum)
	}
	_, err = r.Exec(t.Context(), "INSERT INTO after_backup VALUES (3)")
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "25006" {
		t.Errorf("write on the replica: err = %v, want 25006 read_only_sql_transaction", err)
	}
	var senders int
	if err := p.QueryRow(t.Context(), "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'").Scan(&senders); err != nil || senders != 1 {
		t.Errorf("primary streams to %d standbys (err %v), want 1", senders, err)
	}

	replica.Stop()
	if _, err := os.Stat(replica.DataDir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s is still there after Stop (%v)", replica.DataDir, err)
	}
}

func TestClusterHBAAndFiles(t *testing.T) {
	t.Parallel()
	c := StartCluster(t, ClusterOptions{
		HBA:       []string{"local all pw_only scram-sha-256"},
		Files:     map[string][]byte{"extra.conf": []byte("work_mem = '3MB'\n")},
		ExtraConf: []string{"include = 'extra.conf'"},
	})
	fi, err := os.Stat(filepath.Join(c.DataDir, "extra.conf"))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("extra.conf has mode %v, want 0600", fi.Mode().Perm())
	}
	admin, err := pgx.Connect(t.Context(), c.URL("postgres", "", ""))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(context.Background())
	var workMem string
	if err := admin.QueryRow(t.Context(), "SELECT current_setting('work_mem')").Scan(&workMem); err != nil || workMem != "3MB" {
		t.Errorf("work_mem = %q (err %v), want 3MB from the written file", workMem, err)
	}
	// PostgreSQL 13 stores an md5 hash by default, which a scram-sha-256 line refuses.
	if _, err := admin.Exec(t.Context(), "SET password_encryption = 'scram-sha-256'; CREATE ROLE pw_only LOGIN PASSWORD 'right-one'"); err != nil {
		t.Fatal(err)
	}
	for pw, want := range map[string]string{"right-one": "", "wrong-one": "28P01"} {
		conn, err := pgx.Connect(t.Context(), c.URL("postgres", "pw_only", pw))
		if err == nil {
			conn.Close(context.Background())
		}
		if got := pgCode(err); got != want {
			t.Errorf("password %q: err = %v, want SQLSTATE %q", pw, err, want)
		}
	}
}
