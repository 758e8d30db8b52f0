package pgserver

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// AppendConf appends lines to the configuration file at path.
func AppendConf(path string, lines []string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("configuring the server: %w", err)
	}
	_, err = f.WriteString("\n" + strings.Join(lines, "\n") + "\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("configuring the server: %w", err)
	}
	return nil
}

// ConfString quotes s as a postgresql.conf string value.
func ConfString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `''`).Replace(s) + "'"
}

// ChildEnv is the environment of the PostgreSQL binaries: the process's
// without the libpq and server variables (PGDATA, PGPORT, PGHOST, ...),
// which could redirect them, and in the C locale so that their messages read
// the same everywhere.
func ChildEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "PG") || strings.HasPrefix(kv, "LC_") || strings.HasPrefix(kv, "LANG=") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "LC_ALL=C", "LANG=C")
}

// BaseDir returns the directory to make a server's directory in: the
// temporary directory, unless a socket path of tail under it would not fit
// in a socket address (about 100 bytes) or, when the server runs as another
// OS user (owner not nil), that user could not reach it; then /tmp.
func BaseDir(owner *User, tail string) string {
	base := os.TempDir()
	if len(base)+len(tail) > 100 || owner != nil && !TraversableByOthers(base) {
		return "/tmp"
	}
	return base
}

// TraversableByOthers reports whether every directory from / down to dir
// lets other users through.
func TraversableByOthers(dir string) bool {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return false
	}
	for {
		fi, err := os.Stat(dir)
		if err != nil || fi.Mode().Perm()&0o001 == 0 {
			return false
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return true
		}
		dir = parent
	}
}
