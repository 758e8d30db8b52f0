package dryrun

import (
	"encoding/json"
	"fmt"
	"strings"
)

// A plan is what the dry run reads from EXPLAIN (VERBOSE, FORMAT JSON).
type plan struct {
	relations []planRelation // every relation a plan node scans or modifies, once each
	// constantFalse is set when a node's filter is constant false: the plan
	// returns no row whatever the arguments (with a generic plan, NULL
	// arguments do not fold, so this comes from the SQL or from row-level
	// security that lets no row through).
	constantFalse bool
}

// A planRelation is a relation a plan node reads, or writes (Operation set
// on a ModifyTable node: Insert, Update, Delete, Merge).
type planRelation struct {
	Schema, Name string
	Operation    string
}

// parsePlan reads the JSON output of EXPLAIN (FORMAT JSON).
func parsePlan(text string) (*plan, error) {
	var doc []struct {
		Plan map[string]any `json:"Plan"`
	}
	if err := json.Unmarshal([]byte(text), &doc); err != nil {
		return nil, fmt.Errorf("reading the plan: %w", err)
	}
	p := &plan{}
	seen := map[planRelation]bool{}
	var walk func(n map[string]any)
	walk = func(n map[string]any) {
		if rel, ok := n["Relation Name"].(string); ok {
			r := planRelation{Name: rel}
			r.Schema, _ = n["Schema"].(string)
			if n["Node Type"] == "ModifyTable" {
				r.Operation, _ = n["Operation"].(string)
			}
			if !seen[r] {
				seen[r] = true
				p.relations = append(p.relations, r)
			}
		}
		for _, key := range []string{"One-Time Filter", "Filter"} {
			if f, ok := n[key].(string); ok && isConstantFalse(f) {
				p.constantFalse = true
			}
		}
		if kids, ok := n["Plans"].([]any); ok {
			for _, k := range kids {
				if m, ok := k.(map[string]any); ok {
					walk(m)
				}
			}
		}
	}
	for _, d := range doc {
		walk(d.Plan)
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
