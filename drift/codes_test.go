package drift

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestCodeRegistry proves that every finding code the code base can emit is
// in [Codes]: it reads the module's Go files (tests left out) and looks at
// every composite literal with a Code field, whether it sets it from a
// string or a constant of this package, and at every Code constant. A code
// that is not in the registry would have no severity of its own, no row in
// the README and no SARIF rule.
func TestCodeRegistry(t *testing.T) {
	consts := map[string]Code{} // constant name -> value, from this package
	var emitted []string        // "file:line code"
	fset := token.NewFileSet()
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != ".." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		inDrift := filepath.Dir(path) == filepath.Join("..", "drift")
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.ValueSpec:
				if id, ok := n.Type.(*ast.Ident); ok && id.Name == "Code" && inDrift {
					for i, name := range n.Names {
						if lit, ok := n.Values[i].(*ast.BasicLit); ok {
							v, _ := strconv.Unquote(lit.Value)
							consts[name.Name] = Code(v)
						}
					}
				}
			case *ast.KeyValueExpr:
				if k, ok := n.Key.(*ast.Ident); ok && k.Name == "Code" {
					pos := fset.Position(n.Pos())
					switch v := n.Value.(type) {
					case *ast.BasicLit:
						s, _ := strconv.Unquote(v.Value)
						emitted = append(emitted, pos.String()+" "+s)
					case *ast.SelectorExpr:
						if x, ok := v.X.(*ast.Ident); ok && x.Name == "drift" {
							emitted = append(emitted, pos.String()+" const:"+v.Sel.Name)
						}
					case *ast.Ident:
						if inDrift {
							emitted = append(emitted, pos.String()+" const:"+v.Name)
						}
					}
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(consts) < len(Codes) || len(emitted) == 0 {
		t.Fatalf("read %d code constants and %d emitting sites: the walk found too little", len(consts), len(emitted))
	}
	for name, c := range consts {
		if _, ok := codeIndex[c]; !ok {
			t.Errorf("constant %s = %q is not in Codes", name, c)
		}
	}
	for _, e := range emitted {
		at, code, _ := strings.Cut(e, " ")
		if name, ok := strings.CutPrefix(code, "const:"); ok {
			c, known := consts[name]
			if !known {
				continue // a local variable or a field named like a constant
			}
			code = string(c)
		}
		if _, ok := codeIndex[Code(code)]; !ok && strings.Contains(code, "-") {
			t.Errorf("%s: code %q is not in Codes", at, code)
		}
	}
	seen := map[Code]bool{}
	for _, c := range Codes {
		if seen[c.Code] {
			t.Errorf("code %s is in Codes twice", c.Code)
		}
		seen[c.Code] = true
		if c.Severity != Error && c.Severity != Warning {
			t.Errorf("code %s has severity %q", c.Code, c.Severity)
		}
	}
}

// TestUnknownCodeFails: a code nobody registered fails the gate.
func TestUnknownCodeFails(t *testing.T) {
	if got := Code("no-such-code").Severity(); got != Error {
		t.Errorf("an unknown code has severity %q, want error", got)
	}
	if got := MissingTable.Severity(); got != Error {
		t.Errorf("missing-table has severity %q, want error", got)
	}
	if got := MissingIndex.Severity(); got != Warning {
		t.Errorf("missing-index has severity %q, want warning", got)
	}
}
