package drizzle_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/rbacdrift/rbacdrift/internal/derive/drizzle"
	"github.com/rbacdrift/rbacdrift/internal/safefile"
)

// TestHostileFiles: what the folder holds is not trusted. A snapshot that
// is a FIFO or a device, a link out of the folder, or JSON nested to
// exhaust memory is an error naming the file, and nothing blocks.
func TestHostileFiles(t *testing.T) {
	write := func(t *testing.T, path, data string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	journal := `{"version": "7", "dialect": "postgresql", "entries": [{"idx": 0, "tag": "0000_a"}]}`

	t.Run("snapshot is a link out of the folder", func(t *testing.T) {
		root := t.TempDir()
		dir := filepath.Join(root, "drizzle")
		write(t, filepath.Join(dir, "meta", "_journal.json"), journal)
		write(t, filepath.Join(root, "secret.json"), `{"password": "hunter2"}`)
		if err := os.Symlink("../../secret.json", filepath.Join(dir, "meta", "0000_snapshot.json")); err != nil {
			t.Fatal(err)
		}
		_, err := drizzle.FromFile(dir)
		if !errors.Is(err, safefile.ErrOutside) || strings.Contains(err.Error(), "hunter2") {
			t.Fatalf("FromFile = %v; want ErrOutside", err)
		}
	})
	t.Run("meta is a link out of the folder", func(t *testing.T) {
		root := t.TempDir()
		dir := filepath.Join(root, "drizzle")
		write(t, filepath.Join(root, "elsewhere", "_journal.json"), journal)
		write(t, filepath.Join(root, "elsewhere", "0000_snapshot.json"), `{}`)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink("../elsewhere", filepath.Join(dir, "meta")); err != nil {
			t.Fatal(err)
		}
		if _, err := drizzle.FromFile(dir); !errors.Is(err, safefile.ErrOutside) {
			t.Fatalf("FromFile = %v; want ErrOutside", err)
		}
	})
	t.Run("snapshot and journal are FIFOs or devices", func(t *testing.T) {
		dir := t.TempDir()
		write(t, filepath.Join(dir, "meta", "_journal.json"), journal)
		if err := syscall.Mkfifo(filepath.Join(dir, "meta", "0000_snapshot.json"), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := drizzle.FromFile(dir); !errors.Is(err, safefile.ErrNotRegular) {
			t.Errorf("FIFO snapshot: %v", err)
		}
		if err := os.Remove(filepath.Join(dir, "meta", "_journal.json")); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink("/dev/zero", filepath.Join(dir, "meta", "_journal.json")); err != nil {
			t.Fatal(err)
		}
		if _, err := drizzle.FromFile(dir); !errors.Is(err, safefile.ErrOutside) {
			t.Errorf("journal linked to /dev/zero: %v", err)
		}
		if _, err := drizzle.FromFile("/dev/zero"); !errors.Is(err, safefile.ErrNotRegular) {
			t.Errorf("/dev/zero as the snapshot: %v", err)
		}
	})
	t.Run("deep nesting", func(t *testing.T) {
		for _, open := range []string{"[", `{"a":`} {
			data := strings.Repeat(open, 20000)
			_, err := drizzle.Parse("snap.json", []byte(data))
			want := "snap.json:1:"
			if err == nil || !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), "nested more than 64 levels deep") {
				t.Errorf("%s x 20000: %v; want %s...: nested more than 64 levels deep", open, err, want)
			}
		}
	})
	t.Run("many values", func(t *testing.T) {
		data := "[" + strings.Repeat("0,", drizzle.MaxValues) + "0]"
		_, err := drizzle.Parse("snap.json", []byte(data))
		if err == nil || !strings.Contains(err.Error(), "holds more than") {
			t.Errorf("%d values: %v", drizzle.MaxValues+2, err)
		}
	})
}
