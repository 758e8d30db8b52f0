package spec

import (
	"fmt"
	"io/fs"
)

// A Pos is a position in a model or query file, 1-based.
type Pos struct {
	File   string
	Line   int
	Column int
}

// String renders the position as file:line:column, dropping what is unknown.
func (p Pos) String() string {
	switch {
	case p.File == "":
		return fmt.Sprintf("%d:%d", p.Line, p.Column)
	case p.Line == 0:
		return p.File
	case p.Column == 0:
		return fmt.Sprintf("%s:%d", p.File, p.Line)
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Column)
}

// An ExtraPolicy says what to do with undeclared columns of a table.
type ExtraPolicy string

// The values of extra_columns.
const (
	ExtraIgnore ExtraPolicy = "ignore"
	ExtraWarn   ExtraPolicy = "warn"
	ExtraError  ExtraPolicy = "error"
)

// A Name is a schema-qualified object name.
type Name struct {
	Schema string
	Name   string
}

// String renders the name as schema.name, without quoting.
func (n Name) String() string { return n.Schema + "." + n.Name }

// A Model represents one declared model file.
type Model struct {
	File          string
	Version       int
	Schema        string      // default schema for unqualified names; "public" when not given
	ExtraColumns  ExtraPolicy // default for tables; "warn" when not given
	Tables        []*Table
	Enums         []*Enum
	Functions     []*Function
	Sequences     []*Sequence // sequences used by name; nil: none declared
	RunAs         string      // default role for queries; "" when not given
	RunAsPos      Pos
	Queries       []*Query // model queries first, then query files in the order given
	QueryFiles    []string // the globs as written, relative to the model file
	QueryFilesPos Pos      // of the query_files value
	Ignore        []*Waiver
	// Settings are the session settings the application sets before its
	// queries (app.tenant_id), applied in each query's unit of work; nil:
	// none.
	Settings []*Setting
	// Grants is "exact" when a privilege beyond the model's grants that
	// widens what the application can do is an error; "" (at_least) keeps
	// it a warning. A table's GrantsMode overrides it.
	Grants string
	// RoleSettings are the settings a login of each role gets in this
	// database (pg_db_role_setting); nil: not checked.
	RoleSettings []*RoleSettings
	// DefaultPrivileges are the privileges objects created later get
	// (pg_default_acl); nil: not checked.
	DefaultPrivileges []*DefaultPrivilege
	// Migrations says where the application's migrations are, to name the
	// migration that has not run (check --migrations); nil when not given.
	Migrations *Migrations
	// TablesFrom says where the tables and enums come from when the model
	// is checked: the application's code or migrations; nil when the file
	// declares them itself.
	TablesFrom *TablesFrom
	// FS is the file system the model was read from with [LoadFS]: File,
	// the query files and the migrations folder are paths inside it. Nil
	// when the model was read from the operating system's ([Load]).
	FS fs.FS
}

// Migrations is the model's migrations section: the folder (relative to the
// model file), the tool that applies it (detected from the folder when
// empty), and a history table other than the tool's own.
type Migrations struct {
	Dir string
	// Tool names the tool as written; spec does not check that it is one
	// (internal/migrations holds the table of tools): see ToolPos.
	Tool    string
	ToolPos Pos    // of the tool value, to report a name that is not a tool
	Schema  string // of the history table; "" for the tool's default
	Table   string // the history table; "" for the tool's default
	Pos     Pos
}

// A Table represents a declared table (or view) and the facts the model states about it.
type Table struct {
	Name             Name
	Pos              Pos    // of the table's key
	Kind             string // table (the default: ordinary or partitioned), partitioned_table, view, materialized_view, foreign_table
	KindPos          Pos
	Columns          []*Column
	ExtraColumns     ExtraPolicy
	PrimaryKey       *Key // nil: not checked
	Unique           []*Key
	ForeignKeys      []*ForeignKey
	Indexes          []*Index
	ForbiddenColumns []*Forbidden
	Grants           []*Grant // nil: not checked
	RLS              *RLS     // nil: not checked
	// GrantsMode is "exact" or "at_least"; "" takes the model's Grants.
	GrantsMode string
}

// A Column represents a declared column. Nil fields are not checked.
type Column struct {
	Name     string
	Pos      Pos
	Type     string // as written; "" when not declared
	TypePos  Pos
	Nullable *bool
	// Default is the expected default expression; HasDefault says whether the
	// model states one (a YAML null states "no default", so Default is nil).
	HasDefault bool
	Default    *string
	Identity   *string // "always", "by_default" or "" (must not be an identity column)
	Generated  *string // expected generation expression, "" for none
	// Grants lists the column privileges (SELECT, INSERT, UPDATE,
	// REFERENCES) roles hold on the column beyond the table's; nil: not
	// checked.
	Grants []*Grant
}

// A Key is an ordered list of column names (a primary key or a unique
// constraint) and, where the model states them, how it is checked.
type Key struct {
	Columns []string
	// Deferrable and InitiallyDeferred (DEFERRABLE INITIALLY DEFERRED);
	// nil: not checked.
	Deferrable        *bool
	InitiallyDeferred *bool
	// NullsNotDistinct (PostgreSQL 15): rows with nulls in the key collide;
	// nil: not checked.
	NullsNotDistinct *bool
	Pos              Pos
}

// A ForeignKey represents a declared foreign key.
type ForeignKey struct {
	Columns    []string
	References Name
	RefColumns []string // nil: the referenced table's primary key, not checked
	OnDelete   string   // "" not checked; else no_action, restrict, cascade, set_null, set_default
	OnUpdate   string
	// Deferrable, InitiallyDeferred and Valid (false: NOT VALID, not
	// validated since); nil: not checked.
	Deferrable        *bool
	InitiallyDeferred *bool
	Valid             *bool
	Pos               Pos
}

// An Index represents a declared index: everything that changes what it
// does. Columns may hold column names or expressions, as pg_get_indexdef
// renders them. When Columns is given, what the model leaves out of
// Method, Keys, Include, NullsNotDistinct and Exclude is the default
// (btree, the type's operator class, the column's collation, ascending
// with nulls last, no INCLUDE, nulls distinct, no EXCLUDE constraint);
// Name, Unique, Where, Valid, Deferrable and InitiallyDeferred are checked
// only where the model gives them.
type Index struct {
	Name    string // optional; when given the index must have this name
	Method  string // access method (btree, gin, gist ...); "" for btree
	Columns []string
	// Keys says how each of Columns is compared and ordered, parallel to
	// it; nil when every key is the default.
	Keys             []IndexKey
	Include          []string // the INCLUDE columns, nil for none
	Unique           *bool
	NullsNotDistinct bool
	Where            *string // partial index predicate, as pg_get_expr renders it
	Valid            *bool   // false: a failed CREATE INDEX CONCURRENTLY left it unused
	// Exclude holds the operators of the EXCLUDE constraint the index backs,
	// one per key column; nil for an index that backs none.
	Exclude []string
	// Deferrable and InitiallyDeferred of the EXCLUDE constraint; nil: not
	// checked.
	Deferrable        *bool
	InitiallyDeferred *bool
	Pos               Pos
}

// An IndexKey says how an index compares and orders one key column; the
// zero value is the default.
type IndexKey struct {
	Opclass   string // "" for the default operator class of the key's type for the method
	Collation string // "" for the column's own collation (for an expression, its type's)
	Desc      bool
	// NullsFirst: nil for the direction's default (last ascending, first
	// descending).
	NullsFirst *bool
}

// IsDefault reports whether k states nothing beyond the defaults.
func (k IndexKey) IsDefault() bool {
	return k.Opclass == "" && k.Collation == "" && !k.Desc && (k.NullsFirst == nil || *k.NullsFirst == k.Desc)
}

// A Forbidden column must not exist; Reason says why (the legacy layout, say).
type Forbidden struct {
	Column string
	Reason string
	Pos    Pos
}

// A Grant lists the privileges a role must hold on a table or a column.
type Grant struct {
	Role       string
	Privileges []string // upper case: SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER
	Pos        Pos
}

// RLS declares the row-level security state of a table.
type RLS struct {
	Enabled  *bool
	Forced   *bool
	Policies []*Policy // nil: not checked
	Pos      Pos
}

// A Policy is a declared row-level security policy.
type Policy struct {
	Name       string
	Command    string   // ALL, SELECT, INSERT, UPDATE, DELETE; "" not checked
	Roles      []string // nil not checked; "public" for PUBLIC
	Using      *string
	WithCheck  *string
	Permissive *bool
	Pos        Pos
}

// An Enum represents a declared enum type and its labels in order.
type Enum struct {
	Name   Name
	Labels []string
	Pos    Pos
}

// A Query is one application query to dry-run.
type Query struct {
	Name      string
	SQL       string
	Pos       Pos // of the query's name key (model) or its "-- name:" line (query file)
	SQLPos    Pos // where the first character of SQL stands in its file
	Params    []string
	HasParams bool
	Returns   []*ReturnColumn // nil: not checked
	RunAs     string          // effective role: the query's own, else the model's run_as
	Sample    *Sample         // the first of Samples, nil when none
	// Samples are the read-only executions asked, in order (sample: gives
	// one, samples: a list).
	Samples []*Sample
	// Settings are the query's own session settings, applied after the
	// model's.
	Settings []*Setting
	// Annotation is the sqlc command (:one, :many, :exec ...) for query-file queries.
	Annotation string
	// lineStarts maps a character offset of SQL to its position in the file; see [Query.PosAt].
	lineStarts []lineStart
}

// A ReturnColumn is a column the application reads from a query's result, in order.
type ReturnColumn struct {
	Name string
	Type string
	Pos  Pos
}

// A Sample asks for one read-only execution with the given arguments.
type Sample struct {
	Args   []any  // scalars as YAML decoded them: string, int, float64, bool, nil
	Expect string // rows, no_rows or any
	// Settings are the sample's own session settings, applied after the
	// query's for this execution only.
	Settings []*Setting
	Pos      Pos
}

// A Waiver suppresses findings whose code and object match.
type Waiver struct {
	Code   string // exact code, or "*"
	Object string // a glob (path.Match syntax)
	Reason string
	Until  string // YYYY-MM-DD or ""
	Pos    Pos
}

type lineStart struct {
	offset int // character (rune) offset in SQL of the start of a line
	pos    Pos // file position of that byte
}
