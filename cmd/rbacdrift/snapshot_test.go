package main

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rbacdrift/rbacdrift/internal/testutil/golden"
	"github.com/rbacdrift/rbacdrift/internal/testutil/pgtest"
)

var (
	snapshotOfRE = regexp.MustCompile(`(?m)^# rbacdrift snapshot of .*$`)
	takenRE      = regexp.MustCompile(`(?m)^# taken \S+ by rbacdrift \S+:`)
)

// TestSnapshotGolden pins the output of rbacdrift snapshot, header
// included (its address, server version and time normalised), on the
// reference databases and on the database that uses every construct.
func TestSnapshotGolden(t *testing.T) {
	tests := []struct {
		name   string
		sql    string   // file loaded into a fresh database
		args   []string // after --db; APP and ADMIN are replaced by the test's roles
		golden string
	}{
		{"normalised", "../../testdata/reference/normalised.sql", nil, "normalised.golden.yaml"},
		{"legacy", "../../testdata/reference/legacy.sql", []string{"--tables", "roles,role_permissions"}, "legacy.golden.yaml"},
		{"every construct", "../../testdata/snapshot/every.sql",
			[]string{"--schema", "public,audit", "--grants-for", "APP,ADMIN,PUBLIC"}, "every.golden.yaml"},
		{"every construct, matched", "../../testdata/snapshot/every.sql",
			[]string{"--match", "role_*", "--grants-for", "APP"}, "every-matched.golden.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			db := pgtest.NewDB(t)
			app, admin := db.Role(t, "app"), db.Role(t, "admin")
			b, err := os.ReadFile(tt.sql)
			if err != nil {
				t.Fatal(err)
			}
			db.Exec(t, strings.NewReplacer("{{app}}", app, "{{admin}}", admin).Replace(string(b)))
			args := []string{"snapshot", "--db", db.URL}
			for _, a := range tt.args {
				args = append(args, strings.NewReplacer("APP", app, "ADMIN", admin).Replace(a))
			}
			var stdout, stderr strings.Builder
			if code := run(context.Background(), args, strings.NewReader(""), &stdout, &stderr); code != 0 {
				t.Fatalf("snapshot exited %d: %s", code, stderr.String())
			}
			got := snapshotOfRE.ReplaceAllString(stdout.String(), "# rbacdrift snapshot of URL (PostgreSQL N)")
			got = takenRE.ReplaceAllString(got, "# taken TIME by rbacdrift VERSION:")
			// Role names end in a random suffix; keep their length, and so the alignment.
			got = strings.NewReplacer(app, "app_"+strings.Repeat("X", len(app)-4), admin, "admin_"+strings.Repeat("X", len(admin)-6)).Replace(got)
			golden.Check(t, filepath.Join("../../testdata/snapshot", tt.golden), []byte(got))

			// The snapshot, as written, checks clean through the command.
			model := filepath.Join(t.TempDir(), "model.yaml")
			if err := os.WriteFile(model, []byte(stdout.String()), 0o644); err != nil {
				t.Fatal(err)
			}
			var out, errOut strings.Builder
			if code := run(context.Background(), []string{"check", "--db", db.URL, "--spec", model, "--format", "json"},
				strings.NewReader(""), &out, &errOut); code != 0 {
				t.Errorf("check of the snapshot exited %d:\n%s%s", code, out.String(), errOut.String())
			}
			var rep struct{ Findings []json.RawMessage }
			if err := json.Unmarshal([]byte(out.String()), &rep); err != nil {
				t.Fatalf("check --format json: %v\n%s", err, out.String())
			}
			if len(rep.Findings) > 0 {
				t.Errorf("check of the snapshot reports findings:\n%s", out.String())
			}
		})
	}
}

// TestWriteFileAtomic: --out replaces a regular file whole, and writes
// through a symbolic link (or a device such as /dev/stdout) without
// replacing it.
func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target.yaml")
	link := filepath.Join(dir, "link.yaml")
	if err := os.WriteFile(target, []byte("old, and longer than the new content\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path string
		link       bool
	}{
		{"regular file", target, false},
		{"symbolic link", link, true},
		{"new file", filepath.Join(dir, "new.yaml"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := "version: 1\n# " + tt.name + "\n"
			if err := writeFileAtomic(tt.path, func(w io.Writer) error { _, err := io.WriteString(w, want); return err }); err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(tt.path)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, string(got)); diff != "" {
				t.Errorf("content (-want +got):\n%s", diff)
			}
			st, err := os.Lstat(tt.path)
			if err != nil {
				t.Fatal(err)
			}
			if isLink := st.Mode()&os.ModeSymlink != 0; isLink != tt.link {
				t.Errorf("symbolic link: %v, want %v", isLink, tt.link)
			}
		})
	}
	left, err := filepath.Glob(filepath.Join(dir, ".*"))
	if err != nil || len(left) > 0 {
		t.Errorf("temporary files left behind: %v %v", left, err)
	}
}
