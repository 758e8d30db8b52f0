package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// A buildInfo is what the binary knows of its own build, from the build
// information the go command records (runtime/debug.ReadBuildInfo): no
// linker flags, so go install, go build in a checkout and goreleaser all
// give the same answers.
type buildInfo struct {
	Version  string // the module version (v0.5.0, a pseudo-version), else "devel"
	Commit   string // vcs.revision, when built in a git checkout; else ""
	Modified bool   // vcs.modified: the checkout had uncommitted changes
	Go       string // the Go version that built it
}

func readBuildInfo() buildInfo {
	b := buildInfo{Version: "devel", Go: runtime.Version()}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return b
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		b.Version = v
	}
	b.Go = bi.GoVersion
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Commit = s.Value
		case "vcs.modified":
			b.Modified = s.Value == "true"
		}
	}
	return b
}

// version is the module version when installed with go install or built
// from a tagged checkout, else "devel".
func version() string { return readBuildInfo().Version }

// printVersion writes what rbacdrift version prints: the version on the
// first line, then the commit and the Go version.
func printVersion(w io.Writer) {
	b := readBuildInfo()
	fmt.Fprintf(w, "rbacdrift %s\n", b.Version)
	commit := b.Commit
	switch {
	case commit == "":
		commit = "unknown"
	case b.Modified:
		commit += " (modified)"
	}
	fmt.Fprintf(w, "commit: %s\ngo: %s\n", commit, b.Go)
}
