package spec

import (
	"fmt"
	"strings"
)

// An Error is one problem in a model or query file.
type Error struct {
	Pos   Pos
	Field string // dotted path of the field, e.g. tables.role_permissions.columns.scope.type; "" for the file itself
	Msg   string
}

func (e *Error) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("%s: %s", e.Pos, e.Msg)
	}
	return fmt.Sprintf("%s: %s: %s", e.Pos, e.Field, e.Msg)
}

// Errors is every problem found in one model, in file order.
type Errors []*Error

func (es Errors) Error() string {
	var b strings.Builder
	for i, e := range es {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}
