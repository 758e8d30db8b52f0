package spec

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"
)

// compileSchema compiles rbacdrift.schema.json with the draft it names.
func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open("rbacdrift.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatalf("rbacdrift.schema.json is not JSON: %v", err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("rbacdrift.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("rbacdrift.schema.json")
	if err != nil {
		t.Fatalf("compiling rbacdrift.schema.json: %v", err)
	}
	return sch
}

// yamlToJSON reads a model file the way an editor's YAML support does before
// it applies a JSON Schema: one document, keys as strings, scalars by their
// YAML 1.2 tags (a date stays text). A syntax error, a second document and a
// duplicate key are rejected here, as the editor's YAML parser flags them.
func yamlToJSON(data []byte) (any, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		return nil, err // an empty file decodes to io.EOF: not a document
	}
	var second yaml.Node
	if err := dec.Decode(&second); err == nil {
		return nil, errors.New("more than one document")
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	return nodeValue(doc.Content[0])
}

func nodeValue(n *yaml.Node) (any, error) {
	switch n.Kind {
	case yaml.AliasNode:
		return nodeValue(n.Alias)
	case yaml.SequenceNode:
		out := []any{}
		for _, c := range n.Content {
			v, err := nodeValue(c)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		out := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Tag == "!!merge" {
				merged, err := nodeValue(v)
				if err != nil {
					return nil, err
				}
				if m, ok := merged.(map[string]any); ok {
					for mk, mv := range m {
						if _, set := out[mk]; !set {
							out[mk] = mv
						}
					}
				}
				continue
			}
			if k.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("line %d: a key that is not a scalar has no JSON form", k.Line)
			}
			if _, dup := out[k.Value]; dup {
				return nil, fmt.Errorf("line %d: duplicate key %q", k.Line, k.Value)
			}
			val, err := nodeValue(v)
			if err != nil {
				return nil, err
			}
			out[k.Value] = val
		}
		return out, nil
	}
	switch n.Tag {
	case "!!null":
		return nil, nil
	case "!!bool":
		var b bool
		return b, n.Decode(&b)
	case "!!int":
		var i int64
		if err := n.Decode(&i); err == nil {
			return i, nil
		}
		var f float64
		return f, n.Decode(&f)
	case "!!float":
		var f float64
		return f, n.Decode(&f)
	}
	return n.Value, nil
}

// schemaAccepts reports whether the file, read as an editor reads it, meets
// the JSON Schema; the reason when not.
func schemaAccepts(sch *jsonschema.Schema, data []byte) (bool, string) {
	v, err := yamlToJSON(data)
	if err != nil {
		return false, "as YAML: " + err.Error()
	}
	if err := sch.Validate(v); err != nil {
		return false, err.Error()
	}
	return true, ""
}

// TestJSONSchemaAgreesWithValidate: the JSON Schema accepts every valid
// model in testdata and rejects every invalid one, as Load (rbacdrift
// validate) does. The few invalid files marked "# beyond-schema: why" hold
// mistakes no JSON Schema can see (SQL, one name in two spellings, list
// lengths that must agree); for those the test proves the schema accepts
// them, so that the list of its limits stays exact.
func TestJSONSchemaAgreesWithValidate(t *testing.T) {
	sch := compileSchema(t)
	valid, invalid := modelFiles(t)
	for _, file := range valid {
		t.Run("valid/"+filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := Load(file); err != nil {
				t.Errorf("validate rejects a valid example: %v", err)
			}
			if ok, why := schemaAccepts(sch, data); !ok {
				t.Errorf("the JSON Schema rejects a valid example: %s", why)
			}
		})
	}
	// Files that cannot carry their expectation in a comment.
	bare := map[string]string{"empty.yaml": "file is empty", "binary.yaml": "not a text file"}
	for _, file := range invalid {
		t.Run("invalid/"+filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			want, beyond := bare[filepath.Base(file)], ""
			for _, line := range strings.Split(string(data), "\n") {
				if s, ok := strings.CutPrefix(line, "# validate: "); ok {
					want = s
				}
				if s, ok := strings.CutPrefix(line, "# beyond-schema: "); ok {
					beyond = s
				}
			}
			if want == "" {
				t.Fatal(`the file does not say which error it shows ("# validate: ..." on a line of its own)`)
			}
			_, err = Load(file)
			var errs Errors
			if !errors.As(err, &errs) || len(errs) == 0 {
				t.Fatalf("validate accepts an invalid example (err %v)", err)
			}
			if !strings.Contains(errs[0].Error(), want) {
				t.Errorf("validate's first error is %q, want it to contain %q", errs[0], want)
			}
			if _, bareFile := bare[filepath.Base(file)]; !bareFile && errs[0].Pos.Line == 0 {
				t.Errorf("validate's error has no line: %s", errs[0])
			}
			ok, why := schemaAccepts(sch, data)
			switch {
			case beyond == "" && ok:
				t.Errorf("the JSON Schema accepts an invalid example that validate rejects with %q", errs[0])
			case beyond != "" && !ok:
				t.Errorf("the file is marked beyond-schema (%s) but the JSON Schema rejects it: %s; remove the mark", beyond, why)
			}
		})
	}
}
