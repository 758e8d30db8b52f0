//go:build unix

package pgserver

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"strconv"
	"syscall"
)

// A User is the OS user a server runs as when the process runs as root.
type User struct {
	Name     string
	UID, GID uint32
}

// ForServer returns the OS user to run a server as: nil (the current user)
// unless the process runs as root, then "postgres". hint ends the error
// when there is no such user.
func ForServer(hint string) (*User, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root, which initdb refuses, and there is no %q OS user to run the server as: %v%s", "postgres", err, hint)
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err := errors.Join(err1, err2); err != nil {
		return nil, fmt.Errorf("reading OS user postgres: %w", err)
	}
	return &User{Name: u.Username, UID: uint32(uid), GID: uint32(gid)}, nil
}

// Chown hands path to u; nothing for the current user (nil).
func (u *User) Chown(path string) error {
	if u == nil {
		return nil
	}
	if err := os.Chown(path, int(u.UID), int(u.GID)); err != nil {
		return fmt.Errorf("handing %s to OS user %s: %w", path, u.Name, err)
	}
	return nil
}

// Apply makes cmd run as u; nothing for the current user (nil).
func (u *User) Apply(cmd *exec.Cmd) {
	if u == nil {
		return
	}
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Credential = &syscall.Credential{Uid: u.UID, Gid: u.GID, Groups: []uint32{}}
}

// OwnGroup puts cmd in a process group of its own, so that Ctrl-C in a
// terminal reaches the process that started it but not cmd.
func OwnGroup(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
}

// Watchdog starts a watchdog, called name in ps: a /bin/sh script run as u,
// in a process group of its own, with env as its environment and args as
// its arguments ($1, ...). The script starts with `read -r _`, which returns
// when its standard input closes. The returned file is the write end of that
// input: it closes when the process ends however it ends, or when the file is
// closed. No child inherits it: Go opens files close-on-exec.
func Watchdog(name, script string, u *User, env []string, args ...string) (*exec.Cmd, *os.File, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, nil, fmt.Errorf("starting %s: %w", name, err)
	}
	defer r.Close()
	cmd := exec.Command("/bin/sh", append([]string{"-c", "read -r _; " + script, name}, args...)...)
	cmd.Stdin = r
	cmd.Dir = "/"
	cmd.Env = env
	OwnGroup(cmd)
	u.Apply(cmd)
	if err := cmd.Start(); err != nil {
		w.Close()
		return nil, nil, fmt.Errorf("starting %s: %w", name, err)
	}
	return cmd, w, nil
}
