package check

import (
	"fmt"
	"slices"
	"strings"

	"github.com/rbacdrift/rbacdrift/drift"
	"github.com/rbacdrift/rbacdrift/spec"
)

// Which side is behind.
//
// When a model's tables come from the application's code (tables_from:
// drizzle or prisma, or check --from-drizzle / --from-prisma), a mismatch
// between a table and the database means that one of the two is behind the
// other, and the fix is on that side. [direct] says which where it can be
// known, from what the check found:
//
//   - a migration that has not run explains the finding (ExplainedBy, set
//     by the migrations comparison): the database is behind;
//   - the migrations history was compared and nothing pending explains it:
//     every migration ran, so the code still has the old layout: the code
//     is behind;
//   - without a history: a table whose database columns the code does not
//     declare was migrated to a layout the code does not know, so the code
//     is behind; one that only lacks what the code declares has a change
//     that has not reached the database yet: the database is behind.
//
// It only adds to the message and the hint; codes, severities and objects
// are unchanged.

// shapeCodes are the findings about a table's shape, where code and
// database can disagree.
var shapeCodes = []drift.Code{drift.MissingTable, drift.MissingColumn, drift.UnexpectedColumn, drift.TypeMismatch,
	drift.NullabilityMismatch, drift.DefaultMismatch, drift.IdentityMismatch, drift.PrimaryKeyMismatch,
	drift.MissingUnique, drift.MissingForeignKey, drift.ForeignKeyMismatch, drift.MissingIndex, drift.IndexMismatch,
	drift.MissingUniqueIndex, drift.MissingEnum, drift.EnumLabelMissing, drift.EnumLabelUnexpected, drift.EnumLabelOrder}

// The sides [direct] can name.
const (
	behindDatabase = "database"
	behindCode     = "code"
)

// direct adds to each shape finding of a table derived from code which
// side is behind, when it can be known; compared says whether the
// migrations history was compared with the folder.
func direct(m *spec.Model, findings []*drift.Finding, compared bool) {
	tf := m.TablesFrom
	if tf == nil || tf.Kind() == "migrations" {
		return
	}
	bySubject := map[string][]*drift.Finding{}
	for _, f := range findings {
		if slices.Contains(shapeCodes, f.Code) && f.Suppressed == nil {
			bySubject[f.Subject] = append(bySubject[f.Subject], f)
		}
	}
	for subject, fs := range bySubject {
		code := codeFile(m, subject, tf)
		extra := slices.ContainsFunc(fs, func(f *drift.Finding) bool {
			return f.Code == drift.UnexpectedColumn || f.Code == drift.EnumLabelUnexpected
		})
		for _, f := range fs {
			side, why := "", ""
			switch {
			case f.ExplainedBy != "":
				side, why = behindDatabase, strings.TrimPrefix(f.ExplainedBy, "migration:")+" has not run"
			case compared:
				side, why = behindCode, "every migration ran"
			case extra:
				side, why = behindCode, "the database has columns the code does not declare: it was migrated to a layout the code does not know"
			default:
				side, why = behindDatabase, "the code declares what the database does not have yet"
			}
			f.Message += fmt.Sprintf("; the %s is behind (%s)", side, why)
			if side == behindCode {
				f.Hint = fmt.Sprintf("update %s to match the database, then regenerate its migrations; if the code is right, migrate the database instead. %s", code, f.Hint)
			} else {
				f.Hint = fmt.Sprintf("migrate the database to what %s declares (drizzle-kit migrate or push, prisma migrate deploy); %s", code, f.Hint)
			}
		}
	}
}

// codeFile names the code that declares subject's table: the file its
// position points at, else the source tables_from names.
func codeFile(m *spec.Model, subject string, tf *spec.TablesFrom) string {
	for _, t := range m.Tables {
		if t.Name.String() == subject && t.Pos.File != "" && t.Pos.Line > 0 {
			return t.Pos.File
		}
	}
	return tf.Path()
}
