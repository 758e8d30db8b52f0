package migrations

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/rbacdrift/rbacdrift/drift"
)

// A Finding is one way the database's migration history differs from the
// folder.
type Finding struct {
	// Code is one of drift's migration-* codes, whose registry
	// (drift.Codes) documents them; Severity is the code's.
	Code     drift.Code
	Severity drift.Severity
	Object   string // migration:0007_normalise_rbac, or the history table for migration-history-missing
	Expected string
	Actual   string
	Message  string
	Hint     string
	File     string // the migration file; the folder for migration-unknown and migration-history-missing
	// Migration is the folder's migration the finding is about; nil for
	// migration-unknown and migration-history-missing.
	Migration *Migration
	// Applied is the history row the finding is about, when there is one.
	Applied *Applied
}

func pending(f *Folder, m *Migration, hint string) *Finding {
	if hint == "" {
		hint = f.applyHint()
	}
	return &Finding{
		Code: drift.MigrationPending, Severity: drift.MigrationPending.Severity(), Object: m.Object(), File: m.File, Migration: m,
		Expected: "applied", Actual: "not applied",
		Message: fmt.Sprintf("migration %s has not run on this database", m.Name),
		Hint:    hint,
	}
}

// unknown reports a history row without a migration in the folder; name
// goes into the object (migration:name), what into the message.
func unknown(f *Folder, a *Applied, name, what string) *Finding {
	if name == "" {
		name = "(no name)"
	}
	return &Finding{
		Code: drift.MigrationUnknown, Severity: drift.MigrationUnknown.Severity(), Object: "migration:" + name, File: f.Dir, Applied: a,
		Expected: "a file in " + f.Dir, Actual: "applied",
		Message: fmt.Sprintf("%s ran on this database but is not in %s", what, f.Dir),
		Hint:    "the database is ahead of this checkout, or a migration of another branch ran here: deploy from the branch that has it, or remove its history row once its changes are undone",
	}
}

func modified(f *Folder, m *Migration, a *Applied, hint string) *Finding {
	ran := "checksum " + a.Checksum + " (as it ran)"
	if a.null {
		ran = "no checksum (the history row's is NULL)"
	}
	return &Finding{
		Code: drift.MigrationModified, Severity: drift.MigrationModified.Severity(), Object: m.Object(), File: m.File, Migration: m, Applied: a,
		Expected: ran, Actual: "checksum " + m.Checksum + " (the file now)",
		Message: fmt.Sprintf("migration %s was changed after it ran: the database has the version it ran, not the file's", m.Name),
		Hint:    hint,
	}
}

func failed(f *Folder, m *Migration, a *Applied, hint string) *Finding {
	fi := &Finding{
		Code: drift.MigrationFailed, Severity: drift.MigrationFailed.Severity(), File: f.Dir, Migration: m, Applied: a,
		Expected: "applied", Actual: "failed",
		Hint: hint,
	}
	name := a.ID
	if m != nil {
		name, fi.File = m.Name, m.File
	}
	fi.Object = "migration:" + name
	fi.Message = fmt.Sprintf("migration %s failed part way: its changes may be half applied and the tool refuses to run further migrations", name)
	if d := strings.TrimSpace(a.Logs); d != "" {
		fi.Actual = "failed: " + firstLine(d)
	}
	return fi
}

func historyMissing(f *Folder, h *History, d driver) *Finding {
	return &Finding{
		Code: drift.MigrationHistoryMissing, Severity: drift.MigrationHistoryMissing.Severity(), Object: "table:" + h.Table, File: f.Dir,
		Expected: fmt.Sprintf("%s's history table %s", f.Tool, h.Table), Actual: "no such table",
		Message: fmt.Sprintf("%s's history table %s does not exist: no migration of %s has run on this database (%d in the folder)", f.Tool, h.Table, f.Dir, len(f.Migrations)),
		Hint:    fmt.Sprintf("if the tool keeps its history under another name or schema, name it; otherwise run %s", d.command(f.Dir)),
	}
}

// unreadable reports a history row the tool could not read either.
func unreadable(f *Folder, h *History, what string) *Finding {
	return &Finding{
		Code: drift.MigrationUnknown, Severity: drift.MigrationUnknown.Severity(), Object: "table:" + h.Table, File: f.Dir,
		Expected: "a history row " + string(f.Tool) + " can read", Actual: what,
		Message: fmt.Sprintf("%s holds a row %s could not read (%s); it was left out of the comparison", h.Table, f.Tool, what),
		Hint:    "find out what wrote it: the table is " + string(f.Tool) + "'s and only the tool should write to it",
	}
}

// moreUnknown counts the migration-unknown findings past [MaxUnknown].
func moreUnknown(f *Folder, n int) *Finding {
	return &Finding{
		Code: drift.MigrationUnknown, Severity: drift.MigrationUnknown.Severity(), Object: "migration:(" + strconv.Itoa(n) + " more)", File: f.Dir,
		Expected: "a file in " + f.Dir, Actual: "applied",
		Message: fmt.Sprintf("and %d more migrations ran on this database but are not in %s (only the first %d are listed)", n, f.Dir, MaxUnknown),
		Hint:    "the folder may not be this database's, or the history table another tool's: check the migrations folder and the history table named",
	}
}

// truncated says that the history table was read only up to [MaxHistoryRows].
func truncated(f *Folder, h *History) *Finding {
	return &Finding{
		Code: drift.MigrationUnknown, Severity: drift.MigrationUnknown.Severity(), Object: "table:" + h.Table, File: f.Dir,
		Expected: fmt.Sprintf("at most %d rows", MaxHistoryRows), Actual: fmt.Sprintf("more than %d rows", maxRows),
		Message: fmt.Sprintf("%s has more than %d rows: only the first %d were read, so migrations recorded past them may be reported as pending", h.Table, maxRows, maxRows),
		Hint:    "no migrations folder has this many migrations: check that the history table named is this tool's",
	}
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
