package replay

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/rbacdrift/rbacdrift/internal/safefile"
)

// Bounds of the walk [inspectFolder] makes: migration folders are shallow
// (drizzle's meta/, Prisma's and drizzle-kit 1.0's one folder per migration).
const (
	inspectDepth   = 4
	inspectEntries = 100_000
)

// inspectFolder refuses a migrations folder holding what a migration
// tool's reader must not open: a FIFO (which would block), a device (which
// would never end, /dev/zero) or a socket, or a link to one of them or to
// anything outside the folder. It looks before anything of the folder is
// read, a few levels deep, and opens nothing but folders.
func inspectFolder(dir string) error {
	root, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return fmt.Errorf("reading migrations: %w", err)
	}
	if root, err = filepath.Abs(root); err != nil {
		return fmt.Errorf("reading migrations: %w", err)
	}
	seen := 0
	var walk func(rel string, depth int) error
	walk = func(rel string, depth int) error {
		ents, err := os.ReadDir(filepath.Join(root, rel))
		if err != nil {
			return fmt.Errorf("reading migrations: %w", err)
		}
		for _, e := range ents {
			if seen++; seen > inspectEntries {
				return fmt.Errorf("reading migrations: %s holds more than %d files", dir, inspectEntries)
			}
			r := filepath.Join(rel, e.Name())
			shown := filepath.Join(dir, r)
			mode := e.Type()
			if mode&fs.ModeSymlink != 0 {
				real, err := safefile.Resolve(dir, r)
				if err != nil {
					return fmt.Errorf("reading migrations: %w", err)
				}
				st, err := os.Stat(real)
				if err != nil {
					return fmt.Errorf("reading migrations: %s: %w", shown, err)
				}
				mode = st.Mode().Type()
				if mode.IsDir() {
					continue // inside the folder: walked as itself
				}
			}
			switch {
			case mode.IsDir():
				if depth < inspectDepth {
					if err := walk(r, depth+1); err != nil {
						return err
					}
				}
			case !mode.IsRegular():
				return fmt.Errorf("reading migrations: %w", &safefile.Error{Path: shown, Kind: safefile.ErrNotRegular,
					What: "is not a regular file (a FIFO, a device or a socket); a migrations folder holds files and folders"})
			}
		}
		return nil
	}
	return walk("", 0)
}

// inFolder refuses a migration the folder's reader returned whose file lies
// outside the folder once links are resolved (a drizzle journal's tag
// "../../../../etc/passwd"), is not a regular file, or is larger than
// [safefile.MaxMigration]: its text would reach the server, and the
// server's syntax error would echo it.
func inFolder(dir, file string, size int) error {
	rel, err := filepath.Rel(dir, file)
	if err != nil || !filepath.IsLocal(rel) {
		return fmt.Errorf("reading migrations: %w", &safefile.Error{Path: file, Kind: safefile.ErrOutside, What: "lies outside the folder " + dir})
	}
	real, err := safefile.Resolve(dir, rel)
	if err != nil {
		return fmt.Errorf("reading migrations: %w", err)
	}
	if err := safefile.Check(real); err != nil {
		return fmt.Errorf("reading migrations: %s: %w", file, err)
	}
	if size > safefile.MaxMigration {
		return fmt.Errorf("reading migrations: %w", &safefile.Error{Path: file, Kind: safefile.ErrTooLarge, Limit: safefile.MaxMigration, What: "a migration"})
	}
	return nil
}
