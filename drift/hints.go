package drift

import (
	"fmt"
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
	return fmt.Sprintf("%s has %s where the model has %s: the database was migrated to a layout this model (and the application built from it) does not know, or the model is out of date",
		table, list(have), list(want))
}

// HintNotAdded says that the migration that adds table.column has not run.
func HintNotAdded(table, column string) string {
	return fmt.Sprintf("the migration that adds %s.%s has not run on this database", table, column)
}
