package pgtest

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/rbacdrift/rbacdrift/internal/pgserver"
)

func TestNoServerFailsWithGuidanceOnce(t *testing.T) {
	t.Parallel()
	empty := t.TempDir() // no binaries on PATH, no versioned directories, no pg_config
	dockerCalls := 0
	d := &discovery{sources: func() []source {
		return []source{
			envSource(func(string) string { return "" }),
			initdbSource(pgserver.Finder{Path: empty, LibGlob: filepath.Join(empty, "*", "bin")}),
			{name: "testcontainers", start: func(context.Context) (*Server, func() error, error) {
				dockerCalls++
				return nil, nil, unavailable("no Docker engine: %v", errors.New("cannot connect"))
			}},
		}
	}}
	var msgs []string
	for range 2 {
		rec := newRecorder(t)
		rec.run(func(tb testing.TB) {
			d.get(tb)
			tb.Error("get returned")
		})
		msgs = append(msgs, rec.fatal)
	}
	for _, want := range []string{
		"pgtest: no PostgreSQL server for the tests",
		"env: RBACDRIFT_TEST_DATABASE_URL is not set",
		"initdb: initdb and pg_ctl not found on PATH, in " + filepath.Join(empty, "*", "bin") + " or through pg_config --bindir",
		"testcontainers: no Docker engine: cannot connect",
		"hint: set RBACDRIFT_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable",
		"apt-get install postgresql",
		"hint: or start Docker",
	} {
		if !strings.Contains(msgs[0], want) {
			t.Errorf("failure says:\n%s\nwant it to contain %q", msgs[0], want)
		}
	}
	if msgs[1] != msgs[0] {
		t.Errorf("second failure says %q, want the first one again", msgs[1])
	}
	if dockerCalls != 1 {
		t.Errorf("discovery ran %d times, want 1", dockerCalls)
	}
}

func TestDiscoveryStopsAtABrokenSource(t *testing.T) {
	t.Parallel()
	later := false
	tests := []struct {
		name  string
		start func(context.Context) (*Server, func() error, error)
		want  string
	}{
		{"error", func(context.Context) (*Server, func() error, error) {
			return nil, nil, errors.New("broken")
		}, "pgtest: first: broken"},
		{"panic", func(context.Context) (*Server, func() error, error) {
			panic("boom")
		}, "panic: boom"},
	}
	for _, tt := range tests {
		d := &discovery{sources: func() []source {
			return []source{{name: "first", start: tt.start}, {name: "second", start: func(context.Context) (*Server, func() error, error) {
				later = true
				return &Server{}, nil, nil
			}}}
		}}
		rec := newRecorder(t)
		rec.run(func(tb testing.TB) { d.get(tb) })
		if !strings.Contains(rec.fatal, tt.want) || later {
			t.Errorf("%s: failure %q (later source tried: %v), want %q", tt.name, rec.fatal, later, tt.want)
		}
	}
}

func TestEnvSource(t *testing.T) {
	t.Parallel()
	db := NewDB(t)
	plain := db.LoginRole(t, "plain", "")
	superURL := db.Server.URL("postgres", "", "")
	tests := []struct {
		name        string
		env         string
		unavailable bool   // the next source is tried
		want        string // in the error; "" for success
	}{
		{"unset", "", true, "RBACDRIFT_TEST_DATABASE_URL is not set"},
		{"not a URL", "host=localhost user=postgres", false, "must be a postgres:// URL"},
		{"no server", "postgres://postgres:hunter2@127.0.0.1:1/postgres?sslmode=disable&connect_timeout=5", false, "connecting"},
		{"not superuser", db.Server.URL(db.Name, plain, ""), false, "is not a superuser"},
		{"superuser", superURL, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := envSource(func(k string) string {
				if k != EnvURL {
					t.Errorf("looked up %s", k)
				}
				return tt.env
			})
			s, release, err := src.start(t.Context())
			if release != nil {
				t.Error("env source returned something to release")
			}
			var u unavailableError
			if errors.As(err, &u) != tt.unavailable {
				t.Errorf("error %v: unavailable = %v, want %v", err, !tt.unavailable, tt.unavailable)
			}
			switch {
			case tt.want == "" && err != nil:
				t.Fatal(err)
			case tt.want == "":
				if s.Kind != "env" || s.AdminURL != tt.env {
					t.Errorf("server %+v, want kind env and AdminURL %s", s, tt.env)
				}
			case err == nil || !strings.Contains(err.Error(), tt.want):
				t.Errorf("error %v, want it to contain %q", err, tt.want)
			case strings.Contains(err.Error(), "hunter2"):
				t.Errorf("error %v shows the password", err)
			}
		})
	}
}

func TestDockerProbeIsQuick(t *testing.T) {
	t.Parallel()
	began := time.Now()
	err := dockerAnswers(2 * time.Second)
	took := time.Since(began)
	t.Logf("Docker probe: %v after %v", err, took)
	if took > 3*time.Second {
		t.Errorf("Docker probe took %v, want under 3s", took)
	}
}

func TestFindBinDir(t *testing.T) {
	t.Parallel()
	root, err := filepath.EvalSymlinks(t.TempDir()) // links are followed, so compare real paths
	if err != nil {
		t.Fatal(err)
	}
	lib := filepath.Join(root, "lib", "postgresql")
	exe := func(path, content string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, v := range []string{"9.6", "15", "16"} {
		exe(filepath.Join(lib, v, "bin", "initdb"), "")
		if v != "16" { // 16 is incomplete
			exe(filepath.Join(lib, v, "bin", "pg_ctl"), "")
		}
	}
	// On PATH, a link to the real directory, as Debian's /usr/local/bin links.
	onPath := filepath.Join(root, "path")
	if err := os.MkdirAll(onPath, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"initdb", "pg_ctl"} {
		if err := os.Symlink(filepath.Join(lib, "9.6", "bin", name), filepath.Join(onPath, name)); err != nil {
			t.Fatal(err)
		}
	}
	configured := filepath.Join(root, "opt", "bin")
	exe(filepath.Join(configured, "initdb"), "")
	exe(filepath.Join(configured, "pg_ctl"), "")
	withConfig := filepath.Join(root, "config")
	exe(filepath.Join(withConfig, "pg_config"), "#!/bin/sh\necho "+configured+"\n")
	glob := filepath.Join(lib, "*", "bin")
	none := filepath.Join(root, "none", "*", "bin")

	tests := []struct {
		name  string
		f     pgserver.Finder
		major int
		want  string // "" for not found
	}{
		{"PATH first, links followed", pgserver.Finder{Path: onPath, LibGlob: glob}, 0, filepath.Join(lib, "9.6", "bin")},
		{"highest complete version", pgserver.Finder{Path: "", LibGlob: glob}, 0, filepath.Join(lib, "15", "bin")},
		{"major version wins", pgserver.Finder{Path: onPath, LibGlob: glob}, 15, filepath.Join(lib, "15", "bin")},
		{"pg_config", pgserver.Finder{Path: withConfig, LibGlob: none}, 0, configured},
		{"nothing", pgserver.Finder{Path: filepath.Join(root, "empty"), LibGlob: none}, 0, ""},
	}
	for _, tt := range tests {
		got, err := tt.f.Find(tt.major)
		if got != tt.want || (err != nil) != (tt.want == "") {
			t.Errorf("%s: find(%d) = %q, %v; want %q", tt.name, tt.major, got, err, tt.want)
		}
	}
}

func TestURL(t *testing.T) {
	t.Parallel()
	const (
		tcp    = "postgres://postgres:secret@127.0.0.1:5432/postgres?sslmode=disable"
		socket = "postgres://postgres@/postgres?host=/tmp/pgtest-1/sock&port=5432&sslmode=disable"
	)
	tests := []struct {
		base, dbname, user, password string
		want                         string
		host                         string
		port                         uint16
		wantUser, wantPassword       string
	}{
		{tcp, "db1", "", "", "postgres://postgres:secret@127.0.0.1:5432/db1?sslmode=disable", "127.0.0.1", 5432, "postgres", "secret"},
		{tcp, "db1", "app", "", "postgres://app@127.0.0.1:5432/db1?sslmode=disable", "127.0.0.1", 5432, "app", ""},
		{tcp, "db1", "app", "p@ss w/rd:", "", "127.0.0.1", 5432, "app", "p@ss w/rd:"},
		{socket, "db1", "", "", "postgres://postgres@/db1?host=/tmp/pgtest-1/sock&port=5432&sslmode=disable", "/tmp/pgtest-1/sock", 5432, "postgres", ""},
		{socket, "db1", "app", "pw", "postgres://app:pw@/db1?host=/tmp/pgtest-1/sock&port=5432&sslmode=disable", "/tmp/pgtest-1/sock", 5432, "app", "pw"},
		{"postgres://u@h:6000/postgres?dbname=other&user=v&sslmode=disable", "db1", "app", "", "postgres://app@h:6000/db1?sslmode=disable", "h", 6000, "app", ""},
	}
	for _, tt := range tests {
		s := &Server{AdminURL: tt.base}
		got := s.URL(tt.dbname, tt.user, tt.password)
		if tt.want != "" && got != tt.want {
			t.Errorf("URL(%q, %q, %q) on %s\n got %s\nwant %s", tt.dbname, tt.user, tt.password, tt.base, got, tt.want)
		}
		cfg, err := pgx.ParseConfig(got)
		if err != nil {
			t.Errorf("%s: %v", got, err)
			continue
		}
		if cfg.Database != tt.dbname || cfg.Host != tt.host || cfg.Port != tt.port || cfg.User != tt.wantUser || cfg.Password != tt.wantPassword {
			t.Errorf("%s reads as database %q host %q port %d user %q password %q", got, cfg.Database, cfg.Host, cfg.Port, cfg.User, cfg.Password)
		}
	}
}

func TestBinDirVariable(t *testing.T) {
	t.Parallel()
	bin, err := clusterBinDir()
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	incomplete := filepath.Join(root, "incomplete")
	locked := filepath.Join(root, "locked", "bin")
	for _, dir := range []string{incomplete, locked} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []string{filepath.Join(incomplete, "initdb"), filepath.Join(locked, "initdb"), filepath.Join(locked, "pg_ctl")} {
		if err := os.WriteFile(p, nil, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(filepath.Dir(locked), 0o700); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		env     map[string]string
		root    bool
		sources []string // names of the sources, in order
		want    string   // in the error of the first source; "" for a server from bin
	}{
		{"unset", map[string]string{EnvURL: "postgres://postgres@127.0.0.1:1/postgres"}, false,
			[]string{"env", "initdb", "testcontainers"}, ""},
		{"missing", map[string]string{EnvBinDir: filepath.Join(root, "missing")}, false,
			[]string{"initdb"}, EnvBinDir + "=" + filepath.Join(root, "missing") + ": no initdb and pg_ctl there"},
		{"no pg_ctl", map[string]string{EnvBinDir: incomplete}, false,
			[]string{"initdb"}, "no initdb and pg_ctl there"},
		{"not reachable as root", map[string]string{EnvBinDir: locked}, true,
			[]string{"initdb"}, "the postgres OS user cannot reach it"},
		{"not reachable but not root", map[string]string{EnvBinDir: locked}, false,
			[]string{"initdb"}, "initdb: "}, // the empty initdb fails to run
		{"URL ignored", map[string]string{EnvBinDir: bin, EnvURL: "postgres://postgres@127.0.0.1:1/postgres"}, os.Geteuid() == 0,
			[]string{"initdb"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srcs := defaultSources(func(k string) string { return tt.env[k] }, tt.root)
			var names []string
			for _, s := range srcs {
				names = append(names, s.name)
			}
			if diff := cmp.Diff(tt.sources, names); diff != "" {
				t.Fatalf("sources (-want +got):\n%s", diff)
			}
			if len(srcs) > 1 {
				return // the usual sources, which have tests of their own
			}
			s, release, err := srcs[0].start(t.Context())
			if tt.want != "" {
				var u unavailableError
				if err == nil || !strings.Contains(err.Error(), tt.want) || errors.As(err, &u) {
					t.Fatalf("error %v, want one that ends discovery and contains %q", err, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer func() {
				if err := release(); err != nil {
					t.Error(err)
				}
			}()
			if s.Kind != "initdb" || s.BinDir != bin {
				t.Errorf("server %+v, want kind initdb from %s", s, bin)
			}
			out, err := exec.Command(filepath.Join(bin, "postgres"), "--version").Output()
			if err != nil {
				t.Fatal(err)
			}
			conn, err := pgx.Connect(t.Context(), s.AdminURL)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(context.Background())
			var version string
			if err := conn.QueryRow(t.Context(), "SELECT current_setting('server_version')").Scan(&version); err != nil {
				t.Fatal(err)
			}
			// "postgres (PostgreSQL) 18.4" against "18.4", or "15.14 (Debian 15.14-0+deb12u1)"
			if !strings.HasPrefix(version, strings.Fields(string(out))[2]) {
				t.Errorf("server version %q, binaries say %q", version, out)
			}
		})
	}
}
