package pgserver

import (
	"context"
	"errors"
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
	c, err := Start(ctx)
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
	before, _ := filepath.Glob(filepath.Join(baseDir(mustUser(t)), "rbacdrift-scratch-*"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Start(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Start with a cancelled context = %v, want context.Canceled", err)
	}
	after, _ := filepath.Glob(filepath.Join(baseDir(mustUser(t)), "rbacdrift-scratch-*"))
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
