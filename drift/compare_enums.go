package drift

import (
	"fmt"
	"slices"

	"github.com/rbacdrift/rbacdrift/spec"
)

func (c *comparer) enum(e *spec.Enum) {
	obj := e.Name.String()
	subj := "enum " + obj
	l := c.Catalog.Enums[relName(e.Name)]
	switch {
	case l == nil:
		c.add(&Finding{Code: MissingEnum, Object: obj, Subject: subj, Expected: "enum " + list(e.Labels), Actual: "none",
			Message: fmt.Sprintf("enum type %s does not exist", obj),
			Hint:    fmt.Sprintf("the migration that creates it has not run: CREATE TYPE %s AS ENUM %s", QuoteName(e.Name), quoteLabels(e.Labels))}, e.Pos)
		return
	case !l.IsEnum:
		c.add(&Finding{Code: MissingEnum, Object: obj, Subject: subj, Expected: "enum", Actual: "another kind of type",
			Message: fmt.Sprintf("type %s exists but is not an enum", obj),
			Hint:    "a domain or composite type took the enum's name; values the application sends may be accepted without the enum's check"}, e.Pos)
		return
	}
	if e.Labels == nil {
		return
	}
	_, missing, extra := match(e.Labels, l.Labels, identity[string], identity[string])
	for _, m := range missing {
		c.add(&Finding{Code: EnumLabelMissing, Object: obj, Subject: subj, Expected: m, Actual: "none",
			Message: fmt.Sprintf("enum %s has no label %q", obj, m),
			Hint:    fmt.Sprintf("writing %q fails with 22P02 and reads never match it; ALTER TYPE %s ADD VALUE %s", m, QuoteName(e.Name), QuoteLiteral(m))}, e.Pos)
	}
	for _, x := range extra {
		c.add(&Finding{Code: EnumLabelUnexpected, Object: obj, Subject: subj, Expected: "none", Actual: x,
			Message: fmt.Sprintf("enum %s has label %q, which the model does not declare", obj, x),
			Hint:    "rows may hold a value the application does not know; declare it in the model and handle it in the code"}, e.Pos)
	}
	if len(missing) == 0 && len(extra) == 0 && !slices.Equal(e.Labels, l.Labels) {
		c.add(&Finding{Code: EnumLabelOrder, Object: obj, Subject: subj, Expected: list(e.Labels), Actual: list(l.Labels),
			Message: fmt.Sprintf("enum %s labels are in the order %s, the model says %s", obj, list(l.Labels), list(e.Labels)),
			Hint:    "comparisons (scope >= 'org') and ORDER BY follow the label order; re-create the type in the declared order"}, e.Pos)
	}
}
