package pgtest

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/rbacdrift/rbacdrift/internal/pgserver"
)

// StartReplica starts a hot standby of primary, a cluster from
// [StartCluster], and stops it when the test ends. It is a base backup
// (pg_basebackup -R, WAL streamed) that keeps streaming from the primary
// through the primary's private socket, and listens on a private socket of
// its own. It answers read-only queries; pg_is_in_recovery() is true there.
// When the primary's bin directory has no pg_basebackup (the binaries of
// scripts/pg-fetch.sh have none), the base backup is a copy of the
// data directory made with the low-level backup functions, streaming through
// a replication slot.
//
// initdb's defaults are all a primary needs: wal_level = replica,
// max_wal_senders = 10, and pg_hba.conf trusts local replication
// connections. [Cluster.CatchUp] waits until the standby has replayed what
// the primary has written.
func StartReplica(t testing.TB, primary *Cluster) *Cluster {
	t.Helper()
	return startReplicaBy(t, primary, methodFor(primary.BinDir))
}

func startReplicaBy(t testing.TB, primary *Cluster, method replicaMethod) *Cluster {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := startReplica(ctx, primary, method)
	if err != nil {
		t.Fatalf("pgtest: StartReplica: %v", err)
	}
	t.Cleanup(func() {
		if err := c.stop(); err != nil {
			t.Errorf("pgtest: %v", err)
		}
	})
	return c
}

// startReplica makes and starts a standby of primary. Nothing is left behind
// when it fails. The copied postgresql.conf holds the primary's settings;
// pgserver's lines come last, so the standby gets a socket of its own and no
// TCP listener.
func startReplica(ctx context.Context, primary *Cluster, method replicaMethod) (*Cluster, error) {
	const hint = "\nhint: the primary needs wal_level = replica, max_wal_senders > 0 and a pg_hba.conf line for local replication"
	c, err := start(ctx, pgserver.Options{
		Name:   "rbacdrift-pgtest-replica",
		BinDir: primary.BinDir,
		Owner:  primary.srv.Owner,
		Conf:   harnessConf(nil),
		MakeData: func(ctx context.Context, c *pgserver.Cluster) error {
			if method == byFileCopy {
				if err := copyBackup(ctx, primary, c.DataDir, c.Owner); err != nil {
					return fmt.Errorf("base backup of the primary in %s by file copy: %w%s", primary.SocketDir, err, hint)
				}
				return nil
			}
			if out, err := c.Run(ctx, "pg_basebackup", "-D", c.DataDir, "-h", primary.SocketDir,
				"-p", strconv.Itoa(primary.Port), "-U", "postgres", "-R", "-X", "stream",
				"-c", "fast", "--no-sync"); err != nil {
				return fmt.Errorf("pg_basebackup of the primary in %s: %v\n%s%s", primary.SocketDir, err, out, hint)
			}
			return nil
		},
	})
	if err != nil {
		return nil, fmt.Errorf("starting a standby: %w", err)
	}
	return c, nil
}

// CatchUp waits until c, a standby of primary, has replayed everything the
// primary had written when CatchUp was called, and fails the test after a
// minute.
func (c *Cluster) CatchUp(t testing.TB, primary *Cluster) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := catchUp(ctx, primary.URL("postgres", "", ""), c.URL("postgres", "", "")); err != nil {
		t.Fatalf("pgtest: CatchUp: %v", err)
	}
}

func catchUp(ctx context.Context, primaryURL, standbyURL string) error {
	p, err := connect(ctx, primaryURL)
	if err != nil {
		return err
	}
	defer p.Close(context.Background())
	var lsn string
	// The insert position, not pg_current_wal_lsn (the write position): with
	// synchronous_commit off a commit record may still sit in the WAL
	// buffers, before the write position, and the standby would be "caught
	// up" without it. The loop below waits for the WAL writer to send it.
	if err := p.QueryRow(ctx, "SELECT pg_current_wal_insert_lsn()::text").Scan(&lsn); err != nil {
		return fmt.Errorf("reading the primary's WAL position: %w", err)
	}
	s, err := connect(ctx, standbyURL)
	if err != nil {
		return err
	}
	defer s.Close(context.Background())
	var replayed *string
	for {
		var done, recovering bool
		err := s.QueryRow(ctx, `SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text,
			coalesce(pg_last_wal_replay_lsn() >= $1::pg_lsn, false)`, lsn).Scan(&recovering, &replayed, &done)
		if err != nil {
			return fmt.Errorf("reading the standby's replay position: %w", err)
		}
		if !recovering {
			return errors.New("the server is not a standby: pg_is_in_recovery() is false")
		}
		if done {
			return nil
		}
		select {
		case <-ctx.Done():
			at := "nothing"
			if replayed != nil {
				at = *replayed
			}
			return fmt.Errorf("the standby has replayed up to %s, not yet the primary's %s: %w", at, lsn, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}
