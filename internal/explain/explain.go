// Package explain plans a prepared statement the way the dry run and the
// harvest do, and reads what the plan says: the statement that asks
// (EXPLAIN (VERBOSE, FORMAT JSON) EXECUTE with NULL arguments, under a
// generic plan) and the relations its nodes scan or modify.
package explain

import (
	"encoding/json"
	"fmt"
	"strings"
)

// PlanCacheMode makes EXPLAIN EXECUTE plan generically: with custom plans
// the NULL arguments fold every filter to false. It exists from PostgreSQL
// 12, where EXPLAIN (GENERIC_PLAN) needs 16.
const PlanCacheMode = "SET LOCAL plan_cache_mode = force_generic_plan"

// SQL plans the prepared statement name with n NULL arguments.
func SQL(name string, n int) string {
	args := ""
	if n > 0 {
		args = "(" + strings.TrimSuffix(strings.Repeat("NULL, ", n), ", ") + ")"
	}
	return "EXPLAIN (VERBOSE, FORMAT JSON) EXECUTE " + name + args
}

// A Plan is what the dry run and the harvest read from a plan.
type Plan struct {
	// Relations lists every relation a plan node scans or modifies, in
	// plan order, once each (a relation scanned and modified is listed
	// twice: once with its operation).
	Relations []Relation
	// ConstantFalse is set when a node's filter is constant false: the
	// plan returns no row whatever the arguments (with a generic plan,
	// NULL arguments do not fold, so this comes from the SQL or from
	// row-level security that lets no row through).
	ConstantFalse bool
}

// A Relation is a relation a plan node reads, or writes (Operation set on
// a ModifyTable node: Insert, Update, Delete, Merge).
type Relation struct {
	Schema, Name string
	Operation    string
}

// Modifies returns the first relation a ModifyTable node writes, and
// whether there is one.
func (p *Plan) Modifies() (Relation, bool) {
	for _, r := range p.Relations {
		if r.Operation != "" {
			return r, true
		}
	}
	return Relation{}, false
}

// A node is the part of a node of EXPLAIN (FORMAT JSON) that is read;
// decoding into it skips the rest (the output lists of VERBOSE are most of
// the text).
type node struct {
	NodeType      string `json:"Node Type"`
	RelationName  string `json:"Relation Name"`
	Schema        string `json:"Schema"`
	Operation     string `json:"Operation"`
	OneTimeFilter string `json:"One-Time Filter"`
	Filter        string `json:"Filter"`
	Plans         []node `json:"Plans"`
}

// Parse reads the output of EXPLAIN (FORMAT JSON).
func Parse(text string) (*Plan, error) {
	var doc []struct {
		Plan node `json:"Plan"`
	}
	if err := json.Unmarshal([]byte(text), &doc); err != nil {
		return nil, fmt.Errorf("reading the plan: %w", err)
	}
	p := &Plan{}
	seen := map[Relation]bool{}
	var walk func(n *node)
	walk = func(n *node) {
		if n.RelationName != "" {
			r := Relation{Name: n.RelationName, Schema: n.Schema}
			if n.NodeType == "ModifyTable" {
				r.Operation = n.Operation
			}
			if !seen[r] {
				seen[r] = true
				p.Relations = append(p.Relations, r)
			}
		}
		for _, f := range []string{n.OneTimeFilter, n.Filter} {
			if f != "" && isConstantFalse(f) {
				p.ConstantFalse = true
			}
		}
		for i := range n.Plans {
			walk(&n.Plans[i])
		}
	}
	for i := range doc {
		walk(&doc[i].Plan)
	}
	return p, nil
}

// isConstantFalse reports whether a plan filter is false, or false AND ...
func isConstantFalse(f string) bool {
	f = strings.TrimSpace(f)
	for strings.HasPrefix(f, "(") {
		f = strings.TrimSpace(f[1:])
	}
	return f == "false" || strings.HasPrefix(f, "false)") || strings.HasPrefix(f, "false AND ")
}
