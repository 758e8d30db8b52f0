package pgtest

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/rbacdrift/rbacdrift/internal/pgserver"
)

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
	if !pgserver.HasServerBinaries(abs) {
		return "", fmt.Errorf("%s=%s: no initdb and pg_ctl there\nhint: point it at the bin directory of a PostgreSQL install, like the one scripts/pg-fetch.sh prints, or unset it", EnvBinDir, dir)
	}
	if root && !pgserver.TraversableByOthers(abs) {
		return "", fmt.Errorf("%s=%s: the postgres OS user cannot reach it, and as root the cluster runs as that user\nhint: make every directory above it enterable by others (chmod o+x) or install the binaries elsewhere", EnvBinDir, dir)
	}
	return abs, nil
}

// clusterBinDir returns the directory of the binaries that start a cluster:
// [EnvBinDir] when it is set, else the first that [pgserver.Finder.Find] finds.
func clusterBinDir() (string, error) {
	if dir := os.Getenv(EnvBinDir); dir != "" {
		return checkBinDir(dir, os.Geteuid() == 0)
	}
	return pgserver.DefaultFinder().Find(0)
}
