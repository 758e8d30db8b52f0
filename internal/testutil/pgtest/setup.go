package pgtest

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// writeSetup puts the caller's pg_hba.conf lines first in the file and
// writes the caller's files to the data directory, owned by the server's OS
// user, before the server starts.
func (c *Cluster) writeSetup(opts ClusterOptions) error {
	if len(opts.HBA) > 0 {
		path := filepath.Join(c.DataDir, "pg_hba.conf")
		old, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("configuring pg_hba.conf: %w", err)
		}
		lines := "# added by rbacdrift internal/testutil/pgtest\n" + strings.Join(opts.HBA, "\n") + "\n\n"
		// Truncating keeps the file's owner: the server's OS user.
		if err := os.WriteFile(path, append([]byte(lines), old...), 0o600); err != nil {
			return fmt.Errorf("configuring pg_hba.conf: %w", err)
		}
	}
	names := make([]string, 0, len(opts.Files))
	for name := range opts.Files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if filepath.IsAbs(name) || !filepath.IsLocal(name) {
			return fmt.Errorf("ClusterOptions.Files: %q is not a plain name inside the data directory", name)
		}
		path := filepath.Join(c.DataDir, name)
		if err := os.WriteFile(path, opts.Files[name], 0o600); err != nil {
			return fmt.Errorf("writing %s to the data directory: %w", name, err)
		}
		if c.owner != nil {
			if err := c.owner.Chown(path); err != nil {
				return err
			}
		}
	}
	return nil
}
