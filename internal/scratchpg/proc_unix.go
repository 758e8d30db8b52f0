//go:build unix

package scratchpg

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"strconv"
	"syscall"
)

// An osUser is the OS user the server runs as when the process runs as root,
// because initdb and pg_ctl refuse to run as root.
type osUser struct {
	name     string
	uid, gid uint32
}

// serverUser returns the OS user to run the server as: nil (the current
// user) unless the process runs as root, then "postgres".
func serverUser() (*osUser, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root, which initdb refuses, and there is no %q OS user to run the scratch server as: %v", "postgres", err)
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

// setProc makes cmd run in a process group of its own and, when u is not
// nil, as u.
func setProc(cmd *exec.Cmd, u *osUser) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if u != nil {
		cmd.SysProcAttr.Credential = &syscall.Credential{Uid: u.uid, Gid: u.gid, Groups: []uint32{}}
	}
}

// watchdogScript waits for its standard input to close, which happens when
// the process that started it ends however it ends, then stops the server and
// removes the directory. Its arguments are pg_ctl, the data directory and the
// cluster directory.
const watchdogScript = `read -r _; "$1" -D "$2" -m immediate -w stop >/dev/null 2>&1; rm -rf "$3"`

// startWatchdog starts the watchdog of a cluster, as the cluster's OS user.
// The returned file is the write end of its standard input; no child
// inherits it (Go opens files close-on-exec).
func startWatchdog(pgCtl, dataDir, dir string, u *osUser) (*exec.Cmd, *os.File, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, nil, fmt.Errorf("starting the scratch server's watchdog: %w", err)
	}
	defer r.Close()
	cmd := exec.Command("/bin/sh", "-c", watchdogScript, "rbacdrift-scratch-watchdog", pgCtl, dataDir, dir)
	cmd.Stdin = r
	cmd.Dir = "/"
	cmd.Env = childEnv()
	setProc(cmd, u)
	if err := cmd.Start(); err != nil {
		w.Close()
		return nil, nil, fmt.Errorf("starting the scratch server's watchdog: %w", err)
	}
	return cmd, w, nil
}
