package migrations

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// A nameTool is a tool whose history is a list of migration names and
// nothing else: no checksum, no failed state. Which migrations are pending
// and which rows have no file is all it can tell.
type nameTool struct {
	schema, name string // the history table's default schema (empty: the search_path) and name
	query        string // one text column, the migration's ID, in the order the tool reads it
	cmd          func(dir string) string
	fit          func(dir string, ents []os.DirEntry) bool
	list         func(f *Folder) error
	// normalize maps a recorded ID to the folder's form (Rails compares versions as integers).
	normalize func(id string) string
	// checkOrder: the tool refuses to run while a pending migration sorts before one
	// that ran (node-pg-migrate without --no-check-order).
	checkOrder  string
	unknownHint string
	// split cuts a SQL migration into what the tool sends (dbmate); nil for
	// tools whose migrations are code.
	split func(m *Migration) (*Up, error)
	// keep returns how a SQL tool keeps its history (dbmate); nil for tools
	// whose migrations are code.
	keep func(ref pgx.Identifier) *Ledger
}

func (d nameTool) ledger(f *Folder, ref pgx.Identifier) *Ledger {
	if d.keep == nil {
		return nil
	}
	return d.keep(ref)
}

func (d nameTool) up(m *Migration) (*Up, error) {
	if d.split == nil {
		return nil, fmt.Errorf("applying migration %s: it is code, not SQL", m.File)
	}
	return d.split(m)
}

func (d nameTool) command(dir string) string { return d.cmd(dir) }

func (d nameTool) table(opts Options) pgx.Identifier { return tableRef(opts, d.schema, d.name) }

func (d nameTool) fits(dir string, ents []os.DirEntry) bool { return d.fit(dir, ents) }

func (d nameTool) readFolder(f *Folder) error { return d.list(f) }

func (d nameTool) readHistory(ctx context.Context, q Querier, ref pgx.Identifier, f *Folder, h *History) error {
	rs, err := readRows(ctx, q, d.query, ref, h)
	if err != nil {
		return err
	}
	for _, r := range rs {
		id := text(r[0])
		if d.normalize != nil {
			id = d.normalize(id)
		}
		h.Applied = append(h.Applied, &Applied{ID: id})
	}
	return nil
}

func (d nameTool) compare(f *Folder, h *History) []*Finding {
	ran := map[string]bool{}
	for _, a := range h.Applied {
		ran[a.ID] = true
	}
	lastRan := -1 // index in the folder of the last migration that ran
	for i, m := range f.Migrations {
		if ran[m.ID] {
			lastRan = i
		}
	}
	var out []*Finding
	for i, m := range f.Migrations {
		if ran[m.ID] {
			continue
		}
		hint := ""
		if d.checkOrder != "" && i < lastRan {
			hint = fmt.Sprintf(d.checkOrder, m.ID, f.Migrations[lastRan].ID)
		}
		out = append(out, pending(f, m, hint))
	}
	for _, a := range h.Applied {
		if f.Find(a.ID) == nil {
			u := unknown(f, a, a.ID, "migration "+a.ID)
			if d.unknownHint != "" {
				u.Hint = fmt.Sprintf(d.unknownHint, a.ID)
			}
			out = append(out, u)
		}
	}
	return out
}

// listFiles adds a migration for each regular file of f.Dir that keep
// accepts; keep returns the migration's ID and name.
func listFiles(f *Folder, keep func(file string) (id, name string, ok bool)) error {
	ents, err := os.ReadDir(f.Dir)
	if err != nil {
		return fmt.Errorf("reading %s migrations: %w", f.Tool, err)
	}
	for _, e := range ents {
		if !e.Type().IsRegular() {
			continue
		}
		id, name, ok := keep(e.Name())
		if !ok {
			continue
		}
		path := filepath.Join(f.Dir, e.Name())
		if o := f.Find(id); o != nil {
			return fmt.Errorf("reading %s migrations: %s and %s are both migration %s", f.Tool, o.File, path, id)
		}
		text, err := readFile(path)
		if err != nil {
			return err
		}
		f.Migrations = append(f.Migrations, &Migration{ID: id, Name: name, File: path, SQL: text})
	}
	return nil
}

// anyFileContains reports whether a regular file of dir that match accepts
// holds re.
func anyFileContains(dir string, ents []os.DirEntry, match func(string) bool, re *regexp.Regexp) bool {
	for _, e := range ents {
		if !e.Type().IsRegular() || !match(e.Name()) {
			continue
		}
		if b, err := sniff(filepath.Join(dir, e.Name())); err == nil && re.Match(b) {
			return true
		}
	}
	return false
}

func hasExt(exts ...string) func(string) bool {
	return func(name string) bool { return slices.Contains(exts, filepath.Ext(name)) }
}

// nodePgMigrate follows salsita/node-pg-migrate: src/runner.ts
// (getRunMigrations, getMigrationsToRun, checkOrder), src/migration.ts
// (a migration's name is its file name without the extension) and
// src/utils/comparators.ts (files sorted by their numeric prefix, a 17-digit
// prefix read as a UTC time). The table is pgmigrations(id, name, run_on)
// in the first schema of the search_path option ("public").
var nodePgMigrate = nameTool{
	schema: "public", name: "pgmigrations",
	query: sqlNodePgMigrate,
	cmd:   func(dir string) string { return "npx node-pg-migrate up -m " + dir },
	fit: func(dir string, ents []os.DirEntry) bool {
		return anyFileContains(dir, ents, hasExt(".js", ".cjs", ".mjs", ".ts"), regexp.MustCompile(`\bpgm\s*[.:)]`))
	},
	list: func(f *Folder) error {
		err := listFiles(f, func(file string) (string, string, bool) {
			if strings.HasPrefix(file, ".") {
				return "", "", false
			}
			name := strings.TrimSuffix(file, filepath.Ext(file))
			return name, name, true
		})
		if err != nil {
			return err
		}
		for _, m := range f.Migrations {
			if _, err := nodePgPrefix(m.Name); err != nil {
				return fmt.Errorf("reading node-pg-migrate migration %s: %w", m.File, err)
			}
		}
		slices.SortFunc(f.Migrations, func(a, b *Migration) int {
			x, _ := nodePgPrefix(a.Name)
			y, _ := nodePgPrefix(b.Name)
			if c := cmpInt(x, y); c != 0 {
				return c
			}
			return strings.Compare(a.Name, b.Name)
		})
		return nil
	},
	checkOrder:  "node-pg-migrate up stops with \"Not run migration %s is preceding already run migration %s\": run it with --no-check-order, or give the file a newer prefix",
	unknownHint: "node-pg-migrate up stops on it (its order check finds a run migration without a file): restore the file of %s from the branch that has it, or delete its row from pgmigrations once its changes are undone",
}

// nodePgPrefix is getNumericPrefix: the leading digits, a 17-digit
// prefix read as UTC YYYYMMDDHHMMSSmmm and turned into milliseconds.
func nodePgPrefix(name string) (int64, error) {
	i := 0
	for i < len(name) && name[i] >= '0' && name[i] <= '9' {
		i++
	}
	if i == 0 {
		return 0, fmt.Errorf("cannot determine numeric prefix for %q", name)
	}
	if i == 17 {
		ms, err := drizzleMillis(name[:14])
		if err != nil {
			return 0, err
		}
		frac, _ := strconv.ParseInt(name[14:17], 10, 64)
		return ms + frac, nil
	}
	return strconv.ParseInt(name[:i], 10, 64)
}

// knexExtensions is DEFAULT_LOAD_EXTENSIONS of lib/migrations/common/MigrationsLoader.js.
var knexExtensions = []string{".co", ".coffee", ".eg", ".iced", ".js", ".cjs", ".litcoffee", ".ls", ".ts"}

// knex follows knex/knex: lib/migrations/migrate/sources/fs-migrations.js
// (files with a load extension, sorted by file name; the name recorded is
// the file name with its extension), migration-list-resolver.js
// (SELECT name ORDER BY id) and Migrator.js (getNewMigrations,
// validateMigrationList: a completed migration without a file stops every
// command).
var knex = nameTool{
	name:  "knex_migrations",
	query: sqlKnex,
	cmd:   func(dir string) string { return "npx knex migrate:latest --migrations-directory " + dir },
	fit: func(dir string, ents []os.DirEntry) bool {
		return anyFileContains(dir, ents, hasExt(knexExtensions...), regexp.MustCompile(`\bknex\.schema\b|\(knex\)|Knex\b`))
	},
	list: func(f *Folder) error {
		if err := listFiles(f, func(file string) (string, string, bool) {
			return file, strings.TrimSuffix(file, filepath.Ext(file)), slices.Contains(knexExtensions, filepath.Ext(file))
		}); err != nil {
			return err
		}
		slices.SortFunc(f.Migrations, func(a, b *Migration) int { return strings.Compare(a.ID, b.ID) })
		return nil
	},
	unknownHint: "knex stops every migrate command with \"The migration directory is corrupt, the following files are missing: %s\": restore the file from the branch that has it, or delete its row from knex_migrations once its changes are undone",
}

// sequelizeFile is sequelize-cli's migration pattern (src/core/migrator.js).
var sequelizeFile = regexp.MustCompile(`^.*\.(cjs|js|cts|ts)$`)

// sequelize follows sequelize/cli: src/core/migrator.js (umzug over the
// migrations path with the pattern above) and src/helpers/umzug-helper.js
// (SequelizeStorage, table SequelizeMeta, column name, holding the file name
// with its extension). umzug runs every file not recorded, sorted by name.
var sequelize = nameTool{
	name:  "SequelizeMeta",
	query: sqlSequelize,
	cmd:   func(dir string) string { return "npx sequelize-cli db:migrate --migrations-path " + dir },
	fit: func(dir string, ents []os.DirEntry) bool {
		return anyFileContains(dir, ents, hasExt(".js", ".cjs", ".ts", ".cts"), regexp.MustCompile(`\bqueryInterface\b`))
	},
	list: func(f *Folder) error {
		if err := listFiles(f, func(file string) (string, string, bool) {
			ok := sequelizeFile.MatchString(file) && !strings.HasSuffix(file, ".d.ts")
			return file, strings.TrimSuffix(file, filepath.Ext(file)), ok
		}); err != nil {
			return err
		}
		slices.SortFunc(f.Migrations, func(a, b *Migration) int { return strings.Compare(a.ID, b.ID) })
		return nil
	},
}

// railsFile is ActiveRecord::Migration::MigrationFilenameRegexp.
var railsFile = regexp.MustCompile(`^([0-9]+)_([_a-z0-9]*)\.?([_a-z0-9]*)?\.rb$`)

// rails follows Active Record (rails/rails, activerecord/lib/active_record/
// migration.rb: MigrationFilenameRegexp, MigrationContext#migrations and
// #migrations_status; schema_migration.rb): schema_migrations(version
// varchar) holds the version of each migration that ran, compared as an
// integer; db:migrate runs every file whose version is not there, in
// version order, and db:migrate:status shows a row without a file as
// "NO FILE".
var rails = nameTool{
	name:  "schema_migrations",
	query: sqlRails,
	cmd:   func(string) string { return "bin/rails db:migrate" },
	fit: func(dir string, ents []os.DirEntry) bool {
		return slices.ContainsFunc(ents, func(e os.DirEntry) bool { return railsFile.MatchString(e.Name()) })
	},
	list: func(f *Folder) error {
		if err := listFiles(f, func(file string) (string, string, bool) {
			sub := railsFile.FindStringSubmatch(file)
			if sub == nil {
				return "", "", false
			}
			return railsVersion(sub[1]), strings.TrimSuffix(file, ".rb"), true
		}); err != nil {
			return err
		}
		for _, m := range f.Migrations {
			m.Version, _ = strconv.ParseInt(m.ID, 10, 64)
		}
		slices.SortFunc(f.Migrations, func(a, b *Migration) int { return cmpInt(a.Version, b.Version) })
		return nil
	},
	normalize:   railsVersion,
	unknownHint: "bin/rails db:migrate:status lists version %s as NO FILE: deploy from the branch that has it, or delete its row from schema_migrations once its changes are undone",
}

// railsVersion is String#to_i of a version: leading zeros do not count.
func railsVersion(v string) string {
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return strconv.FormatInt(n, 10)
	}
	return v
}

var (
	// typeormClass finds the class as it is declared, not a word "class"
	// in a comment: exported, implementing MigrationInterface, or opening
	// its body (compiled JavaScript).
	typeormClass = regexp.MustCompile(`(?m)^\s*export\s+(?:default\s+)?class\s+([A-Za-z_$][\w$]*)|\bclass\s+([A-Za-z_$][\w$]*)\s+implements\s+MigrationInterface\b|\bclass\s+([A-Za-z_$][\w$]*)\s*\{`)
	typeormName  = regexp.MustCompile(`(?m)^\s*(?:public\s+|readonly\s+)*name\s*(?::\s*string\s*)?=\s*['"]([^'"]+)['"]`)
)

// typeorm follows typeorm/typeorm: src/migration/MigrationExecutor.ts. A
// migration is a class; its name is its name property or else its class
// name, whose last 13 characters are the timestamp migrations are sorted
// by; the table is migrations(id, timestamp, name) and every migration
// whose name is not there is pending, whatever its timestamp. The classes
// are read from the files of Dir (the folder the data source's migrations
// glob points at) without running them.
var typeorm = nameTool{
	name:  "migrations",
	query: sqlTypeORM,
	cmd:   func(string) string { return "npx typeorm migration:run -d <the data source file>" },
	fit: func(dir string, ents []os.DirEntry) bool {
		return anyFileContains(dir, ents, hasExt(".ts", ".js", ".mts", ".mjs", ".cjs"), regexp.MustCompile(`\bMigrationInterface\b|\bqueryRunner\s*:\s*QueryRunner\b`))
	},
	list: func(f *Folder) error {
		ents, err := os.ReadDir(f.Dir)
		if err != nil {
			return fmt.Errorf("reading typeorm migrations: %w", err)
		}
		for _, e := range ents {
			file := e.Name()
			if !e.Type().IsRegular() || !hasExt(".ts", ".js", ".mts", ".mjs", ".cjs")(file) || strings.HasSuffix(file, ".d.ts") {
				continue
			}
			path := filepath.Join(f.Dir, file)
			text, err := readFile(path)
			if err != nil {
				return err
			}
			name := ""
			if m := typeormName.FindStringSubmatch(text); m != nil {
				name = m[1]
			} else if m := typeormClass.FindStringSubmatch(text); m != nil {
				name = m[1] + m[2] + m[3]
			}
			if name == "" {
				continue // not a migration class
			}
			if len(name) < 13 {
				return fmt.Errorf("reading typeorm migration %s: %s migration name is wrong: it should end in a JavaScript timestamp", path, name)
			}
			ts, err := strconv.ParseInt(name[len(name)-13:], 10, 64)
			if err != nil || ts == 0 {
				return fmt.Errorf("reading typeorm migration %s: %s migration name is wrong: it should end in a JavaScript timestamp", path, name)
			}
			if o := f.Find(name); o != nil {
				return fmt.Errorf("reading typeorm migrations: duplicate migration %s in %s and %s", name, o.File, path)
			}
			f.Migrations = append(f.Migrations, &Migration{ID: name, Name: name, File: path, SQL: text, Version: ts})
		}
		slices.SortStableFunc(f.Migrations, func(a, b *Migration) int { return cmpInt(a.Version, b.Version) })
		return nil
	},
}
