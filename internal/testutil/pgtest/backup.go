package pgtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/rbacdrift/rbacdrift/internal/pgserver"
)

// A replicaMethod is how [StartReplica] copies the primary.
type replicaMethod int

const (
	// byBasebackup runs pg_basebackup -R -X stream, from the primary's bin
	// directory.
	byBasebackup replicaMethod = iota
	// byFileCopy copies the data directory between the low-level backup
	// functions (pg_backup_start and pg_backup_stop), for binaries without
	// pg_basebackup, like those of scripts/pg-fetch.sh. Another
	// directory's pg_basebackup will not do: it refuses servers of a newer
	// major version than its own.
	byFileCopy
)

func (m replicaMethod) String() string {
	if m == byFileCopy {
		return "file copy"
	}
	return "pg_basebackup"
}

// methodFor returns the method for a primary run from bin: pg_basebackup
// when bin has it.
func methodFor(bin string) replicaMethod {
	if pgserver.IsExecutable(filepath.Join(bin, "pg_basebackup")) {
		return byBasebackup
	}
	return byFileCopy
}

// slotCount numbers the replication slots of file-copy replicas.
var slotCount atomic.Int64

// copyBackup makes dataDir a standby of primary without pg_basebackup, as
// the manual's "Making a Base Backup Using the Low Level API" describes: a
// non-exclusive backup in one session, a copy of the data directory, the
// backup_label that pg_backup_stop returns, then what pg_basebackup -R
// writes (standby.signal and primary_conninfo). A physical replication
// slot, made before the backup starts, keeps the WAL from the backup's start
// until the standby has streamed it: a checkpoint in between would otherwise
// be free to remove it. The files written are handed to owner.
func copyBackup(ctx context.Context, primary *Cluster, dataDir string, owner *osUser) error {
	conn, err := connect(ctx, primary.URL("postgres", "", ""))
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	var version int
	if err := conn.QueryRow(ctx, "SELECT current_setting('server_version_num')::int").Scan(&version); err != nil {
		return fmt.Errorf("reading the primary's version: %w", err)
	}
	slot := fmt.Sprintf("pgtest_replica_%d_%d", os.Getpid(), slotCount.Add(1))
	if _, err := conn.Exec(ctx, "SELECT pg_create_physical_replication_slot($1, true)", slot); err != nil {
		return fmt.Errorf("creating replication slot %s: %w", slot, err)
	}
	// PostgreSQL 15 renamed the functions and dropped exclusive backups.
	start := "SELECT pg_backup_start('pgtest', true)"
	stop := "SELECT labelfile, spcmapfile FROM pg_backup_stop(false)"
	if version < 150000 {
		start = "SELECT pg_start_backup('pgtest', true, false)"
		stop = "SELECT labelfile, spcmapfile FROM pg_stop_backup(false, false)"
	}
	if _, err := conn.Exec(ctx, start); err != nil {
		return fmt.Errorf("starting the backup: %w", err)
	}
	copyErr := copyDataDir(primary.DataDir, dataDir, owner)
	var label, spcmap string
	if err := conn.QueryRow(ctx, stop).Scan(&label, &spcmap); err != nil {
		return errors.Join(copyErr, fmt.Errorf("stopping the backup: %w", err))
	}
	if copyErr != nil {
		return copyErr
	}
	conninfo := "host=" + primary.SocketDir + " port=" + strconv.Itoa(primary.Port) + " user=postgres application_name=pgtest_replica"
	files := []struct{ name, content string }{
		{"backup_label", label},
		{"tablespace_map", spcmap},
		{"standby.signal", ""},
	}
	for _, f := range files {
		if f.name == "tablespace_map" && f.content == "" {
			continue
		}
		if err := writeOwned(filepath.Join(dataDir, f.name), []byte(f.content), owner); err != nil {
			return err
		}
	}
	return pgserver.AppendConf(filepath.Join(dataDir, "postgresql.auto.conf"), []string{
		"# added by rbacdrift internal/testutil/pgtest, as pg_basebackup -R would",
		"primary_conninfo = " + pgserver.ConfString(conninfo),
		"primary_slot_name = " + pgserver.ConfString(slot),
	})
}

// skipContents lists the data directory's entries whose contents a base
// backup leaves out (the manual's list for the low-level API, and what
// pg_basebackup leaves out): the directories are made empty, the files not
// made at all. pg_wal keeps its subdirectories, which differ by version
// (archive_status, summaries).
var skipContents = map[string]bool{
	"pg_wal": true, "pg_replslot": true, "pg_dynshmem": true, "pg_notify": true, "pg_serial": true,
	"pg_snapshots": true, "pg_stat_tmp": true, "pg_subtrans": true,
	"postmaster.pid": true, "postmaster.opts": true, "backup_label": true, "tablespace_map": true,
	"standby.signal": true, "recovery.signal": true,
}

// copyDataDir copies the data directory src of a running server to dst,
// which must not exist, leaving out what a base backup leaves out. A file
// that disappears during the copy is left out too: the WAL replayed from the
// backup's start makes the copy consistent.
func copyDataDir(src, dst string, owner *osUser) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("copying the data directory: %w", err)
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		top := strings.SplitN(filepath.ToSlash(rel), "/", 2)[0]
		skipped := skipContents[top] && rel != top
		switch {
		case d.IsDir() && skipped && top == "pg_wal":
			// A subdirectory of pg_wal: made, its files left out.
		case skipped, strings.HasPrefix(d.Name(), "pgsql_tmp"):
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		case skipContents[top] && !d.IsDir():
			return nil
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			if err := os.Mkdir(target, 0o700); err != nil {
				return fmt.Errorf("copying the data directory: %w", err)
			}
			return chownTo(target, owner)
		}
		if !d.Type().IsRegular() {
			return nil // no symbolic links: the harness makes no tablespaces
		}
		return copyFile(path, target, owner)
	})
}

func copyFile(src, dst string, owner *osUser) error {
	in, err := os.Open(src)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("copying the data directory: %w", err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("copying the data directory: %w", err)
	}
	_, err = io.Copy(out, in)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("copying %s: %w", src, err)
	}
	return chownTo(dst, owner)
}

func writeOwned(path string, content []byte, owner *osUser) error {
	if err := os.WriteFile(path, content, 0o600); err != nil {
		return fmt.Errorf("writing %s: %w", filepath.Base(path), err)
	}
	return chownTo(path, owner)
}

func chownTo(path string, owner *osUser) error {
	if owner == nil {
		return nil
	}
	return owner.Chown(path)
}
