package pgserver

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
	"time"
)

// ErrNoBinaries means that initdb and pg_ctl were not found.
var ErrNoBinaries = errors.New("initdb and pg_ctl not found on PATH, in /usr/lib/postgresql/*/bin or through pg_config --bindir")

// A Cluster is a running throwaway server made by [Start].
type Cluster struct {
	// Dir is the private directory holding the socket and the data directory.
	Dir string
	// BinDir is the directory of the initdb and pg_ctl that made it.
	BinDir string

	dataDir  string
	owner    *User // OS user the server runs as; nil for the current user
	watchdog *exec.Cmd
	lifeline *os.File // the watchdog acts when this closes

	stopOnce sync.Once
	stopErr  error
}

// port is the port number of the socket. The socket directory is private,
// so the default is free.
const port = 5432

// URL returns the postgres:// URL of database dbname on the cluster, as the
// superuser "postgres", through the Unix socket.
func (c *Cluster) URL(dbname string) string {
	return "postgres://postgres@/" + url.PathEscape(dbname) + "?host=" + url.QueryEscape(c.Dir) +
		"&port=" + strconv.Itoa(port) + "&sslmode=disable"
}

// Start makes and starts a cluster. Nothing is left behind when it fails;
// the error wraps [ErrNoBinaries] when there are no server binaries.
func Start(ctx context.Context) (_ *Cluster, err error) {
	bin, err := DefaultFinder().Find(0)
	if err != nil {
		return nil, ErrNoBinaries
	}
	owner, err := ForServer("")
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(baseDir(owner), "rbacdrift-scratch-")
	if err != nil {
		return nil, fmt.Errorf("creating the scratch server's directory: %w", err)
	}
	c := &Cluster{Dir: dir, BinDir: bin, dataDir: filepath.Join(dir, "data"), owner: owner}
	defer func() {
		if err != nil {
			err = errors.Join(err, c.Stop())
		}
	}()
	if owner != nil {
		if err := owner.Chown(dir); err != nil {
			return nil, err
		}
	}
	if c.watchdog, c.lifeline, err = StartWatchdog("rbacdrift-scratch-watchdog", filepath.Join(bin, "pg_ctl"), c.dataDir, dir, owner, ChildEnv()); err != nil {
		return nil, err
	}
	live.Store(c, true)
	if out, err := c.run(ctx, "initdb", "-D", c.dataDir, "-U", "postgres", "--auth=trust",
		"--no-sync", "-E", "UTF8", "--locale=C"); err != nil {
		return nil, fmt.Errorf("initdb: %w%s", cause(ctx, err), output(out))
	}
	if err := AppendConf(filepath.Join(c.dataDir, "postgresql.conf"), conf(dir)); err != nil {
		return nil, err
	}
	logFile := filepath.Join(dir, "server.log")
	if out, err := c.run(ctx, "pg_ctl", "-D", c.dataDir, "-l", logFile, "-w", "-t", "60", "start"); err != nil {
		log, _ := os.ReadFile(logFile)
		return nil, fmt.Errorf("pg_ctl start: %w%s", cause(ctx, err), output(append(out, log...)))
	}
	return c, nil
}

// cause returns the context's error when it ended, else err: a child killed
// because of Ctrl-C reports "signal: killed", which says less.
func cause(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// output is what a failed binary printed, on the lines after the error.
func output(b []byte) string {
	if s := strings.TrimSpace(string(b)); s != "" {
		return "\n" + s
	}
	return ""
}

// Stop stops the server at once (immediate shutdown: nothing is kept) and
// removes its directory. Later calls return the first outcome. It does not
// depend on a context, so that it also runs after Ctrl-C.
func (c *Cluster) Stop() error {
	c.stopOnce.Do(func() {
		var errs []error
		if _, err := os.Stat(filepath.Join(c.dataDir, "postmaster.pid")); err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			out, err := c.run(ctx, "pg_ctl", "-D", c.dataDir, "-m", "immediate", "-w", "stop")
			cancel()
			if err != nil {
				errs = append(errs, fmt.Errorf("stopping the scratch server in %s: %v\n%s", c.Dir, err, out))
			}
		}
		if len(errs) == 0 {
			if err := os.RemoveAll(c.Dir); err != nil {
				errs = append(errs, fmt.Errorf("removing the scratch server's directory: %w", err))
			}
		}
		// When the server could not be stopped the watchdog stays: it tries
		// again when the process ends.
		if len(errs) == 0 && c.watchdog != nil {
			_ = c.watchdog.Process.Kill()
			_ = c.watchdog.Wait()
			_ = c.lifeline.Close()
		}
		live.Delete(c)
		c.stopErr = errors.Join(errs...)
	})
	return c.stopErr
}

// live keeps every started cluster reachable until it is stopped: the
// garbage collector closes an unreachable *os.File, and closing a lifeline
// makes the watchdog remove its cluster.
var live sync.Map

// run runs one of the server binaries as the cluster's OS user, in the
// cluster's directory (the caller's may not be readable by that user), in a
// process group of its own so that only the context ends it.
func (c *Cluster) run(ctx context.Context, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, filepath.Join(c.BinDir, name), args...)
	cmd.Dir = c.Dir
	cmd.Env = ChildEnv()
	OwnGroup(cmd)
	c.owner.Apply(cmd)
	return cmd.CombinedOutput()
}

// conf is what the server is given beyond initdb's defaults: the private
// socket and no TCP listener, no durability, quiet logs. The settings live in
// postgresql.conf, not on a command line that goes through a shell.
func conf(dir string) []string {
	return []string{
		"# added by rbacdrift internal/pgserver",
		"listen_addresses = ''",
		"port = " + strconv.Itoa(port),
		"unix_socket_directories = " + ConfString(dir),
		"fsync = off",
		"full_page_writes = off",
		"synchronous_commit = off",
		"log_min_messages = warning",
	}
}

// baseDir returns where to make the cluster's directory (see
// [BaseDir]).
func baseDir(owner *User) string {
	return BaseDir(owner, "/rbacdrift-scratch-1234567890/.s.PGSQL.5432")
}
