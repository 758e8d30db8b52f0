package dryrun_test

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/rbacdrift/rbacdrift/drift"
	"github.com/rbacdrift/rbacdrift/internal/check"
	"github.com/rbacdrift/rbacdrift/internal/dryrun"
	"github.com/rbacdrift/rbacdrift/internal/pgsession"
	"github.com/rbacdrift/rbacdrift/internal/testutil/pgtest"
)

// A corpusCase is one real-world schema of testdata/dryrun/corpus with its
// queries, clean, and with one realistic drift.
type corpusCase struct {
	dir   string // under testdata/dryrun/corpus
	drift string // drift script in dir
	runAs bool   // run the queries as the {{app}} role
	want  []got  // findings with the drift
	hint  string // what the first of them says, in its message or hint
}

func corpusCases() []corpusCase {
	E := drift.Error
	finding := func(code, state string) func(name, pos string) got {
		return func(name, pos string) got { return got{code, E, "query:" + name, state, "queries.sql:" + pos} }
	}
	denied, missing := finding("query-permission-denied", "42501"), finding("query-error", "42P01")
	return []corpusCase{
		{dir: "spring_security_jdbc", drift: "d5_group_grants.sql", runAs: true,
			// Only the three reads of users and authorities keep working.
			want: []got{
				denied("group_authorities_by_username", "12:1"), denied("create_user", "20:1"),
				denied("update_user", "24:1"), denied("delete_user", "28:1"),
				denied("change_password", "32:1"), denied("insert_authority", "36:1"),
				denied("delete_user_authorities", "40:1"), denied("find_groups", "44:1"),
				denied("find_users_in_group", "48:1"), denied("insert_group", "52:1"),
				denied("find_group_id", "56:1"), denied("insert_group_authority", "60:1"),
				denied("delete_group", "64:1"), denied("delete_group_authorities", "68:1"),
				denied("delete_group_members", "72:1"), denied("rename_group", "76:1"),
				denied("insert_group_member", "80:1"), denied("delete_group_member", "84:1"),
				denied("group_authorities_by_group_name", "88:1"), denied("delete_group_authority", "92:1"),
			},
			hint: "GRANT SELECT ON groups TO {{app}}"},
		{dir: "django_auth", drift: "d2_renamed_m2m.sql",
			want: []got{
				missing("user_direct_permissions", "15:106"), missing("user_group_permissions", "19:298"),
				missing("users_with_perm", "27:506"), missing("effective_permissions_equivalent", "34:6"),
			},
			hint: `relation "auth_user_user_permissions" does not exist`},
		{dir: "casbin_pgx", drift: "d3_moved_schema.sql",
			want: []got{
				missing("load_policy", "6:58"), missing("load_filtered_policy", "10:58"),
				missing("add_policy", "14:13"), missing("remove_policy", "19:13"),
				missing("remove_filtered_policy", "23:13"), missing("save_policy_delete_all", "27:13"),
			},
			hint: "a relation called casbin_rule exists as eval_authz.casbin_rule"},
	}
}

// loadCorpus creates a database with the case's schema, and the drift when
// drifted, and returns it with the role to run as ("" for the connecting
// user). On the clean schema that role has every privilege it needs.
func loadCorpus(t testing.TB, c corpusCase, drifted bool) (*pgtest.DB, string) {
	t.Helper()
	db := pgtest.NewDB(t)
	roles := map[string]string{}
	runAs := ""
	if c.runAs {
		runAs = db.Role(t, "app")
		roles["app"] = runAs
	}
	dir := filepath.Join("dryrun", "corpus", c.dir)
	setup(t, db, roles, filepath.Join(dir, "schema.sql"))
	switch {
	case drifted:
		setup(t, db, roles, filepath.Join(dir, c.drift))
	case runAs != "":
		db.Exec(t, "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "+pgx.Identifier{runAs}.Sanitize())
	}
	return db, runAs
}

// TestCorpus dry-runs the queries of each corpus schema: none fails on the
// schema their framework creates, and the drift gives the findings it should.
func TestCorpus(t *testing.T) {
	t.Parallel()
	for _, c := range corpusCases() {
		t.Run(c.dir, func(t *testing.T) {
			t.Parallel()
			m := loadModel(t, filepath.Join("dryrun", "corpus", c.dir, "model.yaml"))
			for _, drifted := range []bool{false, true} {
				db, runAs := loadCorpus(t, c, drifted)
				fs := dryRun(t, connect(t, db.URL), m, runAs)
				want := []got{}
				if drifted {
					want = c.want
				}
				if diff := cmp.Diff(want, summarize(fs)); diff != "" {
					t.Errorf("drifted %v: findings (-want +got):\n%s\nall:\n%s", drifted, diff, render(fs))
					continue
				}
				if hint := expand(c.hint, map[string]string{"app": runAs}); drifted && !strings.Contains(fs[0].Message+"\n"+fs[0].Hint, hint) {
					t.Errorf("the first finding does not say %q:\n%s", hint, render(fs[:1]))
				}
			}
		})
	}
}

// BenchmarkDryRunSpring dry-runs Spring Security's 23 default queries on
// their clean schema, as the application's role, and reports the round
// trips of one dry run. The test server is
// on a Unix socket, where a round trip costs next to nothing; the rtt=1ms
// runs add a millisecond to each, as a database in the same data centre
// would.
func BenchmarkDryRunSpring(b *testing.B) {
	c := corpusCases()[0]
	db, runAs := loadCorpus(b, c, false)
	m := loadModel(b, filepath.Join("dryrun", "corpus", c.dir, "model.yaml"))
	w := &wire{}
	conn := connectCounting(b, db.URL, w)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	session := pgsession.NewSession(conn, pgsession.Options{Timeout: 10 * time.Second})
	res, err := check.Compare(ctx, session, m)
	if err != nil {
		b.Fatal(err)
	}
	in := dryrun.Input{Model: m, Catalog: res.Catalog, Types: res.Types, RunAs: runAs}
	for _, rtt := range []time.Duration{0, time.Millisecond} {
		b.Run(fmt.Sprintf("rtt=%v", rtt), func(b *testing.B) {
			w.reset()
			w.rtt = rtt
			defer func() { w.rtt = 0 }()
			for b.Loop() {
				fs, err := dryrun.Run(ctx, session, in)
				if err != nil {
					b.Fatal(err)
				}
				if len(fs) != 0 {
					b.Fatalf("findings on the clean schema:\n%s", render(fs))
				}
			}
			b.ReportMetric(float64(w.trips())/float64(b.N), "roundtrips/op")
		})
	}
}

// connectCounting connects as connect does, counting round trips in w.
func connectCounting(t testing.TB, url string, w *wire) *pgx.Conn {
	t.Helper()
	target, err := pgsession.ParseTarget(url)
	if err != nil {
		t.Fatal(err)
	}
	dial := target.Config.DialFunc
	target.Config.DialFunc = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &countingConn{Conn: c, w: w}, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgsession.Connect(ctx, target, pgsession.Options{Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// A wire counts round trips on a connection: a write that follows a read (or
// comes first) starts one. With rtt set, the first read of each round trip
// waits that long, as a network would.
type wire struct {
	mu      sync.Mutex
	n       int
	waiting bool // the client has written and not read an answer since
	delay   bool // the wait of this round trip is still to come
	rtt     time.Duration
}

func (w *wire) reset() { w.mu.Lock(); w.n, w.waiting, w.delay = 0, false, false; w.mu.Unlock() }

func (w *wire) trips() int { w.mu.Lock(); defer w.mu.Unlock(); return w.n }

type countingConn struct {
	net.Conn
	w *wire
}

func (c *countingConn) Write(p []byte) (int, error) {
	c.w.mu.Lock()
	if !c.w.waiting {
		c.w.n++
		c.w.waiting, c.w.delay = true, c.w.rtt > 0
	}
	c.w.mu.Unlock()
	return c.Conn.Write(p)
}

func (c *countingConn) Read(p []byte) (int, error) {
	c.w.mu.Lock()
	wait := c.w.rtt
	if !c.w.delay {
		wait = 0
	}
	c.w.delay = false
	c.w.mu.Unlock()
	time.Sleep(wait)
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.w.mu.Lock()
		c.w.waiting = false
		c.w.mu.Unlock()
	}
	return n, err
}
