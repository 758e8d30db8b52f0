package main

import (
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/rbacdrift/rbacdrift/internal/migrations"
)

// readme returns the README's text.
func readme(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// help returns a command's help as 'rbacdrift help COMMAND' prints it.
func help(t *testing.T, cmd string) string {
	t.Helper()
	h, ok := helpOf(cmd)
	if !ok {
		t.Fatalf("no help for %s", cmd)
	}
	return h
}

// TestREADMEUsage keeps the README's copy of `rbacdrift --help` verbatim.
func TestREADMEUsage(t *testing.T) {
	if !strings.Contains(readme(t), "`rbacdrift --help`:\n\n```\n"+usage+"```\n") {
		t.Errorf("README.md does not hold `rbacdrift --help` verbatim; paste this:\n%s", usage)
	}
}

// TestREADMECheckHelp keeps the copy of `rbacdrift help check` in the
// README's "CI and reports" section verbatim.
func TestREADMECheckHelp(t *testing.T) {
	_, section, ok := strings.Cut(readme(t), "\n## CI and reports\n")
	if !ok {
		t.Fatal(`README.md has no "## CI and reports" section`)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	if h := help(t, "check"); !strings.Contains(section, "\n```\n"+h+"```\n") {
		t.Errorf("the README's \"CI and reports\" section does not hold `rbacdrift help check` verbatim; paste this:\n%s", h)
	}
}

// TestREADMESnapshotHelp keeps the README's copy of `rbacdrift help
// snapshot` verbatim.
func TestREADMESnapshotHelp(t *testing.T) {
	if h := help(t, "snapshot"); !strings.Contains(readme(t), "`rbacdrift help snapshot`:\n\n```\n"+h+"```\n") {
		t.Errorf("README.md does not hold `rbacdrift help snapshot` verbatim; paste this:\n%s", h)
	}
}

// TestHelpFromTable checks that each command's help shows every flag of its
// table under its name, never an alias, and fits the terminal.
func TestHelpFromTable(t *testing.T) {
	commands := map[string]*command{"check": new(checkFlags).command(), "snapshot": new(snapshotFlags).command()}
	for name, c := range commands {
		h := help(t, name)
		for _, d := range c.flags {
			if !strings.Contains(h, "\n  --"+d.name+" ") && !strings.Contains(h, "\n  --"+d.name+"\n") {
				t.Errorf("%s help does not show --%s", name, d.name)
			}
			for _, a := range d.aliases {
				if strings.Contains(h, "--"+a+" ") || strings.Contains(h, "--"+a+"\n") {
					t.Errorf("%s help shows the hidden alias --%s", name, a)
				}
			}
		}
		for _, l := range strings.Split(h, "\n") {
			if len(l) > helpColumns {
				t.Errorf("%s help has a line of %d columns: %q", name, len(l), l)
			}
		}
	}
	// Both flags that name a migration tool take the table's tools.
	for name, c := range commands {
		if d := c.def("migrations-tool"); d == nil || strings.Join(d.oneOf, ",") != strings.Join(migrations.Names(), ",") {
			t.Errorf("%s --migrations-tool does not take the tools of internal/migrations", name)
		}
	}
	for _, tool := range migrations.SQLNames() {
		if !strings.Contains(strings.Join(strings.Fields(help(t, "snapshot")), " "), tool) {
			t.Errorf("snapshot help does not name %s among the tools it applies", tool)
		}
	}
}

// TestAliases checks that the old spellings still set the same variable.
func TestAliases(t *testing.T) {
	var s snapshotFlags
	c := s.command()
	if code := c.parse([]string{"--schema", "audit", "--tool", "goose", "--from-migrations", "x"}, io.Discard, io.Discard); code >= 0 {
		t.Fatalf("snapshot --schema --tool: exit %d", code)
	}
	if s.schema != "audit" || s.tool != "goose" || !c.given("schemas") || !c.given("migrations-tool") {
		t.Errorf("snapshot aliases: schema %q, tool %q, given %v", s.schema, s.tool, c.set)
	}
	var f checkFlags
	c = f.command()
	if code := c.parse([]string{"--schemas", "tenant_*"}, io.Discard, io.Discard); code >= 0 {
		t.Fatalf("check --schemas: exit %d", code)
	}
	if f.schemas != "tenant_*" || !c.given("tenants") {
		t.Errorf("check --schemas: %q, given %v", f.schemas, c.set)
	}
}

// TestFlagRules runs each refusal of the tables: exit 2, before anything is
// read, with the flags named as users type them.
func TestFlagRules(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"check", "--parallel", "2"}, "--parallel goes with --targets"},
		{[]string{"check", "--shard", "1/2"}, "--shard goes with --targets"},
		{[]string{"check", "--targets", "t.yaml", "--db", "x"}, "--targets and --db are given together"},
		{[]string{"check", "--targets", "t.yaml", "--shard", "3/2"}, "--shard: "},
		{[]string{"check", "--targets", "t.yaml", "--parallel", "0"}, "--parallel must be at least 1, got 0"},
		{[]string{"check", "--tenants", ""}, "--tenants is empty"},
		{[]string{"check", "--schemas", ","}, "--tenants is empty"},
		{[]string{"check", "--run-as", ""}, "--run-as is empty"},
		{[]string{"check", "--spec", ""}, "--spec is empty"},
		{[]string{"check", "--migrations-tool", "liquibase"}, `unknown --migrations-tool "liquibase"`},
		{[]string{"check", "--format", "yaml"}, `unknown --format "yaml"`},
		{[]string{"check", "--timeout", "0s"}, "--timeout must be positive"},
		{[]string{"check", "--timeout", "597h"}, "--timeout 597h0m0s is longer than the server can bound a statement"},
		{[]string{"check", "--nope"}, "flag provided but not defined: --nope"},
		{[]string{"snapshot", "--schemas", ""}, "--schemas is empty"},
		{[]string{"snapshot", "--schema", ""}, "--schemas is empty"},
		{[]string{"snapshot", "--out", ""}, "--out is empty"},
		{[]string{"snapshot", "--timeout", "-1s"}, "--timeout must be positive"},
		{[]string{"snapshot", "--timeout", "600h"}, "longer than the server can bound"},
		{[]string{"snapshot", "--tool", "goose"}, "--migrations-tool goes with --from-migrations"},
		{[]string{"snapshot", "--dev-db", "postgres:///x"}, "--dev-db goes with --from-migrations"},
		{[]string{"snapshot", "--from-migrations", "m", "--migrations-tool", "liquibase"}, `unknown --migrations-tool "liquibase"`},
		{[]string{"snapshot", "--from-prisma", "a", "--from-drizzle", "b"}, "--from-prisma and --from-drizzle are given together"},
		{[]string{"snapshot", "--from-prisma", "a", "--db", "x"}, "--db and --from-prisma are given together"},
		{[]string{"validate", "--x"}, "flag provided but not defined: --x"},
		{[]string{"help", "nope"}, `rbacdrift help: unknown command "nope"`},
	}
	for _, tt := range tests {
		code, stdout, stderr := runIn(t, t.TempDir(), tt.args...)
		if code != exitUsage || !strings.Contains(stderr, tt.want) || stdout != "" {
			t.Errorf("rbacdrift %s: exit %d, stderr %q, stdout %q; want exit 2 and %q",
				strings.Join(tt.args, " "), code, stderr, stdout, tt.want)
		}
		if strings.Contains(stderr, "hint: \n") {
			t.Errorf("rbacdrift %s: an empty hint:\n%s", strings.Join(tt.args, " "), stderr)
		}
	}
}

// TestTimeoutBound: the longest --timeout taken is the server's.
func TestTimeoutBound(t *testing.T) {
	if maxTimeout != 2147483647*time.Millisecond {
		t.Errorf("maxTimeout = %s, want statement_timeout's 2147483647ms", maxTimeout)
	}
	var f checkFlags
	if code := f.command().parse([]string{"--timeout", maxTimeout.String()}, io.Discard, io.Discard); code >= 0 {
		t.Errorf("--timeout %s (the server's bound) is refused", maxTimeout)
	}
}

// TestHelpCommands: help for each command exits 0 on stdout.
func TestHelpCommands(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"help", "check"}, {"help", "snapshot"}, {"help", "validate"}, {"check", "--help"}, {"snapshot", "-h"}, {"validate", "--help"}} {
		code, stdout, stderr := runIn(t, "", args...)
		if code != exitOK || !strings.Contains(stdout, "Usage") || stderr != "" {
			t.Errorf("rbacdrift %s: exit %d, stdout %q, stderr %q", strings.Join(args, " "), code, stdout, stderr)
		}
	}
}
