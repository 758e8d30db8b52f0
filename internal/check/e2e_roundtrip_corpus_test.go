package check_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/rbacdrift/rbacdrift/drift"
	"github.com/rbacdrift/rbacdrift/internal/check"
	"github.com/rbacdrift/rbacdrift/internal/derive"
	"github.com/rbacdrift/rbacdrift/internal/pgsession"
	"github.com/rbacdrift/rbacdrift/internal/testutil/pgtest"
	"github.com/rbacdrift/rbacdrift/introspect"
	"github.com/rbacdrift/rbacdrift/spec"
)

// TestRoundTripCorpus is the round trip as a property: for each schema of
// testdata/roundtrip (what Django, Rails, Laravel, Supabase, Prisma,
// drizzle, Hasura and Keycloak generate, contrib extensions, partitions,
// generated and identity columns, domains, composite types, views, every
// kind of index and constraint), a snapshot taken through the snapshot
// command's path parses, and checking the database against it finds
// nothing. Then each of the file's mutations (a dropped index, another
// operator class, another order, a dropped predicate ...) adds a finding
// of the code it names.
func TestRoundTripCorpus(t *testing.T) {
	files, err := filepath.Glob("../../testdata/roundtrip/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 15 {
		t.Fatalf("the corpus holds %d schemas, want at least 15", len(files))
	}
	mutations := 0
	for _, file := range files {
		text, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		h := readHeader(t, string(text))
		mutations += len(h.mutations)
		t.Run(strings.TrimSuffix(filepath.Base(file), ".sql"), func(t *testing.T) {
			t.Parallel()
			db := pgtest.NewDB(t)
			roles := map[string]string{}
			sql := roleRE.ReplaceAllStringFunc(string(text), func(m string) string {
				base := m[2 : len(m)-2]
				if roles[base] == "" {
					roles[base] = db.Role(t, base)
				}
				return pgx.Identifier{roles[base]}.Sanitize()
			})
			db.Exec(t, sql)
			grantsFor := []string{"PUBLIC"}
			for _, r := range roles {
				grantsFor = append(grantsFor, r)
			}
			slices.Sort(grantsFor)
			sel := introspect.Selection{Schemas: h.schemas, Roles: grantsFor, Functions: "*"}

			model := snapshotText(t, db.URL, sel)
			m, err := spec.Parse("snapshot.yaml", model)
			if err != nil {
				t.Fatalf("validate refuses the snapshot: %v\n%s", err, model)
			}
			if len(m.Tables) == 0 {
				t.Fatalf("the snapshot holds no table:\n%s", model)
			}
			before := findings(t, db.URL, m)
			if len(before) > 0 {
				t.Fatalf("checking the snapshot against its own database finds drift:\n%s\nsnapshot:\n%s", strings.Join(before, "\n"), model)
			}
			for _, mu := range h.mutations {
				db.Exec(t, roleRE.ReplaceAllStringFunc(mu.sql, func(m string) string { return pgx.Identifier{roles[m[2:len(m)-2]]}.Sanitize() }))
				after := findings(t, db.URL, m)
				var added []string
				for _, f := range after {
					if !slices.Contains(before, f) {
						added = append(added, f)
					}
				}
				if !slices.ContainsFunc(added, func(f string) bool { return strings.HasPrefix(f, mu.code+" ") }) {
					t.Errorf("after %s\nno new %s finding; new: %q", mu.sql, mu.code, added)
				}
				before = after
			}
		})
	}
	if mutations < 15 {
		t.Errorf("the corpus holds %d mutations, want at least 15", mutations)
	}
}

var roleRE = regexp.MustCompile(`\{\{[a-z_]+\}\}`)

// A header is what a corpus file's leading comments say.
type header struct {
	schemas   []string
	mutations []mutation
}

// A mutation is SQL run after the clean check and the finding code it adds.
type mutation struct {
	code, sql string
}

func readHeader(t *testing.T, text string) header {
	t.Helper()
	h := header{schemas: []string{"public"}}
	for _, l := range strings.Split(text, "\n") {
		switch {
		case strings.HasPrefix(l, "-- schemas: "):
			h.schemas = strings.Split(strings.TrimPrefix(l, "-- schemas: "), ", ")
		case strings.HasPrefix(l, "-- mutate "):
			code, sql, ok := strings.Cut(strings.TrimPrefix(l, "-- mutate "), ": ")
			if !ok || drift.Info(drift.Code(code)).Code == "" {
				t.Fatalf("bad mutation line %q: want -- mutate <finding code>: <SQL>", l)
			}
			h.mutations = append(h.mutations, mutation{code, sql})
		}
	}
	return h
}

// snapshotText takes a snapshot as rbacdrift snapshot does, through
// derive.Snapshot, and renders it as the command writes it.
func snapshotText(t *testing.T, url string, sel introspect.Selection) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	target, err := pgsession.ParseTarget(url)
	if err != nil {
		t.Fatal(err)
	}
	res, err := derive.Snapshot(ctx, target, sel, pgsession.Options{Timeout: 30 * time.Second})
	if err != nil {
		t.Fatalf("snapshot: %v", err)
	}
	return spec.Format(res.Model, "snapshot for "+t.Name())
}

// findings checks the database at url against m, as rbacdrift check does,
// and renders each finding as "code object: message".
func findings(t *testing.T, url string, m *spec.Model) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	target, err := pgsession.ParseTarget(url)
	if err != nil {
		t.Fatal(err)
	}
	s, err := pgsession.Open(ctx, target, pgsession.Options{Timeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	res, err := check.Check(ctx, s, m, check.CheckOptions{SkipQueries: true})
	if err != nil {
		t.Fatalf("check: %v", err)
	}
	var out []string
	for _, f := range res.Findings {
		out = append(out, fmt.Sprintf("%s %s: %s", f.Code, f.Object, f.Message))
	}
	return out
}
