package replay

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/rbacdrift/rbacdrift/internal/migrations"
)

// The tools [Read] can apply are those of internal/migrations' table whose
// migrations are SQL (migrations.SQLNames); the others are named, never run.

// A Plan is what [Apply] runs: a folder's migrations in the order its tool
// applies them, each cut into what the tool sends to the server.
type Plan struct {
	Tool       migrations.Tool
	Dir        string
	Migrations []*Migration
	// OneTransaction: the tool runs every migration in one transaction
	// (drizzle-orm's migrator).
	OneTransaction bool

	setup    string         // creates the tool's history table (history.go)
	history  pgx.Identifier // the tool's history table
	platform *platform      // the hosted platform the migrations assume (platform.go)
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

	before, after string // what the tool writes to its history table around it (history.go)
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
		if tool, err = detect(dir); err != nil {
			return nil, err
		}
	}
	if !migrations.Known(tool) {
		return nil, fmt.Errorf("reading migrations: unknown tool %q (known: %s)", tool, strings.Join(migrations.Names(), ", "))
	}
	if lang := migrations.Language(tool); lang != "" {
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
	p := &Plan{Tool: tool, Dir: dir, OneTransaction: migrations.OneTransaction(tool), platform: platformOf(tool)}
	byFile := map[string]*migrations.Migration{}
	for _, m := range f.Migrations {
		byFile[m.File] = m
		if err := inFolder(dir, m.File, len(m.SQL)); err != nil {
			return nil, err
		}
		if tool == migrations.Goose && strings.HasSuffix(m.File, ".go") {
			return nil, &CodeError{Tool: tool, Dir: dir, File: m.File, Language: "Go", Command: f.Command()}
		}
		up, err := f.UpOf(m)
		if err != nil {
			return nil, err
		}
		pm := &Migration{Name: m.Name, File: m.File, text: m.SQL, Tx: up.Tx}
		for _, st := range up.Statements {
			pm.Chunks = append(pm.Chunks, Chunk{SQL: st.SQL, Off: st.Off})
		}
		p.Migrations = append(p.Migrations, pm)
	}
	p.keepLedger(f, byFile)
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
