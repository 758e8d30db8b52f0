package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rbacdrift/rbacdrift/internal/testutil/pgtest"
)

const drizzleProject = "../../testdata/derive/drizzle-app"

// drizzleProjectDir copies the drizzle project of testdata/derive (a
// multi-file schema with a pgSchema, an enum and composite keys) to a new
// folder and links it to its node_modules, installed once with npm ci in a
// folder of the user's cache named for its package-lock.json and reused
// after (offline). With install false the project has no node_modules.
func drizzleProjectDir(t *testing.T, install bool) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(drizzleProject)); err != nil {
		t.Fatal(err)
	}
	if !install {
		return dir
	}
	modules := npmInstalled(t, drizzleProject, "drizzle-kit-app", "the test runs the project's real drizzle-kit")
	if err := os.Symlink(filepath.Join(modules, "node_modules"), filepath.Join(dir, "node_modules")); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestCheckFromDrizzleProject is the founding incident's first minute: a
// drizzle app with no model file and no migrations, checked against its
// own schema.ts through its own drizzle-kit.
func TestCheckFromDrizzleProject(t *testing.T) {
	// The scratch database goes on the test server when there is one, else
	// on a throwaway cluster.
	var devDB []string
	if server := os.Getenv("RBACDRIFT_TEST_DATABASE_URL"); server != "" {
		devDB = []string{"--dev-db", server}
	}
	check := func(args ...string) (int, string, string) {
		return rbacdrift(context.Background(), append(append([]string{"check"}, args...), devDB...)...)
	}
	project := drizzleProjectDir(t, true)
	config := filepath.Join(project, "drizzle.config.ts")

	t.Run("clean on a database migrated to the code", func(t *testing.T) {
		db := pgtest.NewDB(t)
		db.ExecFile(t, "../../testdata/derive/drizzle-indexes/0000_init.sql")
		code, stdout, stderr := check("--db", db.URL, "--from-drizzle", config, "--no-queries")
		if code != exitOK {
			t.Fatalf("exit %d, want 0\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
		}
	})

	t.Run("the project folder is the config's", func(t *testing.T) {
		db := pgtest.NewDB(t)
		db.ExecFile(t, "../../testdata/derive/drizzle-indexes/0000_init.sql")
		code, stdout, stderr := check("--db", db.URL, "--from-drizzle", project, "--no-queries")
		if code != exitOK {
			t.Fatalf("exit %d, want 0\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
		}
	})

	t.Run("the seed: code denormalised, database normalised", func(t *testing.T) {
		db := pgtest.NewDB(t)
		db.ExecFile(t, "../../testdata/derive/drizzle-indexes/0000_init.sql")
		db.Exec(t, `CREATE TABLE permissions (id serial PRIMARY KEY, resource text NOT NULL, action text NOT NULL);
			DROP TABLE role_permissions;
			CREATE TABLE role_permissions (
				role_id integer NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
				permission_id integer NOT NULL REFERENCES permissions(id),
				scope permission_scope NOT NULL DEFAULT 'own',
				PRIMARY KEY (role_id, permission_id, scope))`)
		code, stdout, stderr := check("--db", db.URL, "--from-drizzle", config, "--no-queries", "--fail-on", "warning")
		if code != exitDrift {
			t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, exitDrift, stdout, stderr)
		}
		for _, want := range []string{
			"column role_permissions.resource does not exist", "column role_permissions.permission does not exist", // the code's
			"column role_permissions.permission_id (integer NOT NULL, no default) is not in the model", // the database's
			"column role_permissions.scope (permission_scope) is not in the model",
			"model " + config,
			"the code is behind", "update " + filepath.Join(project, "shared", "schema", "rbac.ts") + " to match the database",
			"rbac.ts:", // positions point at the code
		} {
			if !strings.Contains(stdout, want) {
				t.Errorf("the report does not say %q:\n%s", want, stdout)
			}
		}
	})

	t.Run("a model file layered over the code", func(t *testing.T) {
		db := pgtest.NewDB(t)
		db.ExecFile(t, "../../testdata/derive/drizzle-indexes/0000_init.sql")
		model := filepath.Join(project, "rbacdrift.yaml")
		if err := os.WriteFile(model, []byte("version: 1\ntables_from: { drizzle: drizzle.config.ts }\ntables:\n  roles:\n    grants:\n      nobody_here: [SELECT]\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		code, stdout, stderr := check("--db", db.URL, "--spec", model, "--no-queries")
		if code != exitDrift || !strings.Contains(stdout, "nobody_here") {
			t.Fatalf("exit %d, want 1 naming the grant the file adds\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
		}
	})
}

// TestCheckFromDrizzleWithoutKit: a project whose dependencies are not
// installed gets exit 2 and what to do.
func TestCheckFromDrizzleWithoutKit(t *testing.T) {
	project := drizzleProjectDir(t, false)
	code, _, stderr := rbacdrift(context.Background(), "check", "--db", "postgres://127.0.0.1:1/none", "--from-drizzle", project)
	if code != exitUsage {
		t.Fatalf("exit %d, want %d\n%s", code, exitUsage, stderr)
	}
	for _, want := range []string{"no drizzle-kit installed", "hint: install the project's dependencies (npm install, with drizzle-kit 0.30.1 or later)", "meta/_journal.json"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr does not say %q:\n%s", want, stderr)
		}
	}
}
