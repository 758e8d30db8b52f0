package introspect_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/rbacdrift/rbacdrift/internal/pgsession"
	"github.com/rbacdrift/rbacdrift/internal/testutil/pgtest"
	"github.com/rbacdrift/rbacdrift/introspect"
)

// TestReadRolesCanAssume: the dry run may SET ROLE to a role the session
// user is a member of; on PostgreSQL 16 and later a membership granted WITH
// SET FALSE does not allow it, though the user is still a member.
func TestReadRolesCanAssume(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	checker := db.LoginRole(t, "checker", "pw-checker")
	member, other, noSet := db.Role(t, "member"), db.Role(t, "other"), db.Role(t, "noset")
	id := func(s string) string { return pgx.Identifier{s}.Sanitize() }
	db.Exec(t, "GRANT "+id(member)+" TO "+id(checker))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin := db.Conn(t)
	var version int
	if err := admin.QueryRow(ctx, "SELECT current_setting('server_version_num')::int").Scan(&version); err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{member: true, other: false}
	if version >= 160000 {
		db.Exec(t, "GRANT "+id(noSet)+" TO "+id(checker)+" WITH SET FALSE")
		want[noSet] = false
	} else {
		t.Logf("PostgreSQL %d has no SET option on memberships: only member and other are checked", version)
	}
	target, err := pgsession.ParseTarget(db.URLAs(checker, "pw-checker"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := pgsession.Open(ctx, target, pgsession.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	var names []string
	for n := range want {
		names = append(names, n)
	}
	roles, err := introspect.ReadRoles(ctx, s, names)
	if err != nil {
		t.Fatal(err)
	}
	for n, can := range want {
		r := roles.ByName[n]
		if r == nil || !r.Exists || r.CanAssume != can {
			t.Errorf("role %s: %+v, want CanAssume %v", n, r, can)
		}
	}
	if roles.CurrentUser == nil || roles.CurrentUser.Name != checker {
		t.Errorf("current user %+v, want %s", roles.CurrentUser, checker)
	}
}
