package pgserver

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ErrNoBinaries means that initdb and pg_ctl were not found.
var ErrNoBinaries = errors.New("initdb and pg_ctl not found on PATH, in /usr/lib/postgresql/*/bin or through pg_config --bindir")

// Options configures a cluster made by [Start]. The zero value is the
// scratch server of snapshot --from-migrations: the binaries [DefaultFinder]
// finds, a private Unix socket only, initdb's pg_hba.conf.
type Options struct {
	// Name names the cluster's directory (Name + "-" + a random suffix) and,
	// in ps, its watchdog (Name + "-watchdog"). Empty means "rbacdrift-scratch".
	Name string
	// BinDir is the directory of initdb and pg_ctl. Empty means the first
	// that [DefaultFinder] finds; none found is [ErrNoBinaries].
	BinDir string
	// Owner is the OS user the server runs as, from [ForServer]. Nil means
	// ForServer("").
	Owner *User
	// Conf holds postgresql.conf lines. They come after the cluster's own
	// settings, so they win; set the port with TCPPort, not here, or
	// [Cluster.URL] will not find the server.
	Conf []string
	// TCPPort, when not 0, makes the server also listen on 127.0.0.1 at this
	// port. With 0 it listens only on its private Unix socket.
	TCPPort int
	// HBA holds pg_hba.conf lines put before initdb's own (trust for every
	// local connection, replication included), so they take precedence.
	HBA []string
	// Files are written to the data directory before the server starts,
	// readable only by the server's OS user (mode 0600).
	Files map[string][]byte
	// MakeData, when not nil, makes the data directory instead of initdb,
	// for example as a base backup of another cluster. The configuration
	// above is then added to what it made.
	MakeData func(ctx context.Context, c *Cluster) error
}

// A Cluster is a running throwaway server made by [Start].
type Cluster struct {
	// Dir is the private directory holding the socket and the data
	// directory; Stop removes it.
	Dir string
	// DataDir is the data directory, inside Dir.
	DataDir string
	// BinDir is the directory of the initdb and pg_ctl that made it.
	BinDir string
	// Port is the port number of the socket, and of the TCP listener when
	// there is one.
	Port int
	// Owner is the OS user the server runs as; nil for the current user.
	Owner *User

	watchdog *exec.Cmd
	lifeline *os.File // the watchdog acts when this closes

	stopOnce sync.Once
	stopErr  error
}

// defaultPort is the port of a cluster without a TCP listener: the socket
// directory is private, so the default is free.
const defaultPort = 5432

// URL returns the postgres:// URL of database dbname on the cluster, as the
// superuser "postgres", through the Unix socket.
func (c *Cluster) URL(dbname string) string {
	return "postgres://postgres@/" + url.PathEscape(dbname) + "?host=" + queryValue(c.Dir) +
		"&port=" + strconv.Itoa(c.Port) + "&sslmode=disable"
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

// Start makes and starts a cluster: superuser "postgres", trust
// authentication, UTF8 and the C locale, fsync off. Nothing is left behind
// when it fails; the error wraps [ErrNoBinaries] when there are no server
// binaries, and the context's error when ctx ended.
func Start(ctx context.Context, opts Options) (_ *Cluster, err error) {
	name := cmp.Or(opts.Name, "rbacdrift-scratch")
	bin := opts.BinDir
	if bin == "" {
		if bin, err = DefaultFinder().Find(0); err != nil {
			return nil, ErrNoBinaries
		}
	}
	owner := opts.Owner
	if owner == nil {
		if owner, err = ForServer(""); err != nil {
			return nil, err
		}
	}
	dir, err := os.MkdirTemp(DirBase(owner, name), name+"-")
	if err != nil {
		return nil, fmt.Errorf("creating the server's directory: %w", err)
	}
	c := &Cluster{Dir: dir, DataDir: filepath.Join(dir, "data"), BinDir: bin, Port: cmp.Or(opts.TCPPort, defaultPort), Owner: owner}
	defer func() {
		if err != nil {
			err = errors.Join(err, c.Stop())
		}
	}()
	if err := owner.Chown(dir); err != nil {
		return nil, err
	}
	if c.watchdog, c.lifeline, err = Watchdog(name+"-watchdog", clusterWatchdog, owner, ChildEnv(), filepath.Join(bin, "pg_ctl"), c.DataDir, dir); err != nil {
		return nil, err
	}
	live.Store(c, true)
	if opts.MakeData != nil {
		if err := opts.MakeData(ctx, c); err != nil {
			return nil, cause(ctx, err)
		}
	} else if out, err := c.Run(ctx, "initdb", "-D", c.DataDir, "-U", "postgres", "--auth=trust",
		"--no-sync", "-E", "UTF8", "--locale=C"); err != nil {
		return nil, fmt.Errorf("initdb: %w%s", cause(ctx, err), output(out))
	}
	if err := AppendConf(filepath.Join(c.DataDir, "postgresql.conf"), conf(c, opts)); err != nil {
		return nil, err
	}
	if err := c.writeSetup(opts); err != nil {
		return nil, err
	}
	logFile := filepath.Join(dir, "server.log")
	if out, err := c.Run(ctx, "pg_ctl", "-D", c.DataDir, "-l", logFile, "-w", "-t", "60", "start"); err != nil {
		log, _ := os.ReadFile(logFile)
		return nil, fmt.Errorf("pg_ctl start: %w%s", cause(ctx, err), output(append(out, log...)))
	}
	return c, nil
}

// cause returns the context's error when it ended, else err: a child killed
// because of Ctrl-C reports "signal: killed", which says less.
func cause(ctx context.Context, err error) error {
	if ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
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

// conf is what the server is given beyond initdb's defaults: the private
// socket and a TCP listener only when asked for, no durability (the data is
// thrown away), quiet logs, then the caller's lines. The settings live in
// postgresql.conf, not on a command line that goes through a shell, and so
// they survive a restart.
func conf(c *Cluster, opts Options) []string {
	listen := ""
	if opts.TCPPort != 0 {
		listen = "127.0.0.1"
	}
	return append([]string{
		"# added by rbacdrift internal/pgserver",
		"listen_addresses = " + ConfString(listen),
		"port = " + strconv.Itoa(c.Port),
		"unix_socket_directories = " + ConfString(c.Dir),
		"fsync = off",
		"full_page_writes = off",
		"synchronous_commit = off",
		"log_min_messages = warning",
	}, opts.Conf...)
}

// writeSetup puts the caller's pg_hba.conf lines first in the file and
// writes the caller's files to the data directory, owned by the server's OS
// user, before the server starts.
func (c *Cluster) writeSetup(opts Options) error {
	if len(opts.HBA) > 0 {
		path := filepath.Join(c.DataDir, "pg_hba.conf")
		old, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("configuring pg_hba.conf: %w", err)
		}
		lines := "# added by rbacdrift internal/pgserver\n" + strings.Join(opts.HBA, "\n") + "\n\n"
		// Truncating keeps the file's owner: the server's OS user.
		if err := os.WriteFile(path, append([]byte(lines), old...), 0o600); err != nil {
			return fmt.Errorf("configuring pg_hba.conf: %w", err)
		}
	}
	names := make([]string, 0, len(opts.Files))
	for name := range opts.Files {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if filepath.IsAbs(name) || !filepath.IsLocal(name) {
			return fmt.Errorf("Options.Files: %q is not a plain name inside the data directory", name)
		}
		path := filepath.Join(c.DataDir, name)
		if err := os.WriteFile(path, opts.Files[name], 0o600); err != nil {
			return fmt.Errorf("writing %s to the data directory: %w", name, err)
		}
		if err := c.Owner.Chown(path); err != nil {
			return err
		}
	}
	return nil
}

// Stop stops the server at once (immediate shutdown: nothing is kept),
// removes its directory and then dismisses the watchdog, whose job is done.
// Later calls return the first outcome. It does not depend on a context, so
// that it also runs after Ctrl-C.
func (c *Cluster) Stop() error {
	c.stopOnce.Do(func() {
		var errs []error
		if _, err := os.Stat(filepath.Join(c.DataDir, "postmaster.pid")); err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			out, err := c.Run(ctx, "pg_ctl", "-D", c.DataDir, "-m", "immediate", "-w", "stop")
			cancel()
			if err != nil {
				errs = append(errs, fmt.Errorf("stopping the server in %s: %v%s", c.Dir, err, output(out)))
			}
		}
		if len(errs) == 0 {
			if err := os.RemoveAll(c.Dir); err != nil {
				errs = append(errs, fmt.Errorf("removing the server's directory: %w", err))
			}
		}
		// When the server could not be stopped the watchdog stays, and the
		// cluster stays reachable: the watchdog tries again when the process
		// ends.
		if len(errs) == 0 && c.watchdog != nil {
			_ = c.watchdog.Process.Kill()
			_ = c.watchdog.Wait()
			_ = c.lifeline.Close()
			live.Delete(c)
		}
		c.stopErr = errors.Join(errs...)
	})
	return c.stopErr
}

// clusterWatchdog is the [Watchdog] script of a cluster: when the process
// that started the cluster is gone, it stops the server and removes the
// directory. Its arguments are pg_ctl, the data directory and the directory
// to remove.
const clusterWatchdog = `"$1" -D "$2" -m immediate -w stop >/dev/null 2>&1; rm -rf "$3"`

// live keeps every started cluster reachable until it is stopped: the
// garbage collector closes an unreachable *os.File, and closing a lifeline
// makes the watchdog remove its cluster.
var live sync.Map

// Run runs one of the cluster's binaries (from BinDir) as the cluster's OS
// user, in the cluster's directory (the caller's may not be readable by that
// user), in a process group of its own so that only the context ends it, and
// returns what it printed.
func (c *Cluster) Run(ctx context.Context, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, filepath.Join(c.BinDir, name), args...)
	cmd.Dir = c.Dir
	cmd.Env = ChildEnv()
	OwnGroup(cmd)
	c.Owner.Apply(cmd)
	return cmd.CombinedOutput()
}

// DirBase returns where to make the directory of a cluster called name (see
// [BaseDir]): room is left for a random suffix and the longest socket name.
func DirBase(owner *User, name string) string {
	return BaseDir(owner, "/"+name+"-1234567890/.s.PGSQL.65535")
}
