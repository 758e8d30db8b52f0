package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// npmInstalled installs the npm packages of the project in dir (its
// package.json and package-lock.json), once, with npm ci in a folder of the
// user's cache named for name and the lock file, and returns that folder:
// its node_modules is ready. A folder installed before is reused, so the
// tests run offline after their first run. Without node and npm the test
// fails and says how to get them; why names what the test runs.
func npmInstalled(t *testing.T, dir, name, why string) string {
	t.Helper()
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s not found on PATH: %s\nhint: install Node.js 18 or later with npm (Debian/Ubuntu: apt-get install nodejs npm; macOS: brew install node)", tool, why)
		}
	}
	lock, err := os.ReadFile(filepath.Join(dir, "package-lock.json"))
	if err != nil {
		t.Fatal(err)
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	sum := sha256.Sum256(lock)
	modules := filepath.Join(cache, "rbacdrift", "npm", name+"-"+hex.EncodeToString(sum[:6]))
	// npm ci writes node_modules/.package-lock.json last: its presence
	// means a finished install.
	if _, err := os.Stat(filepath.Join(modules, "node_modules", ".package-lock.json")); err == nil {
		return modules
	}
	if err := os.MkdirAll(modules, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"package.json", "package-lock.json"} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(modules, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "npm", "ci", "--no-audit", "--no-fund", "--prefer-offline")
	cmd.Dir = modules
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("npm ci in %s: %v\n%s\nhint: the npm registry must be reachable once; later runs reuse %s", modules, err, out, modules)
	}
	return modules
}
