package pgtest

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

// A binFinder finds the directory of the PostgreSQL server binaries (initdb,
// pg_ctl). Its fields are the places it looks, so that tests can point it at
// a fake file system.
type binFinder struct {
	path    string // a PATH list
	libGlob string // versioned install directories, like /usr/lib/postgresql/*/bin
}

// EnvBinDir names the environment variable that makes the tests use a
// throwaway cluster started from the initdb and pg_ctl of one directory,
// whatever else the machine has: `make test-versions` runs the suite once per
// PostgreSQL major version this way.
const EnvBinDir = "RBACDRIFT_TEST_PG_BINDIR"

// checkBinDir returns dir, the value of [EnvBinDir], as an absolute path, or
// why the tests cannot start a cluster from it. As root the cluster runs as
// the postgres OS user (see serverUser), which must be able to reach dir.
func checkBinDir(dir string, root bool) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("%s=%s: %w", EnvBinDir, dir, err)
	}
	if !hasServerBinaries(abs) {
		return "", fmt.Errorf("%s=%s: no initdb and pg_ctl there\nhint: point it at the bin directory of a PostgreSQL install, like the one internal/pgversions/fetch.sh prints, or unset it", EnvBinDir, dir)
	}
	if root && !traversableByOthers(abs) {
		return "", fmt.Errorf("%s=%s: the postgres OS user cannot reach it, and as root the cluster runs as that user\nhint: make every directory above it enterable by others (chmod o+x) or install the binaries elsewhere", EnvBinDir, dir)
	}
	return abs, nil
}

// clusterBinDir returns the directory of the binaries that start a cluster:
// [EnvBinDir] when it is set, else the first that [binFinder.find] finds.
func clusterBinDir() (string, error) {
	if dir := os.Getenv(EnvBinDir); dir != "" {
		return checkBinDir(dir, os.Geteuid() == 0)
	}
	return defaultFinder().find(0)
}

func defaultFinder() binFinder {
	return binFinder{path: os.Getenv("PATH"), libGlob: "/usr/lib/postgresql/*/bin"}
}

// find returns the first directory holding both initdb and pg_ctl: from PATH
// (following symbolic links, so that the directory also holds pg_basebackup),
// then the highest version matching libGlob, then pg_config --bindir. When
// major is not 0 a libGlob directory of that major version comes first, so
// that the binaries match a server found another way.
func (f binFinder) find(major int) (string, error) {
	dirs := f.versionDirs()
	if major != 0 {
		for _, d := range dirs {
			if v, _ := dirVersion(d); v[0] == major && hasServerBinaries(d) {
				return d, nil
			}
		}
	}
	if p := lookPathIn("initdb", f.path); p != "" {
		candidates := []string{filepath.Dir(p)}
		if real, err := filepath.EvalSymlinks(p); err == nil {
			candidates = append([]string{filepath.Dir(real)}, candidates...)
		}
		for _, d := range candidates {
			if hasServerBinaries(d) {
				return d, nil
			}
		}
	}
	for _, d := range dirs {
		if hasServerBinaries(d) {
			return d, nil
		}
	}
	if p := lookPathIn("pg_config", f.path); p != "" {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		out, err := exec.CommandContext(ctx, p, "--bindir").Output()
		if d := strings.TrimSpace(string(out)); err == nil && hasServerBinaries(d) {
			return d, nil
		}
	}
	return "", fmt.Errorf("initdb and pg_ctl not found on PATH, in %s or through pg_config --bindir", f.libGlob)
}

// versionDirs returns the directories matching libGlob, highest version first.
func (f binFinder) versionDirs() []string {
	dirs, _ := filepath.Glob(f.libGlob)
	slices.SortStableFunc(dirs, func(a, b string) int {
		va, _ := dirVersion(a)
		vb, _ := dirVersion(b)
		return slices.Compare(vb[:], va[:])
	})
	return dirs
}

// dirVersion reads the version from a directory like /usr/lib/postgresql/9.6/bin.
func dirVersion(dir string) ([2]int, bool) {
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

func hasServerBinaries(dir string) bool {
	return dir != "" && isExecutable(filepath.Join(dir, "initdb")) && isExecutable(filepath.Join(dir, "pg_ctl"))
}

// lookPathIn is exec.LookPath on the given PATH list instead of the
// process's. Empty entries (the current directory) are ignored.
func lookPathIn(name, path string) string {
	for _, dir := range filepath.SplitList(path) {
		if dir == "" {
			continue
		}
		if p := filepath.Join(dir, name); isExecutable(p) {
			return p
		}
	}
	return ""
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}
