package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/rbacdrift/rbacdrift/internal/pgserver"
	"github.com/testcontainers/testcontainers-go"
	tcpostgres "github.com/testcontainers/testcontainers-go/modules/postgres"
)

// containerImage is the image run when the server comes from Docker.
const containerImage = "postgres:15-alpine"

// envSource uses the server named by RBACDRIFT_TEST_DATABASE_URL. When the
// variable is set but the server cannot be used, discovery stops there: the
// variable says which server the tests must use.
func envSource(getenv func(string) string) source {
	return source{name: "env", start: func(ctx context.Context) (*Server, func() error, error) {
		raw := getenv(EnvURL)
		if raw == "" {
			return nil, nil, unavailable("%s is not set", EnvURL)
		}
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			return nil, nil, fmt.Errorf("%s must be a postgres:// URL, got %s", EnvURL, redact(raw))
		}
		major, err := checkSuperuser(ctx, raw)
		if err != nil {
			return nil, nil, fmt.Errorf("%s=%s: %w", EnvURL, redact(raw), err)
		}
		s := &Server{Kind: "env", AdminURL: raw}
		s.BinDir, _ = pgserver.DefaultFinder().Find(major)
		return s, nil, nil
	}}
}

// checkSuperuser connects to url and makes sure the role is a superuser, as
// the harness creates and drops databases and roles. It returns the server's
// major version.
func checkSuperuser(ctx context.Context, url string) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return 0, fmt.Errorf("connecting: %w", err)
	}
	defer conn.Close(context.Background())
	var super bool
	var user string
	var version int
	err = conn.QueryRow(ctx, `SELECT current_setting('is_superuser') = 'on', current_user::text,
		current_setting('server_version_num')::int / 10000`).Scan(&super, &user, &version)
	if err != nil {
		return 0, fmt.Errorf("checking role: %w", err)
	}
	if !super {
		return 0, fmt.Errorf("role %q is not a superuser; the tests create and drop databases and roles", user)
	}
	return version, nil
}

// initdbSource starts a throwaway cluster with the local binaries.
func initdbSource(f pgserver.Finder) source {
	return source{name: "initdb", start: func(ctx context.Context) (*Server, func() error, error) {
		bin, err := f.Find(0)
		if err != nil {
			return nil, nil, unavailableError{err}
		}
		return clusterServer(ctx, bin)
	}}
}

// binDirSource starts a throwaway cluster with the binaries of dir, the
// value of RBACDRIFT_TEST_PG_BINDIR. A dir that cannot be used ends
// discovery: the variable says which binaries the tests must use.
func binDirSource(dir string, root bool) source {
	return source{name: "initdb", start: func(ctx context.Context) (*Server, func() error, error) {
		bin, err := checkBinDir(dir, root)
		if err != nil {
			return nil, nil, err
		}
		return clusterServer(ctx, bin)
	}}
}

// clusterServer starts a throwaway cluster with the binaries of bin and
// returns it as the server of the tests.
func clusterServer(ctx context.Context, bin string) (*Server, func() error, error) {
	c, err := startCluster(ctx, bin, ClusterOptions{})
	if err != nil {
		return nil, nil, err
	}
	s := &Server{
		Kind:      "initdb",
		AdminURL:  c.URL("postgres", "", ""),
		BinDir:    c.BinDir,
		SocketDir: c.SocketDir,
		DataDir:   c.DataDir,
	}
	return s, c.stop, nil
}

// dockerSource runs a container when a Docker engine answers within probe.
func dockerSource(probe time.Duration) source {
	return source{name: "testcontainers", start: func(ctx context.Context) (*Server, func() error, error) {
		if err := dockerAnswers(probe); err != nil {
			return nil, nil, unavailable("no Docker engine: %v", err)
		}
		ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
		defer cancel()
		ctr, err := tcpostgres.Run(ctx, containerImage, tcpostgres.BasicWaitStrategies())
		release := func() error {
			if ctr == nil {
				return nil
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := ctr.Terminate(ctx); err != nil {
				return fmt.Errorf("terminating container: %w", err)
			}
			return nil
		}
		if err != nil {
			return nil, nil, errors.Join(fmt.Errorf("running %s: %w", containerImage, err), release())
		}
		url, err := ctr.ConnectionString(ctx, "sslmode=disable")
		if err != nil {
			return nil, nil, errors.Join(fmt.Errorf("container address: %w", err), release())
		}
		s := &Server{Kind: "testcontainers", AdminURL: url}
		s.BinDir, _ = pgserver.DefaultFinder().Find(15)
		return s, release, nil
	}}
}

// dockerAnswers reports whether a Docker engine answers within timeout. It
// gives up on a slow or hanging engine instead of waiting for it: the probe
// goroutine is left behind, which a test binary can afford.
func dockerAnswers(timeout time.Duration) error {
	done := make(chan error, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- fmt.Errorf("%v", r)
			}
		}()
		p, err := testcontainers.NewDockerProvider()
		if err != nil {
			done <- err
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		done <- p.Health(ctx) // Health closes the provider.
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(timeout):
		return fmt.Errorf("no answer within %v", timeout)
	}
}
