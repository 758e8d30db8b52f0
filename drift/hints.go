package drift

import (
	"fmt"
	"regexp"
	"strings"
)

// The look-alike hints: what a finding's hint says when the live catalog
// looks like another version of the declared layout. Each is one function,
// called from every place that gives it, so that the wording is one.

// HintLegacyLayout says that table still has the columns legacy, which the
// model forbids, where it expects introduced: the migration that replaces
// one with the other has not run.
func HintLegacyLayout(table string, legacy, introduced []string) string {
	return fmt.Sprintf("%s still has the denormalised layout %s: the migration that introduces %s has not run on this database",
		table, list(legacy), strings.Join(introduced, ", "))
}

// HintOtherLayout says that table has the columns have, not in the model,
// where the model has want: the database and the model are of different
// versions of the layout.
func HintOtherLayout(table string, have, want []string) string {
	return fmt.Sprintf("%s has %s where the model has %s", table, list(have), list(want)) + otherLayoutTail
}

// otherLayoutTail is what [HintOtherLayout] says when the migration history
// is not known: either side may be ahead.
const otherLayoutTail = ": the database was migrated to a layout this model (and the application built from it) does not know, or the model is out of date"

// notRun finds the clause of a look-alike hint (drift's and the dry run's)
// that blames a migration that has not run.
var notRun = regexp.MustCompile(`the migration that (adds|introduces) (.+?) has not run on this database`)

// HintBehind is hint once the migration history is known to be behind:
// the pending migration explains the finding, so a look-alike hint names
// it and says the database is behind, never that it is ahead.
func HintBehind(hint, migration string) string {
	if strings.HasSuffix(hint, otherLayoutTail) {
		return strings.TrimSuffix(hint, otherLayoutTail) + fmt.Sprintf(": the database is behind: migration %s has not run on it", migration)
	}
	return notRun.ReplaceAllString(hint, "migration "+migration+", which $1 $2, has not run on this database")
}

// HintAllRan is hint once the migration history says every migration of
// the folder ran here: the database is as the migrations make it, so where
// it differs from the model, the model (or the code built from it) is
// behind the migrations, or ahead of them with a migration not yet written.
func HintAllRan(hint string) string {
	const ran = "every migration of the folder has run on this database"
	if strings.HasSuffix(hint, otherLayoutTail) {
		return strings.TrimSuffix(hint, otherLayoutTail) + ": " + ran + ", so the model (and the code built from it) is behind the migrations: update the model"
	}
	return notRun.ReplaceAllString(hint, ran+" and none $1 $2: the model is ahead of the migrations (a migration not yet written), or the change was undone by hand")
}

// HintNotAdded says that the migration that adds table.column has not run.
func HintNotAdded(table, column string) string {
	return fmt.Sprintf("the migration that adds %s.%s has not run on this database", table, column)
}
