package pgserver

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// A Finder finds the directory of the PostgreSQL server binaries (initdb,
// pg_ctl). Its fields are the places it looks, so that tests can point it at
// a fake file system.
type Finder struct {
	Path    string // a PATH list
	LibGlob string // versioned install directories, like /usr/lib/postgresql/*/bin
}

// DefaultFinder looks where the machine keeps the binaries: PATH, then
// /usr/lib/postgresql/*/bin (Debian and Ubuntu).
func DefaultFinder() Finder {
	return Finder{Path: os.Getenv("PATH"), LibGlob: "/usr/lib/postgresql/*/bin"}
}

// Find returns the first directory holding both initdb and pg_ctl: from PATH
// (following symbolic links, so that the directory also holds pg_basebackup),
// then the highest version matching libGlob, then pg_config --bindir. When
// major is not 0 a libGlob directory of that major version comes first, so
// that the binaries match a server found another way.
func (f Finder) Find(major int) (string, error) {
	dirs := f.versionDirs()
	if major != 0 {
		for _, d := range dirs {
			if v, _ := DirVersion(d); v[0] == major && HasServerBinaries(d) {
				return d, nil
			}
		}
	}
	if p := LookPathIn("initdb", f.Path); p != "" {
		candidates := []string{filepath.Dir(p)}
		if real, err := filepath.EvalSymlinks(p); err == nil {
			candidates = append([]string{filepath.Dir(real)}, candidates...)
		}
		for _, d := range candidates {
			if HasServerBinaries(d) {
				return d, nil
			}
		}
	}
	for _, d := range dirs {
		if HasServerBinaries(d) {
			return d, nil
		}
	}
	if p := LookPathIn("pg_config", f.Path); p != "" {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		out, err := exec.CommandContext(ctx, p, "--bindir").Output()
		if d := strings.TrimSpace(string(out)); err == nil && HasServerBinaries(d) {
			return d, nil
		}
	}
	return "", fmt.Errorf("initdb and pg_ctl not found on PATH, in %s or through pg_config --bindir", f.LibGlob)
}

// versionDirs returns the directories matching libGlob, highest version first.
func (f Finder) versionDirs() []string {
	dirs, _ := filepath.Glob(f.LibGlob)
	slices.SortStableFunc(dirs, func(a, b string) int {
		va, _ := DirVersion(a)
		vb, _ := DirVersion(b)
		return slices.Compare(vb[:], va[:])
	})
	return dirs
}

// DirVersion reads the version from a directory like /usr/lib/postgresql/9.6/bin.
func DirVersion(dir string) ([2]int, bool) {
	var v [2]int
	parts := strings.SplitN(filepath.Base(filepath.Dir(dir)), ".", 2)
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil {
			return [2]int{}, false
		}
		v[i] = n
	}
	return v, true
}

// HasServerBinaries reports whether dir holds initdb and pg_ctl.
func HasServerBinaries(dir string) bool {
	return dir != "" && IsExecutable(filepath.Join(dir, "initdb")) && IsExecutable(filepath.Join(dir, "pg_ctl"))
}

// LookPathIn is exec.LookPath on the given PATH list instead of the
// process's. Empty entries (the current directory) are ignored.
func LookPathIn(name, path string) string {
	for _, dir := range filepath.SplitList(path) {
		if dir == "" {
			continue
		}
		if p := filepath.Join(dir, name); IsExecutable(p) {
			return p
		}
	}
	return ""
}

// IsExecutable reports whether p is an executable regular file.
func IsExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}
