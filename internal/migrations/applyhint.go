package migrations

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// How a pending migration's hint says to apply it. A tool's command is
// named as the thing to run only where the project is known to run it so:
// the frameworks whose own command is how their projects migrate (Rails,
// Django, Alembic, the Supabase CLI), or a project file (package.json
// scripts, a Makefile, a justfile, a Procfile, ...) near the folder that
// calls the tool. Elsewhere, since many services apply their migrations
// when they start (goose or golang-migrate embedded in a Go service,
// Flyway in a Spring application), the hint says to apply it as the
// project's deploys do, and gives the tool's command for what it is.

// projectFiles are the files that say how a project runs its migrations.
var projectFiles = []string{"package.json", "Makefile", "makefile", "GNUmakefile", "justfile", "Justfile", "Taskfile.yml", "Procfile", "docker-compose.yml", "compose.yaml"}

// callers are what a project file holds when it runs the tool.
var callers = map[Tool][]string{
	Drizzle: {"drizzle-kit migrate", "drizzle-kit push"}, Prisma: {"prisma migrate deploy", "prisma migrate dev"},
	Goose: {"goose "}, GolangMigrate: {"migrate -path", "migrate -source", "migrate/migrate"}, Flyway: {"flyway "},
	Sqlx: {"sqlx migrate run"}, Dbmate: {"dbmate "}, NodePgMigrate: {"node-pg-migrate"}, Knex: {"knex migrate"},
	Sequelize: {"db:migrate"}, TypeORM: {"migration:run"},
}

// ownCommand: the tools whose projects migrate with the tool's command.
var ownCommand = []Tool{Rails, Django, Alembic, Supabase}

// applyHint is the hint of a pending migration.
func (f *Folder) applyHint() string {
	cmd := f.Command()
	for _, t := range ownCommand {
		if f.Tool == t {
			return "run " + cmd
		}
	}
	if file := f.runBy(); file != "" {
		return fmt.Sprintf("run %s (%s runs %s)", cmd, file, f.Tool)
	}
	return fmt.Sprintf("apply it as this project's deploys apply migrations: %s's command is %s, and a service that migrates when it starts applies it when it next starts", f.Tool, cmd)
}

// runBy returns the project file near the folder (in it or up to three
// folders above) that calls the tool; "" when none does.
func (f *Folder) runBy() string {
	dir := f.Dir
	for range 4 {
		for _, name := range projectFiles {
			p := filepath.Join(dir, name)
			if calls(p, callers[f.Tool]) {
				return p
			}
		}
		if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
			break // the repository's root
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	return ""
}

// calls reports whether the regular file p holds one of words, reading at
// most 1 MiB of it.
func calls(p string, words []string) bool {
	if len(words) == 0 {
		return false
	}
	st, err := os.Lstat(p)
	if err != nil || !st.Mode().IsRegular() {
		return false
	}
	fh, err := os.Open(p)
	if err != nil {
		return false
	}
	defer fh.Close()
	b, _ := io.ReadAll(io.LimitReader(fh, 1<<20))
	for _, w := range words {
		if strings.Contains(string(b), w) {
			return true
		}
	}
	return false
}
