package introspect_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rbacdrift/rbacdrift/internal/pgsession"
	"github.com/rbacdrift/rbacdrift/internal/testutil/pgtest"
	"github.com/rbacdrift/rbacdrift/introspect"
	"github.com/rbacdrift/rbacdrift/introspect/catalog"
)

// TestListRelations: which relations and roles a snapshot selection finds,
// and which enums Load then finds the relations use, on a real catalog.
func TestListRelations(t *testing.T) {
	db := pgtest.NewDB(t)
	app := db.Role(t, "app")
	db.Exec(t, `
		CREATE SCHEMA other;
		CREATE TYPE scope AS ENUM ('a');
		CREATE TYPE other.level AS ENUM ('x');
		CREATE TYPE unused AS ENUM ('u');
		CREATE TYPE other.mood AS ENUM ('m');
		CREATE DOMAIN mood_d AS other.mood;
		CREATE TABLE role_a (s scope, l other.level[]);
		CREATE TABLE "roleXa" (m mood_d);
		CREATE TABLE "Role_B" (id int);
		CREATE TABLE events (at date) PARTITION BY RANGE (at);
		CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
		CREATE VIEW role_v AS SELECT 1 AS one;
		CREATE SEQUENCE role_seq;
		CREATE TABLE other.role_a (id int);
	`)
	pub, oth := func(n string) catalog.Name { return catalog.Name{Schema: "public", Name: n} },
		func(n string) catalog.Name { return catalog.Name{Schema: "other", Name: n} }
	tests := []struct {
		name  string
		sel   introspect.Selection
		want  introspect.Listing
		enums []catalog.Name // what Load reads for the listing
	}{
		{"every table and view of public, partitions left out",
			introspect.Selection{Schemas: []string{"public"}},
			introspect.Listing{Request: catalog.Request{EnumsUsed: true,
				Relations: []catalog.Name{pub("Role_B"), pub("events"), pub("roleXa"), pub("role_a"), pub("role_v")}}},
			[]catalog.Name{oth("level"), oth("mood"), pub("scope")}},
		{"a glob: _ is a letter, not LIKE's wildcard",
			introspect.Selection{Schemas: []string{"public"}, Match: "role_*"},
			introspect.Listing{Request: catalog.Request{EnumsUsed: true,
				Relations: []catalog.Name{pub("role_a"), pub("role_v")}}},
			[]catalog.Name{oth("level"), pub("scope")}},
		{"a glob with ?",
			introspect.Selection{Schemas: []string{"public", "other"}, Match: "role?a"},
			introspect.Listing{Request: catalog.Request{EnumsUsed: true,
				Relations: []catalog.Name{oth("role_a"), pub("roleXa"), pub("role_a")}}},
			[]catalog.Name{oth("level"), oth("mood"), pub("scope")}},
		{"named tables, a partition included; names are exact",
			introspect.Selection{Schemas: []string{"public"}, Tables: []string{"events_2025", "Role_B", "role_b"}},
			introspect.Listing{Request: catalog.Request{EnumsUsed: true,
				Relations: []catalog.Name{pub("Role_B"), pub("events_2025")}}}, nil},
		{"roles: PUBLIC always exists",
			introspect.Selection{Schemas: []string{"nope"}, Roles: []string{app, "PUBLIC", "no_such_role_rbacdrift"}},
			introspect.Listing{Request: catalog.Request{EnumsUsed: true}, UnknownRoles: []string{"no_such_role_rbacdrift"}}, nil},
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn := pgsession.NewSession(db.Conn(t), pgsession.Options{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := introspect.ListRelations(ctx, conn, tt.sel)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, *got); diff != "" {
				t.Errorf("ListRelations (-want +got):\n%s", diff)
			}
			cat, err := introspect.Load(ctx, conn, got.Request)
			if err != nil {
				t.Fatal(err)
			}
			var enums []catalog.Name
			for n := range cat.Enums {
				enums = append(enums, n)
			}
			slices.SortFunc(enums, func(a, b catalog.Name) int { return strings.Compare(a.String(), b.String()) })
			if diff := cmp.Diff(tt.enums, enums); diff != "" {
				t.Errorf("enums used (-want +got):\n%s", diff)
			}
		})
	}
}
