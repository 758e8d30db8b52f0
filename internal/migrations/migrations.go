package migrations

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/rbacdrift/rbacdrift/drift"
	"github.com/rbacdrift/rbacdrift/internal/safefile"
)

// Options say where the migrations are and which tool applies them.
type Options struct {
	// Dir is the migrations folder: drizzle's "out" folder, prisma/migrations,
	// goose's -dir, golang-migrate's -path, a Flyway location, sqlx's
	// --source, the folder of node-pg-migrate, knex, Sequelize or TypeORM
	// migrations, Rails' db/migrate, Alembic's script folder (or its
	// versions/), a Django project (or one app's migrations/).
	Dir string
	// Tool is the tool's name; empty means [Detect] it from Dir.
	Tool Tool
	// Schema and Table name a history table other than the tool's default
	// (drizzle's migrations.schema and migrations.table, goose's -table,
	// golang-migrate's x-migrations-table, Flyway's defaultSchema and table,
	// node-pg-migrate's migrationsSchema and migrationsTable, knex's
	// schemaName and tableName, sequelize-cli's migrationStorageTableSchema
	// and migrationStorageTableName, TypeORM's migrationsTableName, Alembic's
	// version_table_schema and version_table). Either may be empty: an empty
	// Table keeps the tool's table name, an empty Schema the tool's default
	// schema, which for most tools is the first schema of the search_path.
	// The names are used verbatim, never parsed: a dot or a quote is part of
	// the name.
	Schema, Table string
}

// A Migration is one migration of the folder, as the tool sees it.
type Migration struct {
	// ID is what the tool records in its history table to say that this
	// migration ran: the journal tag (drizzle), the folder name (prisma, drizzle
	// 1.0), the version (goose, golang-migrate, sqlx, Flyway versioned
	// migrations) or the description (Flyway repeatable migrations).
	ID string
	// Name is the migration's file or folder name without the extension:
	// 0007_normalise_rbac, 20240105120000_init, V7__normalise_rbac.
	Name string
	// File is the path of the SQL file (a .go file for goose Go migrations).
	File string
	// Checksum is computed from File exactly as the tool computes it: SHA-256
	// hex (drizzle, prisma), SHA-384 hex (sqlx), signed CRC-32 in decimal
	// (Flyway). Empty for tools that keep none.
	Checksum string
	// Version orders migrations for tools that number them; it is 0 for tools
	// ordered by name.
	Version int64
	// When is the drizzle journal's "when" (milliseconds since the epoch), the
	// value drizzle stores in created_at and orders migrations by.
	When int64
	// Repeatable marks a Flyway R__ migration, run again whenever it changes.
	Repeatable bool
	// SQL is the file's text: SQL, or the code of a JavaScript, Python or
	// Ruby migration.
	SQL string

	accept  []string // further checksums the tool accepts (line-ending variants)
	version []int64  // Flyway's dotted version, for ordering
	after   []string // IDs it comes after: Alembic's down_revision and depends_on, Django's replaces

	tool   Tool              // the folder's tool, for [Migration.Changes]
	tables map[string]string // Django: the db_table of the app's models, by lower-cased name
}

// Object returns the finding object for m: migration:0007_normalise_rbac.
func (m *Migration) Object() string { return "migration:" + m.Name }

// Touches lists the objects m creates, alters, drops or grants on, as far
// as [Migration.Changes] can read them.
func (m *Migration) Touches() []Object {
	objs, _ := m.Changes()
	return objs
}

// A Folder is the migrations folder read by [ReadFolder]: its migrations in
// the order the tool applies them.
type Folder struct {
	Tool       Tool
	Dir        string
	Layout     string // drizzle: "journal" (meta/_journal.json) or "folders" (drizzle-kit 1.0)
	Migrations []*Migration
}

// Find returns the migration with the given ID, or nil.
func (f *Folder) Find(id string) *Migration {
	for _, m := range f.Migrations {
		if m.ID == id {
			return m
		}
	}
	return nil
}

// Command returns the command that applies the folder's pending migrations.
func (f *Folder) Command() string { return driverFor(f.Tool).command(f.Dir) }

// An Applied is one row of the history table, as the tool reads it.
type Applied struct {
	// ID matches [Migration.ID]; for drizzle's journal layout, which records
	// no name, it is filled in from the folder by hash or created_at, and is
	// empty when nothing matches.
	ID       string
	Checksum string
	Failed   bool   // failed or dirty: prisma's unfinished row, golang-migrate's dirty flag, success = false
	Detail   string // what else names the row: Flyway's script, sqlx's description, drizzle's created_at and hash
	Logs     string // prisma's logs of a failed migration
	When     int64  // drizzle's created_at
	Version  int64

	kind       string // Flyway's type (SQL, BASELINE, DELETE, ...); goose's "unapplied"
	null       bool   // the checksum column is NULL
	nullWhen   bool   // drizzle's created_at is NULL
	repeatable bool   // a Flyway row without a version
}

// A History is the tool's history table as read by [ReadHistory].
type History struct {
	Tool Tool
	// Table is the history table as the server names it (drizzle.__drizzle_migrations),
	// or as it was looked up when Missing.
	Table string
	// Missing is set when the table does not exist: no migration of this tool
	// ever ran here, or it ran against another schema or database.
	Missing bool
	// Applied holds the rows that say a migration ran (or failed), in the order
	// the tool wrote them. Rows the tool ignores (prisma's rolled-back rows,
	// goose's version 0, superseded goose rows) are left out.
	Applied []*Applied
	// Version is golang-migrate's single version row; -1 when the table is empty.
	Version int64
	// Truncated is set when the table holds more than [MaxHistoryRows] rows:
	// only the first ones, in the tool's order, were read.
	Truncated bool
	// Unreadable describes the rows the tool could not have read either (a
	// version that is not a number), which are left out of Applied.
	Unreadable []string
}

// The bounds of a history table read: it is input, possibly hostile.
const (
	// MaxHistoryRows is how many rows of a history table are read; past it
	// the comparison says the table was cut.
	MaxHistoryRows = 100_000
	// MaxHistoryValue is how many characters of a value are read; a longer
	// one (no file name is) comes cut and marked with "…".
	MaxHistoryValue = 255
	// MaxUnknown is how many migration-unknown findings are listed one by
	// one; one more finding counts the rest.
	MaxUnknown = 20
)

// maxRows is [MaxHistoryRows], a variable so that a test may lower it.
var maxRows = MaxHistoryRows

// A Querier runs a query. *pgx.Conn and pgx.Tx satisfy it. [ReadHistory]
// sends it only SELECTs; the caller is expected to run them inside its own
// READ ONLY transaction.
type Querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// Detect names the tool that owns dir from its layout. When the layout fits
// more than one tool it returns an [*AmbiguousError] listing them; [DetectDB]
// then decides by which history table exists.
func Detect(dir string) (Tool, error) {
	cands, err := candidates(dir)
	if err != nil {
		return "", err
	}
	switch len(cands) {
	case 0:
		return "", fmt.Errorf("detecting the migration tool of %s: no layout of %s found", dir, toolList(Tools()))
	case 1:
		return cands[0], nil
	}
	return "", &AmbiguousError{Dir: dir, Tools: cands}
}

// An AmbiguousError says that a folder's layout fits several tools.
type AmbiguousError struct {
	Dir   string
	Tools []Tool
}

func (e *AmbiguousError) Error() string {
	return fmt.Sprintf("detecting the migration tool of %s: the layout fits %s; name the tool", e.Dir, toolList(e.Tools))
}

// DetectDB is [Detect] told by what the database holds. Every tool whose
// layout the folder has, or looks like (a Supabase folder away from its
// project reads as sqlx's), is a candidate, and its history table is looked
// up with the default names: when exactly one exists, that tool owns the
// folder, whatever the layout alone says; when several exist, the layout's
// own pick wins if it is one of them. When none exists the answer is
// [Detect]'s, and a layout that fits several tools is an [*AmbiguousError].
func DetectDB(ctx context.Context, q Querier, dir string) (Tool, error) {
	tool, detectErr := Detect(dir)
	var amb *AmbiguousError
	if detectErr != nil && !errors.As(detectErr, &amb) {
		return "", detectErr
	}
	pool, err := lookAlikes(dir)
	if err != nil {
		return "", err
	}
	var found []Tool
	for _, t := range pool {
		ref := driverFor(t).table(Options{})
		_, exists, err := lookupTable(ctx, q, ref)
		if err != nil {
			return "", fmt.Errorf("detecting the migration tool of %s: %w", dir, err)
		}
		if exists && !slices.Contains(found, t) {
			found = append(found, t)
		}
	}
	switch {
	case len(found) == 1:
		return found[0], nil
	case len(found) > 1 && detectErr == nil && slices.Contains(found, tool):
		return tool, nil
	case len(found) > 1:
		return "", &AmbiguousError{Dir: dir, Tools: found}
	}
	return tool, detectErr
}

// An alike is a driver whose files a folder may hold without its layout
// fitting: Supabase's, away from supabase/.
type alike interface {
	alike(dir string, ents []os.DirEntry) bool
}

// lookAlikes returns every tool whose layout dir has or looks like, in the
// order of [Tools], markers not preferred.
func lookAlikes(dir string) ([]Tool, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("detecting the migration tool: %w", err)
	}
	var out []Tool
	for _, row := range table {
		a, ok := row.driver.(alike)
		if row.driver.fits(dir, ents) || ok && a.alike(dir, ents) {
			out = append(out, row.tool)
		}
	}
	return out, nil
}

func toolList(ts []Tool) string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = string(t)
	}
	return strings.Join(s, ", ")
}

// candidates returns the tools whose layout dir has, in the order of [Tools].
func candidates(dir string) ([]Tool, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("detecting the migration tool: %w", err)
	}
	var out []Tool
	for _, row := range table {
		if row.driver.fits(dir, ents) {
			if row.marker {
				return []Tool{row.tool}, nil
			}
			out = append(out, row.tool)
		}
	}
	return out, nil
}

// ReadFolder reads the migrations folder. It never touches a database.
func ReadFolder(opts Options) (*Folder, error) {
	tool := opts.Tool
	if tool == "" {
		var err error
		if tool, err = Detect(opts.Dir); err != nil {
			return nil, err
		}
	}
	d := driverFor(tool)
	if d == nil {
		return nil, fmt.Errorf("reading migrations: unknown tool %q (known: %s)", tool, toolList(Tools()))
	}
	// Look before reading: a FIFO, a device or a link out of the folder
	// is refused before any reader opens it.
	if err := InspectFolder(opts.Dir); err != nil {
		return nil, err
	}
	f := &Folder{Tool: tool, Dir: opts.Dir}
	if err := d.readFolder(f); err != nil {
		return nil, err
	}
	for _, m := range f.Migrations {
		if err := inFolder(opts.Dir, m.File, len(m.SQL)); err != nil {
			return nil, err
		}
	}
	var tables map[string]map[string]string
	if tool == Django {
		tables = djangoTables(f.Migrations)
	}
	for _, m := range f.Migrations {
		m.tool = tool
		m.tables = tables[m.app()]
	}
	return f, nil
}

// ReadHistory reads the tool's history table with plain SELECTs. A table that
// does not exist is no error: the History says Missing. f gives the tool and,
// for drizzle's journal layout, the hashes that name the rows.
func ReadHistory(ctx context.Context, q Querier, f *Folder, opts Options) (*History, error) {
	d := driverFor(f.Tool)
	if d == nil {
		return nil, fmt.Errorf("reading migration history: unknown tool %q", f.Tool)
	}
	ref := d.table(opts)
	name, exists, err := lookupTable(ctx, q, ref)
	if err != nil {
		return nil, fmt.Errorf("reading %s history %s: %w", f.Tool, ref.Sanitize(), err)
	}
	h := &History{Tool: f.Tool, Table: name, Version: -1}
	if !exists {
		h.Table = displayName(ref)
		h.Missing = true
		return h, nil
	}
	if err := checkColumns(ctx, q, ref, f.Tool, name); err != nil {
		return nil, err
	}
	if err := d.readHistory(ctx, q, ref, f, h); err != nil {
		return nil, fmt.Errorf("reading %s history %s: %w", f.Tool, name, err)
	}
	return h, nil
}

// Compare says which migrations of f have not run, ran and changed since,
// failed, or ran but are not in the folder, each as the tool decides it.
func Compare(f *Folder, h *History) []*Finding {
	d := driverFor(f.Tool)
	if d == nil {
		return nil
	}
	if h.Missing {
		return []*Finding{historyMissing(f, h, d)}
	}
	out := d.compare(f, h)
	for _, u := range h.Unreadable {
		out = append(out, unreadable(f, h, u))
	}
	out = capUnknown(f, out)
	if h.Truncated {
		out = append(out, truncated(f, h))
	}
	return out
}

// capUnknown keeps the first [MaxUnknown] migration-unknown findings and
// replaces the rest with one that counts them.
func capUnknown(f *Folder, in []*Finding) []*Finding {
	out := in[:0:0]
	n := 0
	for _, fi := range in {
		if fi.Code == drift.MigrationUnknown {
			if n++; n > MaxUnknown {
				continue
			}
		}
		out = append(out, fi)
	}
	if n > MaxUnknown {
		out = append(out, moreUnknown(f, n-MaxUnknown))
	}
	return out
}

// A ColumnsError says that the table named as the tool's history lacks
// columns the tool keeps there: it is another tool's table, or not a
// history table at all. The flags or the model are wrong, not the database.
type ColumnsError struct {
	Tool     Tool
	Table    string   // as the server names it
	Expected []string // the columns the tool reads
	Missing  []string // those the table lacks
	Have     []string // the table's columns
}

func (e *ColumnsError) Error() string {
	return fmt.Sprintf("%s is not %s's history table: it has no column %s (%s's has %s; this one has %s)",
		e.Table, e.Tool, strings.Join(e.Missing, ", "), e.Tool, strings.Join(e.Expected, ", "), strings.Join(e.Have, ", "))
}

// checkColumns returns a [*ColumnsError] when the table lacks a column of
// the tool's.
func checkColumns(ctx context.Context, q Querier, ref pgx.Identifier, t Tool, name string) error {
	rows, err := q.Query(ctx, sqlColumns, ref.Sanitize())
	if err != nil {
		return fmt.Errorf("reading %s history %s: %w", t, name, err)
	}
	have, err := pgx.CollectExactlyOneRow(rows, pgx.RowTo[[]string])
	if err != nil {
		return fmt.Errorf("reading %s history %s: %w", t, name, err)
	}
	want := rowOf(t).columns
	var missing []string
	for _, c := range want {
		if !slices.Contains(have, c) {
			missing = append(missing, c)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return &ColumnsError{Tool: t, Table: name, Expected: want, Missing: missing, Have: have}
}

// lookupTable asks the server whether the table exists, with its name as a
// parameter, and returns its name as the server prints it.
func lookupTable(ctx context.Context, q Querier, ref pgx.Identifier) (string, bool, error) {
	rows, err := q.Query(ctx, sqlLookupTable, ref.Sanitize())
	if err != nil {
		return "", false, err
	}
	name, err := pgx.CollectExactlyOneRow(rows, pgx.RowTo[*string])
	if err != nil {
		return "", false, err
	}
	if name == nil {
		return "", false, nil
	}
	return *name, true, nil
}

// hasColumn reports whether the table has the column.
func hasColumn(ctx context.Context, q Querier, ref pgx.Identifier, col string) (bool, error) {
	rows, err := q.Query(ctx, sqlHasColumn, ref.Sanitize(), col)
	if err != nil {
		return false, err
	}
	return pgx.CollectExactlyOneRow(rows, pgx.RowTo[bool])
}

// selectFrom fills a query template with the table's sanitized name and
// the bounds of the read.
func selectFrom(template string, ref pgx.Identifier) string {
	return strings.NewReplacer(
		"{table}", ref.Sanitize(),
		"{v}", strconv.Itoa(MaxHistoryValue+1),
		"{rows}", strconv.Itoa(maxRows+1),
	).Replace(template)
}

// readRows runs a history query whose columns are all text and returns
// its rows, a NULL as nil, at most maxRows of them; past that it sets
// h.Truncated.
func readRows(ctx context.Context, q Querier, template string, ref pgx.Identifier, h *History) ([][]*string, error) {
	rows, err := q.Query(ctx, selectFrom(template, ref))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][]*string
	for rows.Next() {
		if len(out) == maxRows {
			h.Truncated = true
			break
		}
		vals := make([]*string, len(rows.FieldDescriptions()))
		dest := make([]any, len(vals))
		for i := range vals {
			dest[i] = &vals[i]
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		out = append(out, vals)
	}
	rows.Close()
	return out, rows.Err()
}

// text is a value as read: "" for NULL, cut to [MaxHistoryValue]
// characters and marked with "…" when the server had more.
func text(p *string) string {
	if p == nil {
		return ""
	}
	if utf8.RuneCountInString(*p) <= MaxHistoryValue {
		return *p
	}
	r := []rune(*p)
	return string(r[:MaxHistoryValue]) + "…"
}

// integer parses a value as read; ok is false for NULL or anything but an
// integer.
func integer(p *string) (n int64, ok bool) {
	if p == nil {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.TrimSpace(*p), 10, 64)
	return n, err == nil
}

// boolean is a value as read: true only for the server's true (or 1, t).
func boolean(p *string) bool {
	if p == nil {
		return false
	}
	b, err := strconv.ParseBool(strings.TrimSpace(*p))
	return err == nil && b
}

// shown quotes a value as read for a message: NULL, or the cut text.
func shown(p *string) string {
	if p == nil {
		return "NULL"
	}
	return strconv.Quote(text(p))
}

func displayName(ref pgx.Identifier) string { return strings.Join(ref, ".") }

// tableRef builds the history table's name from the options and the tool's
// defaults; an empty schema means the search_path.
func tableRef(opts Options, schema, table string) pgx.Identifier {
	if opts.Schema != "" {
		schema = opts.Schema
	}
	if opts.Table != "" {
		table = opts.Table
	}
	if schema == "" {
		return pgx.Identifier{table}
	}
	return pgx.Identifier{schema, table}
}

// A driver is one tool's rules.
type driver interface {
	fits(dir string, ents []os.DirEntry) bool
	readFolder(f *Folder) error
	table(opts Options) pgx.Identifier
	readHistory(ctx context.Context, q Querier, ref pgx.Identifier, f *Folder, h *History) error
	compare(f *Folder, h *History) []*Finding
	command(dir string) string
}

// readFile reads a migration file as text: a regular file of at most
// [safefile.MaxMigration].
func readFile(path string) (string, error) {
	b, err := safefile.ReadFile(path, safefile.MaxMigration, "a migration")
	if err != nil {
		return "", fmt.Errorf("reading migration: %w", err)
	}
	return string(b), nil
}

// sqlFiles lists the regular files of dir whose names end in one of exts, sorted by name.
func sqlFiles(dir string, exts ...string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("reading migrations folder: %w", err)
	}
	var out []string
	for _, e := range ents {
		if e.IsDir() {
			continue
		}
		for _, x := range exts {
			if strings.HasSuffix(e.Name(), x) {
				out = append(out, e.Name())
				break
			}
		}
	}
	slices.Sort(out)
	return out, nil
}

// A line is one line of a file, without its terminator, and where it starts.
type line struct {
	text string
	off  int
}

func lines(text string) []line {
	var out []line
	for off := 0; off < len(text); {
		n := strings.IndexByte(text[off:], '\n')
		if n < 0 {
			n = len(text) - off
		}
		out = append(out, line{strings.TrimSuffix(text[off:off+n], "\r"), off})
		off += n + 1
	}
	return out
}

// sniff reads a file a layout is told by (goose's annotations, sqlx's and
// dbmate's markers): a regular file of at most [safefile.MaxMigration].
func sniff(path string) ([]byte, error) {
	return safefile.ReadFile(path, safefile.MaxMigration, "a migration")
}
