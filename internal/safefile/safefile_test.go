package safefile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// readQuickly fails the test if read does not return within 5s: a FIFO must
// be refused, not waited on.
func readQuickly(t *testing.T, read func() ([]byte, error)) ([]byte, error) {
	t.Helper()
	type result struct {
		b   []byte
		err error
	}
	ch := make(chan result, 1)
	go func() { b, err := read(); ch <- result{b, err} }()
	select {
	case r := <-ch:
		return r.b, r.err
	case <-time.After(5 * time.Second):
		t.Fatal("the read blocked")
		return nil, nil
	}
}

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "ok.yaml"), "version: 1\n")
	write(t, filepath.Join(dir, "big.yaml"), strings.Repeat("x", 101))
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	for name, target := range map[string]string{"zero": "/dev/zero", "tofifo": fifo, "todir": dir, "took": filepath.Join(dir, "ok.yaml")} {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		path string
		kind error
		msg  string
	}{
		{path: "ok.yaml"},
		{path: "took"},
		{path: "big.yaml", kind: ErrTooLarge, msg: "big.yaml: file is larger than 100 bytes, the limit for a test file"},
		{path: "fifo", kind: ErrNotRegular, msg: "fifo: is a FIFO (named pipe), not a regular file"},
		{path: "tofifo", kind: ErrNotRegular, msg: "tofifo: is a FIFO (named pipe), not a regular file"},
		{path: "zero", kind: ErrNotRegular, msg: "zero: is a character device, not a regular file"},
		{path: "todir", kind: ErrNotRegular, msg: "todir: is a directory, not a regular file"},
		{path: ".", kind: ErrNotRegular, msg: "is a directory, not a regular file"},
		{path: "missing", msg: "missing: no such file or directory"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			p := filepath.Join(dir, tt.path)
			b, err := readQuickly(t, func() ([]byte, error) { return ReadFile(p, 100, "a test file") })
			if tt.msg == "" {
				if err != nil || string(b) != "version: 1\n" {
					t.Fatalf("ReadFile = %q, %v; want the file", b, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("ReadFile = %d bytes, nil; want an error", len(b))
			}
			if !strings.HasSuffix(err.Error(), tt.msg) || !strings.Contains(err.Error(), dir) {
				t.Errorf("error = %q; want the path and %q", err, tt.msg)
			}
			if tt.kind != nil && !errors.Is(err, tt.kind) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.kind)
			}
			var e *Error
			if !errors.As(err, &e) || e.Path != p {
				t.Errorf("error %#v does not name %s", err, p)
			}
		})
	}
}

func TestReadFileIn(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "migrations")
	write(t, filepath.Join(dir, "0001_init.sql"), "select 1;\n")
	write(t, filepath.Join(dir, "sub", "0002.sql"), "select 2;\n")
	write(t, filepath.Join(root, "secret"), "hunter2\n")
	if err := os.Symlink("../secret", filepath.Join(dir, "out.sql")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("0001_init.sql", filepath.Join(dir, "in.sql")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(root, filepath.Join(dir, "up")); err != nil {
		t.Fatal(err)
	}
	// The folder itself may be reached through a link.
	link := filepath.Join(root, "link")
	if err := os.Symlink(dir, link); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		dir, rel string
		want     string
		kind     error
	}{
		{dir: dir, rel: "0001_init.sql", want: "select 1;\n"},
		{dir: dir, rel: "sub/0002.sql", want: "select 2;\n"},
		{dir: dir, rel: "in.sql", want: "select 1;\n"},
		{dir: link, rel: "in.sql", want: "select 1;\n"},
		{dir: dir, rel: "out.sql", kind: ErrOutside},
		{dir: dir, rel: "up/secret", kind: ErrOutside},
		{dir: dir, rel: "../secret", kind: ErrOutside},
		{dir: dir, rel: "../../../../../../etc/passwd", kind: ErrOutside},
		{dir: dir, rel: "/etc/passwd", kind: ErrOutside},
		{dir: dir, rel: "sub", kind: ErrNotRegular},
	}
	for _, tt := range tests {
		t.Run(tt.rel, func(t *testing.T) {
			b, err := ReadFileIn(tt.dir, tt.rel, 1<<20, "a migration")
			if tt.kind == nil {
				if err != nil || string(b) != tt.want {
					t.Fatalf("ReadFileIn = %q, %v; want %q", b, err, tt.want)
				}
				return
			}
			if !errors.Is(err, tt.kind) {
				t.Fatalf("ReadFileIn = %q, %v; want %v", b, err, tt.kind)
			}
			if strings.Contains(err.Error(), "hunter2") || !strings.Contains(err.Error(), tt.rel) {
				t.Errorf("error %q: want the name, never the content", err)
			}
		})
	}
}
