//go:build unix

package pgtest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
)

// An osUser is the OS user a cluster runs as when the tests run as root,
// because initdb and pg_ctl refuse to run as root.
type osUser struct {
	name     string
	uid, gid uint32
}

// serverUser returns the OS user to run clusters as: nil (the current user)
// unless the process runs as root, then "postgres".
func serverUser() (*osUser, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root, and initdb refuses root, but there is no %q OS user to run the cluster as: %v\nhint: create one (useradd --system postgres) or run the tests as another user", "postgres", err)
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err := errors.Join(err1, err2); err != nil {
		return nil, fmt.Errorf("reading OS user postgres: %w", err)
	}
	return &osUser{name: u.Username, uid: uint32(uid), gid: uint32(gid)}, nil
}

func (u *osUser) chown(path string) error {
	if err := os.Chown(path, int(u.uid), int(u.gid)); err != nil {
		return fmt.Errorf("handing %s to OS user %s: %w", path, u.name, err)
	}
	return nil
}

// setProcUser makes cmd run as u, when u is not nil.
func setProcUser(cmd *exec.Cmd, u *osUser) {
	if u == nil {
		return
	}
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Credential = &syscall.Credential{Uid: u.uid, Gid: u.gid, Groups: []uint32{}}
}

// watchdogScript waits for its standard input to close, which happens when
// the test process ends however it ends, then stops the server and removes
// the cluster directory. Its arguments are pg_ctl, the data directory and the
// cluster directory.
const watchdogScript = `read -r _; "$1" -D "$2" -m immediate -w stop >/dev/null 2>&1; rm -rf "$3"`

// startWatchdog starts the watchdog of a cluster. It runs as the cluster's OS
// user, in a process group of its own so that Ctrl-C in a terminal reaches
// the tests but not the watchdog. The returned file is the write end of the
// watchdog's standard input: the watchdog acts when it closes, that is when
// the process ends or when the file is closed. No child inherits it: Go opens
// files close-on-exec.
func startWatchdog(bin, dataDir, dir string, u *osUser) (*exec.Cmd, *os.File, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, nil, fmt.Errorf("starting cluster watchdog: %w", err)
	}
	defer r.Close()
	cmd := exec.Command("/bin/sh", "-c", watchdogScript, "pgtest-watchdog", filepath.Join(bin, "pg_ctl"), dataDir, dir)
	cmd.Stdin = r
	cmd.Dir = "/"
	cmd.Env = childEnv()
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	setProcUser(cmd, u)
	if err := cmd.Start(); err != nil {
		w.Close()
		return nil, nil, fmt.Errorf("starting cluster watchdog: %w", err)
	}
	return cmd, w, nil
}
