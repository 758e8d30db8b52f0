//go:build !unix

package pgserver

import (
	"os"
	"os/exec"
)

// A User is the OS user a server runs as; only Unix systems switch users.
type User struct{ Name string }

// ForServer returns nil: the current user.
func ForServer(string) (*User, error) { return nil, nil }

// Chown does nothing here.
func (u *User) Chown(string) error { return nil }

// Apply does nothing here.
func (u *User) Apply(*exec.Cmd) {}

// OwnGroup does nothing here.
func OwnGroup(*exec.Cmd) {}

// Watchdog starts nothing: what it would clean up when the process ends
// stays until removed by hand.
func Watchdog(name, script string, u *User, env []string, args ...string) (*exec.Cmd, *os.File, error) {
	return nil, nil, nil
}
