package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/rbacdrift/rbacdrift/internal/pgsession"
)

// containerEngine returns the engine `make image` will use: docker or
// podman when one answers, else buildah; "" when there is none.
func containerEngine() string {
	for _, e := range []string{"docker", "podman"} {
		if _, err := exec.LookPath(e); err == nil && exec.Command(e, "info").Run() == nil {
			return e
		}
	}
	if _, err := exec.LookPath("buildah"); err == nil {
		return "buildah"
	}
	return ""
}

// TestImage builds the image with `make image` and runs check from inside
// it against real databases, on the host's network: clean (exit 0) and
// drifted (exit 1, the findings on standard output).
func TestImage(t *testing.T) {
	engine := containerEngine()
	if engine == "" {
		t.Fatal("no container engine: neither docker nor podman answers, and buildah is not installed\nhint: install buildah (Debian: apt-get install buildah; .ci/run does), which builds and runs the image with no daemon")
	}
	if _, err := exec.LookPath("make"); err != nil {
		t.Fatal("no make to run `make image`\nhint: install make (Debian: apt-get install make)")
	}
	legacy, normalised := referenceDBs(t)
	image := fmt.Sprintf("localhost/rbacdrift:test-%08x", rand.Uint32())
	vfs := []string{"--storage-driver", "vfs"}
	cmd := exec.Command("make", "-C", "../..", "image", "IMAGE="+image)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make image: %v\n%s", err, out)
	}
	t.Cleanup(func() {
		var rm *exec.Cmd
		if engine == "buildah" {
			rm = exec.Command("buildah", append(vfs, "rmi", image)...)
		} else {
			rm = exec.Command(engine, "rmi", image)
		}
		if out, err := rm.CombinedOutput(); err != nil {
			t.Errorf("removing %s: %v\n%s", image, err, out)
		}
	})

	spec, err := filepath.Abs("../../testdata/reference")
	if err != nil {
		t.Fatal(err)
	}
	// run runs the image's entrypoint with args, the model folder at /spec.
	run := func(t *testing.T, dbURL string, args ...string) (int, string, string) {
		t.Helper()
		mounts := []string{"-v", spec + ":/spec:ro"}
		if target, err := pgsession.ParseTarget(dbURL); err == nil && strings.HasPrefix(target.Config.Host, "/") {
			// A Unix socket's folder (pgtest's throwaway cluster) is private
			// to its owner: run as that owner instead of the image's user.
			mounts = append(mounts, "-v", target.Config.Host+":"+target.Config.Host)
			if st, err := os.Stat(target.Config.Host); err == nil {
				if sys, ok := st.Sys().(*syscall.Stat_t); ok {
					mounts = append(mounts, "--user", fmt.Sprintf("%d:%d", sys.Uid, sys.Gid))
				}
			}
		}
		var c *exec.Cmd
		if engine == "buildah" {
			// buildah run does not apply the entrypoint: the test names it,
			// and checks below that the image declares it.
			out, err := exec.Command("buildah", append(vfs, "from", image)...).Output()
			if err != nil {
				t.Fatalf("buildah from %s: %v", image, err)
			}
			ctr := strings.TrimSpace(string(out))
			defer exec.Command("buildah", append(vfs, "rm", ctr)...).Run()
			c = exec.Command("buildah", append(append(append(vfs, "run", "--isolation", "chroot", "--network", "host"), mounts...),
				append([]string{ctr, "--", "/rbacdrift"}, args...)...)...)
		} else {
			c = exec.Command(engine, append(append([]string{"run", "--rm", "--network", "host"}, mounts...), append([]string{image}, args...)...)...)
		}
		c.Env = append(os.Environ(), "DATABASE_URL=")
		var stdout, stderr bytes.Buffer
		c.Stdout, c.Stderr = &stdout, &stderr
		err := c.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatalf("running the image: %v", err)
		}
		return code, stdout.String(), stderr.String()
	}

	if engine == "buildah" {
		out, err := exec.Command("buildah", append(vfs, "inspect", "--type", "image", "--format",
			"{{.OCIv1.Config.User}} {{.OCIv1.Config.Entrypoint}} {{len .OCIv1.RootFS.DiffIDs}}", image)...).Output()
		if err != nil {
			t.Fatalf("buildah inspect: %v", err)
		}
		if got := strings.TrimSpace(string(out)); got != "65532:65532 [/rbacdrift] 1" {
			t.Errorf("image config: user, entrypoint, layers = %q, want 65532:65532 [/rbacdrift] 1 (one layer on scratch)", got)
		}
	}
	code, stdout, stderr := run(t, normalised.URL, "check", "--db", normalised.URL, "--spec", "/spec/normalised.yaml", "--timeout", "2m")
	if code != exitOK || !strings.Contains(stdout, "\nno drift: ") {
		t.Errorf("check of the clean database from the image: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr = run(t, legacy.URL, "check", "--db", legacy.URL, "--spec", "/spec/normalised.yaml", "--format", "text", "--timeout", "2m")
	if code != exitDrift || !strings.Contains(stdout, "missing-column") {
		t.Errorf("check of the drifted database from the image: exit %d\n%s%s", code, stdout, stderr)
	}
}
