package migrations

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rbacdrift/rbacdrift/drift"
	"github.com/rbacdrift/rbacdrift/spec"
)

// dbmate's table as its postgres driver creates it, and its insert.
func dbmateHistory(versions ...string) string {
	s := "CREATE TABLE IF NOT EXISTS schema_migrations (version varchar(128) PRIMARY KEY);\n"
	for _, v := range versions {
		s += "INSERT INTO schema_migrations (version) VALUES ('" + v + "');\n"
	}
	return s
}

func TestDbmate(t *testing.T) {
	runCases(t, Options{Dir: fixtures + "dbmate"}, []historyCase{
		{name: "in sync", setup: dbmateHistory("20240105093000", "20240312141500")},
		{
			name: "pending", setup: dbmateHistory("20240105093000"),
			want: []string{"migration-pending error migration:20240312141500_role_permissions"},
			hint: "dbmate --migrations-dir ../../testdata/migrations/dbmate up",
		},
		{
			name: "unknown", setup: dbmateHistory("20240105093000", "20240312141500", "20250101000000"),
			want: []string{"migration-unknown warning migration:20250101000000"},
		},
		{name: "history missing", want: []string{"migration-history-missing warning table:schema_migrations"}},
	})
}

// TestJSONSchemaTools keeps the JSON Schema's enum of migrations.tool equal
// to the table of tools: the schema is a static file editors read, so it
// holds a copy, and this test is what keeps it one.
func TestJSONSchemaTools(t *testing.T) {
	b, err := os.ReadFile("../../spec/rbacdrift.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	var enum []string
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if tool, ok := v["tool"].(map[string]any); ok {
				if e, ok := tool["enum"].([]any); ok {
					for _, x := range e {
						enum = append(enum, x.(string))
					}
				}
			}
			for _, w := range v {
				walk(w)
			}
		case []any:
			for _, w := range v {
				walk(w)
			}
		}
	}
	walk(doc)
	if diff := cmp.Diff(Names(), enum); diff != "" {
		t.Errorf("the JSON Schema's migrations.tool enum differs from the table of tools (-table +schema):\n%s", diff)
	}
}

// TestTable checks each row of the table of tools: a driver, a command, a
// history table; SQL tools can say what they send, code tools refuse.
func TestTable(t *testing.T) {
	for _, r := range table {
		if r.driver == nil || r.driver.command("db") == "" || len(r.driver.table(Options{})) == 0 {
			t.Errorf("%s: incomplete row", r.tool)
		}
		f := &Folder{Tool: r.tool}
		_, err := f.UpOf(&Migration{File: "m.sql", SQL: "-- +goose Up\n-- migrate:up\nSELECT 1;\n"})
		if (err == nil) != (r.language == "") {
			t.Errorf("%s (language %q): UpOf error %v", r.tool, r.language, err)
		}
		if len(r.columns) == 0 {
			t.Errorf("%s: no history columns", r.tool)
		}
		if l := f.Ledger(Options{}); (l != nil) != (r.language == "") {
			t.Errorf("%s (language %q): ledger %v", r.tool, r.language, l)
		}
	}
	if got := strings.Join(SQLNames(), " "); got != "drizzle prisma goose golang-migrate flyway sqlx dbmate supabase" {
		t.Errorf("SQLNames() = %s", got)
	}
}

// TestUpOf checks how each SQL tool cuts a migration.
func TestUpOf(t *testing.T) {
	tests := []struct {
		tool Tool
		text string
		want []Statement
		tx   bool
	}{
		{Drizzle, "CREATE TABLE a (id int);\n--> statement-breakpoint\nCREATE TABLE b (id int);\n",
			[]Statement{{"CREATE TABLE a (id int);\n", 0}, {"\nCREATE TABLE b (id int);\n", 49}}, false},
		{Goose, "-- +goose Up\nCREATE TABLE a (id int);\nCREATE TABLE b (id int); -- two\n-- +goose Down\nDROP TABLE a;\n",
			[]Statement{{"CREATE TABLE a (id int);", 13}, {"CREATE TABLE b (id int); -- two", 38}}, true},
		{Goose, "-- +goose NO TRANSACTION\n-- +goose Up\n-- +goose StatementBegin\nCREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\n-- +goose StatementEnd\n",
			[]Statement{{"CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\n", 63}}, false},
		{Dbmate, "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY i ON a (id);\n-- migrate:down\nDROP INDEX i;\n",
			[]Statement{{"\nCREATE INDEX CONCURRENTLY i ON a (id);\n", 31}}, false},
		{Flyway, "CREATE TABLE a (id int);\n", []Statement{{"CREATE TABLE a (id int);\n", 0}}, false},
	}
	for _, tt := range tests {
		up, err := (&Folder{Tool: tt.tool}).UpOf(&Migration{File: "m.sql", SQL: tt.text})
		if err != nil {
			t.Errorf("%s: %v", tt.tool, err)
			continue
		}
		for _, st := range up.Statements {
			if tt.text[st.Off:st.Off+len(st.SQL)] != st.SQL {
				t.Errorf("%s: statement %q is not at offset %d", tt.tool, st.SQL, st.Off)
			}
		}
		if diff := cmp.Diff(tt.want, up.Statements); diff != "" || up.Tx != tt.tx {
			t.Errorf("%s: statements (-want +got):\n%s; tx %v, want %v", tt.tool, diff, up.Tx, tt.tx)
		}
	}
}

// TestCheckModel: a model's migrations.tool that is no tool is a model
// error with its position; a tool of the table is fine.
func TestCheckModel(t *testing.T) {
	m, err := spec.Parse("m.yaml", []byte("version: 1\nmigrations:\n  dir: db\n  tool: liquibase\n"))
	if err != nil {
		t.Fatal(err)
	}
	err = CheckModel(m)
	errs, ok := err.(spec.Errors)
	if !ok || len(errs) != 1 || errs[0].Pos.Line != 4 || errs[0].Field != "migrations.tool" || !strings.Contains(errs[0].Msg, `"liquibase" is not one of drizzle`) {
		t.Errorf("CheckModel = %v", err)
	}
	m.Migrations.Tool = string(Dbmate)
	if err := CheckModel(m); err != nil {
		t.Errorf("CheckModel with dbmate: %v", err)
	}
}

// TestFindingCodes: the package's findings carry drift's codes and their
// registered severities.
func TestFindingCodes(t *testing.T) {
	f := &Folder{Tool: Goose, Dir: "db", Migrations: []*Migration{{ID: "1", Name: "1_a", File: "db/1_a.sql"}}}
	got := Compare(f, &History{Tool: Goose, Applied: []*Applied{{ID: "2", Version: 2}}})
	want := map[drift.Code]drift.Severity{drift.MigrationPending: drift.Error, drift.MigrationUnknown: drift.Warning}
	for _, fi := range got {
		if want[fi.Code] != fi.Severity || fi.Severity != drift.Info(fi.Code).Severity {
			t.Errorf("%s has severity %s", fi.Code, fi.Severity)
		}
	}
	if len(got) != 2 {
		t.Errorf("Compare: %d findings, want 2", len(got))
	}
}
