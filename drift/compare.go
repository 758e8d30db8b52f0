package drift

import (
	"fmt"
	"strings"

	"github.com/rbacdrift/rbacdrift/introspect/catalog"
	"github.com/rbacdrift/rbacdrift/spec"
)

// Input is what [Compare] compares.
type Input struct {
	Model   *spec.Model
	Catalog *catalog.Catalog
	// Types maps each declared type name to the server's reading of it;
	// UnknownTypes maps the names the server does not know to its message.
	Types        map[string]catalog.Type
	UnknownTypes map[string]string
	// RunAs, when set, is the role the queries run as in place of the
	// model's run_as (the catalog must have been read for it:
	// [catalog.Request.RunAs]).
	RunAs string
}

// Compare returns the findings of the model against the catalog, sorted.
func Compare(in Input) []*Finding {
	c := &comparer{Input: in}
	for _, t := range in.Model.Tables {
		c.table(t)
	}
	for _, e := range in.Model.Enums {
		c.enum(e)
	}
	for _, f := range in.Model.Functions {
		c.function(f)
	}
	for _, q := range in.Model.Sequences {
		c.declaredSequence(q)
	}
	c.roleSettings()
	c.defaultPrivileges()
	c.bypassMembership()
	Sort(c.out)
	return c.out
}

type comparer struct {
	Input
	out   []*Finding
	exact bool // the grants of the table being compared are exact
}

func (c *comparer) add(f *Finding, p spec.Pos) {
	if f.Severity == "" {
		f.Severity = Info(f.Code).Severity
	}
	c.out = append(c.out, f.At(p))
}

func relName(n spec.Name) catalog.Name { return catalog.Name{Schema: n.Schema, Name: n.Name} }

func (c *comparer) table(t *spec.Table) {
	obj := t.Name.String()
	r := c.Catalog.Relations[relName(t.Name)]
	if r == nil {
		f := &Finding{Code: MissingTable, Object: obj, Subject: obj, Expected: t.Kind, Actual: "none",
			Message: fmt.Sprintf("%s %s does not exist", kindWord(t.Kind), obj)}
		if others := c.Catalog.Elsewhere[relName(t.Name)]; len(others) > 0 {
			var where []string
			for _, o := range others {
				where = append(where, fmt.Sprintf("%s (%s%s)", o.Name, kindWord(o.Kind), rowsWord(o.EstimatedRows)))
			}
			f.Hint = fmt.Sprintf("a relation of that name exists elsewhere: %s; if it was moved, move it back (ALTER TABLE ... SET SCHEMA %s) or point the model and the application's search_path at it",
				strings.Join(where, ", "), QuoteIdent(t.Name.Schema))
		} else {
			f.Hint = fmt.Sprintf("the migration that creates %s has not run on this database, or the application expects another schema", obj)
		}
		c.add(f, t.Pos)
		return
	}
	if !kindMatches(t.Kind, r.Kind) {
		f := &Finding{Code: WrongRelationKind, Object: obj, Subject: obj, Expected: t.Kind, Actual: r.Kind,
			Message: fmt.Sprintf("%s is a %s, the model declares a %s", obj, kindWord(r.Kind), kindWord(t.Kind))}
		switch r.Kind {
		case catalog.KindView, catalog.KindMaterializedView:
			f.Hint = "a view is not a table: it may filter rows away (the application would load an empty policy) and writes through it land elsewhere; restore the table the view replaced"
		default:
			f.Hint = fmt.Sprintf("restore the %s, or declare kind: %s if the application really uses a %s", kindWord(t.Kind), r.Kind, kindWord(r.Kind))
		}
		p := t.KindPos
		if p.Line == 0 {
			p = t.Pos
		}
		c.add(f, p)
	}
	c.columns(t, r)
	c.keys(t, r)
	c.privileges(t, r)
	c.rlsBypassed(t, r)
	c.sequences(t, r)
}

func kindMatches(declared, live string) bool {
	if declared == catalog.KindTable {
		return live == catalog.KindTable || live == catalog.KindPartitionedTable
	}
	return declared == live
}

func kindWord(k string) string { return strings.ReplaceAll(k, "_", " ") }

func rowsWord(n float64) string {
	if n < 0 {
		return ""
	}
	return fmt.Sprintf(", about %.0f rows", n)
}
