package harvest_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rbacdrift/rbacdrift/internal/harvest"
	"github.com/rbacdrift/rbacdrift/spec"
)

// TestMergeKeepsNamesAndOrder: a re-harvest keeps the names (a renamed one
// too) and order of the file, adds new statements at the end and marks
// vanished ones without deleting them; the file reads back as it was
// written, and the model parser takes it.
func TestMergeKeepsNamesAndOrder(t *testing.T) {
	day1 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	day2 := day1.Add(24 * time.Hour)
	h := harvest.Header{Source: harvest.Source{From: "pg_stat_statements", Database: "staging"}, At: day1}
	first := harvest.Merge(nil, []harvest.Entry{
		{Name: "select_roles_aaaa", SQL: "SELECT id FROM roles WHERE name = $1", Role: "app", Calls: 3},
		{Name: "delete_roles_bbbb", SQL: "DELETE FROM roles WHERE id = $1", Role: "app", Calls: 1},
	}, day1)
	file := harvest.Render(h, first)
	old, err := harvest.ParseFile([]byte(strings.Replace(string(file), "select_roles_aaaa", "load_roles", 1)))
	if err != nil {
		t.Fatal(err)
	}
	second := harvest.Merge(old, []harvest.Entry{
		{Name: "insert_roles_cccc", SQL: "INSERT INTO roles (name) VALUES ($1)", Role: "app", Calls: 2},
		{Name: "select_roles_aaaa", SQL: "SELECT id\n  FROM roles WHERE name = $1;", Role: "app", Calls: 5},
	}, day2)
	type row struct {
		Name        string
		Calls       int64
		First, Last time.Time
		Vanished    time.Time
	}
	var got []row
	for _, e := range second {
		got = append(got, row{e.Name, e.Calls, e.First, e.Last, e.Vanished})
	}
	want := []row{
		{"delete_roles_bbbb", 1, day1, day1, day2}, // new statements come by name
		{"load_roles", 5, day1, day2, time.Time{}},
		{"insert_roles_cccc", 2, day2, day2, time.Time{}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("re-harvest (-want +got):\n%s", diff)
	}
	out := harvest.Render(h, second)
	if !strings.Contains(string(out), "-- harvest: not seen since 2025-01-02T00:00:00Z") {
		t.Errorf("the vanished statement is not marked:\n%s", out)
	}
	back, err := harvest.ParseFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(second, back); diff != "" {
		t.Errorf("render then parse (-want +got):\n%s", diff)
	}
	qs, err := spec.ParseQueryFile("harvested.sql", out, "")
	if err != nil {
		t.Fatalf("the model parser refuses the harvested file: %v", err)
	}
	if len(qs) != 3 || qs[1].Name != "load_roles" {
		t.Errorf("parsed %d queries: %v", len(qs), qs)
	}
}

func TestParseLog(t *testing.T) {
	for _, tc := range []struct{ name, log string }{
		{"stderr", `2025-01-01 10:00:00.000 UTC [42] app@staging LOG:  duration: 0.120 ms  statement: SELECT id FROM roles WHERE name = 'admin'
2025-01-01 10:00:00.100 UTC [42] app@staging LOG:  duration: 0.100 ms  statement: SELECT id FROM roles WHERE name = 'viewer'
2025-01-01 10:00:01.000 UTC [43] app@staging LOG:  duration: 0.050 ms  parse <unnamed>: SELECT scope
	FROM role_permissions WHERE role_id = $1
2025-01-01 10:00:01.000 UTC [43] app@staging LOG:  duration: 0.050 ms  execute <unnamed>: SELECT scope
	FROM role_permissions WHERE role_id = $1
2025-01-01 10:00:01.000 UTC [43] app@staging DETAIL:  parameters: $1 = '7'
2025-01-01 10:00:02.000 UTC [44] other@staging LOG:  statement: SELECT 1
2025-01-01 10:00:03.000 UTC [45] app@billing LOG:  statement: SELECT id FROM invoices WHERE id = 4
`},
		{"csvlog", `2025-01-01 10:00:00.000 UTC,"app","staging",42,"[local]",1,1,"SELECT",2025-01-01 10:00:00 UTC,3/1,0,LOG,00000,"duration: 0.120 ms  statement: SELECT id FROM roles WHERE name = 'admin'",,,,,,,,,"psql","client backend",,0
2025-01-01 10:00:00.000 UTC,"app","staging",42,"[local]",1,2,"SELECT",2025-01-01 10:00:00 UTC,3/1,0,LOG,00000,"duration: 0.120 ms  statement: SELECT id FROM roles WHERE name = 'viewer'",,,,,,,,,"psql","client backend",,0
2025-01-01 10:00:00.000 UTC,"app","staging",43,"[local]",1,1,"SELECT",2025-01-01 10:00:00 UTC,3/1,0,LOG,00000,"execute <unnamed>: SELECT scope
FROM role_permissions WHERE role_id = $1","parameters: $1 = '7'",,,,,,,,"node","client backend",,0
2025-01-01 10:00:00.000 UTC,"other","staging",44,"[local]",1,1,"SELECT",2025-01-01 10:00:00 UTC,3/1,0,LOG,00000,"statement: SELECT 1",,,,,,,,,"psql","client backend",,0
2025-01-01 10:00:00.000 UTC,"app","billing",45,"[local]",1,1,"SELECT",2025-01-01 10:00:00 UTC,3/1,0,LOG,00000,"statement: SELECT id FROM invoices WHERE id = 4",,,,,,,,,"psql","client backend",,0
`},
		{"jsonlog", `{"timestamp":"2025-01-01 10:00:00.000 UTC","user":"app","dbname":"staging","pid":42,"error_severity":"LOG","message":"duration: 0.120 ms  statement: SELECT id FROM roles WHERE name = 'admin'"}
{"timestamp":"2025-01-01 10:00:00.000 UTC","user":"app","dbname":"staging","pid":42,"error_severity":"LOG","message":"statement: SELECT id FROM roles WHERE name = 'viewer'"}
{"timestamp":"2025-01-01 10:00:00.000 UTC","user":"app","dbname":"staging","pid":43,"error_severity":"LOG","message":"execute <unnamed>: SELECT scope\nFROM role_permissions WHERE role_id = $1","detail":"parameters: $1 = '7'"}
{"timestamp":"2025-01-01 10:00:00.000 UTC","user":"other","dbname":"staging","pid":44,"error_severity":"LOG","message":"statement: SELECT 1"}
{"timestamp":"2025-01-01 10:00:00.000 UTC","user":"app","dbname":"billing","pid":45,"error_severity":"LOG","message":"statement: SELECT id FROM invoices WHERE id = 4"}
`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := harvest.ParseLog([]byte(tc.log), harvest.LogFilter{})
			if err != nil {
				t.Fatal(err)
			}
			want := []harvest.Statement{
				{Role: "app", Database: "staging", SQL: "SELECT id FROM roles WHERE name = 'admin'", Calls: 2},
				{Role: "app", Database: "staging", SQL: "SELECT scope\nFROM role_permissions WHERE role_id = $1", Calls: 1},
				{Role: "other", Database: "staging", SQL: "SELECT 1", Calls: 1},
				{Role: "app", Database: "billing", SQL: "SELECT id FROM invoices WHERE id = 4", Calls: 1},
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("statements (-want +got):\n%s", diff)
			}
			for _, c := range []struct {
				f    harvest.LogFilter
				want int
			}{
				{harvest.LogFilter{Database: "staging", Role: "app"}, 2},
				{harvest.LogFilter{Database: "billing"}, 1},
				{harvest.LogFilter{Role: "other"}, 1},
			} {
				got, err := harvest.ParseLog([]byte(tc.log), c.f)
				if err != nil || len(got) != c.want {
					t.Errorf("%+v kept %d (%v), want %d", c.f, len(got), err, c.want)
				}
			}
			if _, err := harvest.ParseLog([]byte(tc.log), harvest.LogFilter{Database: "crm"}); err == nil || !strings.Contains(err.Error(), `database "crm"`) {
				t.Errorf("a filter that keeps nothing: %v, want an error naming the database", err)
			}
		})
	}
}
