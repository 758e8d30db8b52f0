package migrations

import (
	"fmt"
	"strings"

	"github.com/rbacdrift/rbacdrift/spec"
)

// A Tool names a migration tool.
type Tool string

// The tools of [table].
const (
	Drizzle       Tool = "drizzle"
	Prisma        Tool = "prisma"
	Goose         Tool = "goose"
	GolangMigrate Tool = "golang-migrate"
	Flyway        Tool = "flyway"
	Sqlx          Tool = "sqlx"
	Dbmate        Tool = "dbmate"
	NodePgMigrate Tool = "node-pg-migrate"
	Knex          Tool = "knex"
	Sequelize     Tool = "sequelize"
	TypeORM       Tool = "typeorm"
	Rails         Tool = "rails"
	Alembic       Tool = "alembic"
	Django        Tool = "django"
	Supabase      Tool = "supabase"
)

// A tool is one row of the table of tools: its name, the rules of its
// file (layout, history table, order, and for SQL tools how it cuts a
// migration into statements), and what else a caller needs to know of it.
type tool struct {
	tool   Tool
	driver driver
	// language is what its migrations are written in when they are code,
	// which rbacdrift never runs; "" for SQL migrations.
	language string
	// marker: its layout has a mark no other tool's has (drizzle's journal,
	// prisma's folders, dbmate's "-- migrate:up"), so when it fits, the
	// folder is its, though its .sql files may look like another tool's.
	marker bool
	// oneTransaction: the tool applies every pending migration in one
	// transaction (drizzle-orm's migrator).
	oneTransaction bool
	// columns are the history table's columns the tool reads: a table of
	// its name without them is not its history (see [ColumnsError]).
	columns []string
}

// table is every tool rbacdrift knows, in the order [Detect] prefers them.
// The CLI's flags and help, the model's migrations.tool, the JSON Schema
// (kept equal by a test) and the replay of internal/derive/replay all read
// it: a tool added here is added everywhere.
var table = []tool{
	{tool: Drizzle, driver: drizzle{}, marker: true, oneTransaction: true, columns: []string{"id", "hash", "created_at"}},
	{tool: Prisma, driver: prisma{}, marker: true, columns: []string{"id", "migration_name", "checksum", "finished_at", "rolled_back_at", "started_at", "logs"}},
	{tool: Goose, driver: goose{}, columns: []string{"id", "version_id", "is_applied"}},
	{tool: GolangMigrate, driver: golangMigrate{}, columns: []string{"version", "dirty"}},
	{tool: Flyway, driver: flyway{}, columns: []string{"installed_rank", "version", "description", "type", "script", "checksum", "success"}},
	{tool: Sqlx, driver: sqlx{}, columns: []string{"version", "description", "success", "checksum"}},
	{tool: Dbmate, driver: dbmate, marker: true, columns: []string{"version"}},
	{tool: NodePgMigrate, driver: nodePgMigrate, language: "JavaScript", columns: []string{"id", "name", "run_on"}},
	{tool: Knex, driver: knex, language: "JavaScript", columns: []string{"id", "name"}},
	{tool: Sequelize, driver: sequelize, language: "JavaScript", columns: []string{"name"}},
	{tool: TypeORM, driver: typeorm, language: "TypeScript or JavaScript", columns: []string{"id", "name"}},
	{tool: Rails, driver: rails, language: "Ruby", columns: []string{"version"}},
	{tool: Alembic, driver: alembic{}, language: "Python", columns: []string{"version_num"}},
	{tool: Django, driver: django{}, language: "Python", columns: []string{"id", "app", "name"}},
	{tool: Supabase, driver: supabase{}, marker: true, columns: []string{"version"}},
}

func rowOf(t Tool) *tool {
	for i := range table {
		if table[i].tool == t {
			return &table[i]
		}
	}
	return nil
}

func driverFor(t Tool) driver {
	if r := rowOf(t); r != nil {
		return r.driver
	}
	return nil
}

// Tools returns every tool, in the order [Detect] prefers them.
func Tools() []Tool {
	out := make([]Tool, len(table))
	for i, r := range table {
		out[i] = r.tool
	}
	return out
}

// Names returns the name of every tool, in the order of [Tools].
func Names() []string {
	out := make([]string, len(table))
	for i, r := range table {
		out[i] = string(r.tool)
	}
	return out
}

// SQLNames returns the names of the tools whose migrations are SQL, which
// a replay can apply: the others are named, never run.
func SQLNames() []string {
	var out []string
	for _, r := range table {
		if r.language == "" {
			out = append(out, string(r.tool))
		}
	}
	return out
}

// Known reports whether t is a tool of the table.
func Known(t Tool) bool { return rowOf(t) != nil }

// Language returns what t's migrations are written in when they are code
// ("JavaScript", "Python", ...); "" when they are SQL or t is unknown.
func Language(t Tool) string {
	if r := rowOf(t); r != nil {
		return r.language
	}
	return ""
}

// OneTransaction reports whether t applies every pending migration in one
// transaction.
func OneTransaction(t Tool) bool {
	r := rowOf(t)
	return r != nil && r.oneTransaction
}

// CheckModel checks what the spec package leaves to this one: that the
// model's migrations.tool names a tool. It returns [spec.Errors] with the
// value's position, as the model's other problems are reported.
func CheckModel(m *spec.Model) error {
	mig := m.Migrations
	if mig == nil || mig.Tool == "" || Known(Tool(mig.Tool)) {
		return nil
	}
	return spec.Errors{{Pos: mig.ToolPos, Field: "migrations.tool",
		Msg: fmt.Sprintf("%q is not one of %s", mig.Tool, strings.Join(Names(), ", "))}}
}

// A Statement is one query a tool sends to apply a migration: its text and
// the byte offset in the file where it starts.
type Statement struct {
	SQL string
	Off int
}

// An Up is what a tool sends to apply one SQL migration.
type Up struct {
	// Statements are sent one by one, each as one simple query (which the
	// server runs as one implicit transaction when it holds several).
	Statements []Statement
	// Tx: the statements run inside BEGIN and COMMIT (goose, dbmate, unless
	// the file opts out; drizzle's are in the one transaction of
	// [OneTransaction]).
	Tx bool
}

// A splitter is a driver of a SQL tool that does not send a migration's
// file whole.
type splitter interface {
	up(m *Migration) (*Up, error)
}

// UpOf returns what the folder's tool sends to apply m: its statements, in
// order. It fails for a tool whose migrations are code, and for a code
// migration of a SQL tool (a goose .go file).
func (f *Folder) UpOf(m *Migration) (*Up, error) {
	r := rowOf(f.Tool)
	switch {
	case r == nil:
		return nil, fmt.Errorf("applying migrations: unknown tool %q", f.Tool)
	case r.language != "":
		return nil, fmt.Errorf("applying migrations: %s migrations are %s, not SQL", f.Tool, r.language)
	}
	if s, ok := r.driver.(splitter); ok {
		return s.up(m)
	}
	// Prisma, golang-migrate (the .up.sql files), Flyway and sqlx send each
	// file as it is.
	return &Up{Statements: []Statement{{SQL: m.SQL}}}, nil
}
