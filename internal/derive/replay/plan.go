package replay

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/rbacdrift/rbacdrift/internal/migrations"
	"github.com/rbacdrift/rbacdrift/internal/safefile"
)

// Dbmate is the tool name of dbmate (amacneil/dbmate), which
// internal/migrations does not read: this package orders its folder itself.
const Dbmate migrations.Tool = "dbmate"

// Tools lists the tools whose migrations [Read] can apply: those of
// internal/migrations whose migrations are SQL, and dbmate.
var Tools = []migrations.Tool{migrations.Drizzle, migrations.Prisma, migrations.Goose, migrations.GolangMigrate, migrations.Flyway, migrations.Sqlx, Dbmate}

// A Plan is what [Apply] runs: a folder's migrations in the order its tool
// applies them, each cut into what the tool sends to the server.
type Plan struct {
	Tool       migrations.Tool
	Dir        string
	Migrations []*Migration
	// OneTransaction: the tool runs every migration in one transaction
	// (drizzle-orm's migrator).
	OneTransaction bool
}

// A Migration is one migration of a [Plan].
type Migration struct {
	Name string // the migration's name, as the tool reports it
	File string // its SQL file
	// Chunks are sent one by one, each as one simple query (which the server
	// runs as one implicit transaction when it holds several statements).
	Chunks []Chunk
	// Tx: the chunks run inside BEGIN and COMMIT (goose, dbmate, unless the
	// file opts out; drizzle's are covered by [Plan.OneTransaction]).
	Tx bool

	text string // the whole file, to map a server's error position
}

// A Chunk is one query of a migration: its text and where it starts in the file.
type Chunk struct {
	SQL string
	Off int // byte offset of SQL in the file
}

// A CodeError says that a folder's migrations are code (JavaScript, Python,
// Ruby, Go), which this package never runs.
type CodeError struct {
	Tool     migrations.Tool
	Dir      string
	File     string // the code migration, when the folder mixes SQL and code (goose)
	Language string
	Command  string // what applies them, from internal/migrations
}

func (e *CodeError) Error() string {
	what := fmt.Sprintf("the migrations in %s are %s migrations written in %s", e.Dir, e.Tool, e.Language)
	if e.File != "" {
		what = fmt.Sprintf("%s is a %s migration written in %s", e.File, e.Tool, e.Language)
	}
	return what + ": rbacdrift applies only SQL migrations, and never runs the application's code"
}

// Hint says what to do instead.
func (e *CodeError) Hint() string {
	cmd := e.Command
	if cmd == "" {
		cmd = "the tool"
	}
	return fmt.Sprintf("migrate a fresh, empty database with %s, then take the model from it with 'rbacdrift snapshot --db URL'", cmd)
}

// codeLanguage is the language each code-migration tool is written in.
var codeLanguage = map[migrations.Tool]string{
	migrations.NodePgMigrate: "JavaScript",
	migrations.Knex:          "JavaScript",
	migrations.Sequelize:     "JavaScript",
	migrations.TypeORM:       "TypeScript or JavaScript",
	migrations.Rails:         "Ruby",
	migrations.Alembic:       "Python",
	migrations.Django:        "Python",
}

// Read reads the migrations folder dir of tool (empty: detected from the
// layout, dbmate included) and returns the plan that applies them. It never
// touches a database.
func Read(dir string, tool migrations.Tool) (*Plan, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("reading migrations: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("reading migrations: %s is not a folder", dir)
	}
	if err := inspectFolder(dir); err != nil {
		return nil, err
	}
	if tool == "" {
		if isDbmate(dir) {
			tool = Dbmate
		} else if tool, err = detect(dir); err != nil {
			return nil, err
		}
	}
	if tool == Dbmate {
		return readDbmate(dir)
	}
	if !slices.Contains(migrations.Tools, tool) {
		return nil, fmt.Errorf("reading migrations: unknown tool %q (known: %s)", tool, toolList())
	}
	if lang, ok := codeLanguage[tool]; ok {
		e := &CodeError{Tool: tool, Dir: dir, Language: lang}
		if f, err := migrations.ReadFolder(migrations.Options{Dir: dir, Tool: tool}); err == nil {
			e.Command = f.Command()
		}
		return nil, e
	}
	f, err := migrations.ReadFolder(migrations.Options{Dir: dir, Tool: tool})
	if err != nil {
		return nil, err
	}
	if len(f.Migrations) == 0 {
		return nil, fmt.Errorf("reading migrations: no %s migration in %s", tool, dir)
	}
	p := &Plan{Tool: tool, Dir: dir, OneTransaction: tool == migrations.Drizzle}
	for _, m := range f.Migrations {
		if err := inFolder(dir, m.File, len(m.SQL)); err != nil {
			return nil, err
		}
		pm := &Migration{Name: m.Name, File: m.File, text: m.SQL}
		switch tool {
		case migrations.Goose:
			if strings.HasSuffix(m.File, ".go") {
				return nil, &CodeError{Tool: tool, Dir: dir, File: m.File, Language: "Go", Command: f.Command()}
			}
			if err := gooseUp(pm); err != nil {
				return nil, err
			}
		case migrations.Drizzle:
			pm.Chunks = drizzleChunks(m.SQL)
		default:
			// Prisma, golang-migrate (the .up.sql files), Flyway and sqlx
			// send each file as it is.
			pm.Chunks = []Chunk{{SQL: m.SQL}}
		}
		p.Migrations = append(p.Migrations, pm)
	}
	return p, nil
}

// detect is [migrations.Detect], which cannot tell a folder of .up.sql and
// .down.sql pairs as golang-migrate keeps them from one of sqlx's reversible
// migrations; both tools apply the same files, each as one query, in the
// same order, so it makes no difference here and the folder is read as
// golang-migrate's.
func detect(dir string) (migrations.Tool, error) {
	tool, err := migrations.Detect(dir)
	var amb *migrations.AmbiguousError
	if !errors.As(err, &amb) || !slices.Equal(amb.Tools, []migrations.Tool{migrations.GolangMigrate, migrations.Sqlx}) {
		return tool, err
	}
	gm, err1 := migrations.ReadFolder(migrations.Options{Dir: dir, Tool: migrations.GolangMigrate})
	sx, err2 := migrations.ReadFolder(migrations.Options{Dir: dir, Tool: migrations.Sqlx})
	if err1 != nil || err2 != nil || !slices.EqualFunc(gm.Migrations, sx.Migrations, func(a, b *migrations.Migration) bool { return a.File == b.File }) {
		return "", err
	}
	return migrations.GolangMigrate, nil
}

func toolList() string {
	var s []string
	for _, t := range migrations.Tools {
		s = append(s, string(t))
	}
	return strings.Join(append(s, string(Dbmate)), ", ")
}

// drizzleBreakpoint separates the statements of a drizzle-kit migration;
// drizzle-orm's migrator (readMigrationFiles) splits the file at it and runs
// each part as a query of its own.
const drizzleBreakpoint = "--> statement-breakpoint"

func drizzleChunks(text string) []Chunk {
	var out []Chunk
	off := 0
	for {
		i := strings.Index(text[off:], drizzleBreakpoint)
		end := len(text)
		if i >= 0 {
			end = off + i
		}
		if strings.TrimSpace(text[off:end]) != "" {
			out = append(out, Chunk{SQL: text[off:end], Off: off})
		}
		if i < 0 {
			return out
		}
		off = end + len(drizzleBreakpoint)
	}
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

// gooseAnnotation reads a "-- +goose ..." line: the annotation, upper-cased,
// or "".
func gooseAnnotation(l string) string {
	rest, ok := strings.CutPrefix(strings.TrimSpace(l), "--")
	if !ok {
		return ""
	}
	rest, ok = strings.CutPrefix(strings.TrimSpace(rest), "+goose ")
	if !ok {
		return ""
	}
	return strings.ToUpper(strings.Join(strings.Fields(rest), " "))
}

// gooseUp cuts the Up part of a goose SQL migration into the statements
// goose sends (pressly/goose internal/sqlparser): a statement ends at a line
// that ends with a semicolon, or at StatementEnd when it began with
// StatementBegin; each is a query of its own, all in one transaction unless
// the file says NO TRANSACTION.
func gooseUp(m *Migration) error {
	m.Tx = true
	up, inBlock, seenUp := false, false, false
	start := -1 // offset where the current statement starts
	flush := func(end int) {
		if start >= 0 && strings.TrimSpace(m.text[start:end]) != "" {
			m.Chunks = append(m.Chunks, Chunk{SQL: m.text[start:end], Off: start})
		}
		start = -1
	}
	for _, l := range lines(m.text) {
		end := l.off + len(l.text)
		switch a := gooseAnnotation(l.text); {
		case a == "UP":
			flush(l.off)
			up, seenUp = true, true
			continue
		case a == "DOWN":
			flush(l.off)
			up = false
			continue
		case a == "NO TRANSACTION":
			m.Tx = false
			continue
		case a == "STATEMENTBEGIN":
			flush(l.off)
			inBlock = true
			continue
		case a == "STATEMENTEND":
			if up {
				flush(l.off)
			}
			inBlock = false
			continue
		case a != "":
			continue // ENVSUB ON/OFF and the like
		}
		if !up {
			continue
		}
		if start < 0 {
			if strings.TrimSpace(l.text) == "" || strings.HasPrefix(strings.TrimSpace(l.text), "--") {
				continue
			}
			start = l.off
		}
		if !inBlock && strings.HasSuffix(strings.TrimSpace(stripLineComment(l.text)), ";") {
			flush(end)
		}
	}
	if up {
		flush(len(m.text))
	}
	if !seenUp {
		return fmt.Errorf("reading goose migration %s: no -- +goose Up annotation", m.File)
	}
	return nil
}

// stripLineComment removes a trailing -- comment outside quotes, as goose
// does before looking for the semicolon.
func stripLineComment(l string) string {
	inQuote := byte(0)
	for i := 0; i < len(l); i++ {
		c := l[i]
		switch {
		case inQuote != 0:
			if c == inQuote {
				inQuote = 0
			}
		case c == '\'' || c == '"':
			inQuote = c
		case c == '-' && i+1 < len(l) && l[i+1] == '-':
			return l[:i]
		}
	}
	return l
}

// dbmateFile is a dbmate migration's name: a version, an underscore, a name.
var dbmateFile = regexp.MustCompile(`^([0-9]+)_.*\.sql$`)

// dbmateDirective matches dbmate's section markers (pkg/dbmate/migration.go):
// "-- migrate:up" or "-- migrate:down", with options such as transaction:false.
var dbmateDirective = regexp.MustCompile(`^--\s*migrate:(up|down)\b(.*)$`)

// isDbmate reports whether dir holds a dbmate migration: a versioned .sql
// file with a -- migrate:up section.
func isDbmate(dir string) bool {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, e := range ents {
		if e.IsDir() || !dbmateFile.MatchString(e.Name()) {
			continue
		}
		if b, err := safefile.ReadFileIn(dir, e.Name(), safefile.MaxMigration, "a migration"); err == nil {
			for _, l := range lines(string(b)) {
				if m := dbmateDirective.FindStringSubmatch(strings.TrimSpace(l.text)); m != nil && m[1] == "up" {
					return true
				}
			}
		}
	}
	return false
}

// readDbmate reads a dbmate folder (db/migrations by default): files
// <version>_<name>.sql applied in version order, which for dbmate's
// timestamps is name order; of each, the part after "-- migrate:up" and
// before "-- migrate:down", in one transaction unless the up line says
// transaction:false.
func readDbmate(dir string) (*Plan, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("reading dbmate migrations: %w", err)
	}
	p := &Plan{Tool: Dbmate, Dir: dir}
	versions := map[string]string{}
	for _, e := range ents { // os.ReadDir sorts by name
		sub := dbmateFile.FindStringSubmatch(e.Name())
		if e.IsDir() || sub == nil {
			continue
		}
		path := filepath.Join(dir, e.Name())
		if o, ok := versions[sub[1]]; ok {
			return nil, fmt.Errorf("reading dbmate migrations: %s and %s have the same version %s", o, path, sub[1])
		}
		versions[sub[1]] = path
		b, err := safefile.ReadFileIn(dir, e.Name(), safefile.MaxMigration, "a migration")
		if err != nil {
			return nil, fmt.Errorf("reading dbmate migration: %w", err)
		}
		m := &Migration{Name: strings.TrimSuffix(e.Name(), ".sql"), File: path, text: string(b), Tx: true}
		start, end := -1, len(m.text)
		for _, l := range lines(m.text) {
			d := dbmateDirective.FindStringSubmatch(strings.TrimSpace(l.text))
			if d != nil && d[1] == "up" && start < 0 {
				start = l.off + len(l.text)
				m.Tx = !strings.Contains(d[2], "transaction:false")
			} else if d != nil && d[1] == "down" && start >= 0 {
				end = l.off
				break
			}
		}
		if start < 0 {
			return nil, fmt.Errorf("reading dbmate migration %s: no -- migrate:up section", path)
		}
		if strings.TrimSpace(m.text[start:end]) != "" {
			m.Chunks = []Chunk{{SQL: m.text[start:end], Off: start}}
		}
		p.Migrations = append(p.Migrations, m)
	}
	if len(p.Migrations) == 0 {
		return nil, fmt.Errorf("reading migrations: no dbmate migration in %s", dir)
	}
	return p, nil
}
