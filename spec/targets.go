package spec

import (
	"fmt"
	"os"
	"regexp"

	"gopkg.in/yaml.v3"
)

// A Target is one database of a targets file (check --targets): a name, a
// connection string, and what it overrides of the model.
type Target struct {
	Name string
	// DB is the connection string with ${VAR} references to the environment
	// expanded; passwords belong in the environment or ~/.pgpass, and
	// nothing prints this string with one.
	DB string
	// RunAs replaces the model's run_as for this target: role names often
	// differ between staging and production.
	RunAs string
	// Schemas are the tenant schema globs of check --schemas, for this target.
	Schemas []string
	Pos     Pos
}

// envRef finds ${NAME} references.
var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// LoadTargets reads a targets file: a YAML list of { name, db, run_as,
// schemas }. Names must be unique; a ${VAR} in db that the environment does
// not set is an error naming the file, line and variable.
func LoadTargets(path string) ([]*Target, error) {
	data, err := readFile(path)
	if err != nil {
		return nil, err
	}
	return ParseTargets(path, data, os.LookupEnv)
}

// ParseTargets decodes a targets file; lookup reads the environment.
func ParseTargets(file string, data []byte, lookup func(string) (string, bool)) ([]*Target, error) {
	d := &decoder{file: file}
	out := d.targets(data, lookup)
	if len(d.errs) > 0 {
		return nil, d.errs
	}
	return out, nil
}

func (d *decoder) targets(data []byte, lookup func(string) (string, bool)) []*Target {
	root := d.document(data, "a targets", "a targets file is a list of { name, db }")
	if root == nil {
		return nil
	}
	items, ok := d.seq(root, "")
	if !ok {
		return nil
	}
	if len(items) == 0 {
		d.errorf(root, "", "no target; list at least one { name, db }")
		return nil
	}
	var out []*Target
	seen := map[string]Pos{}
	for i, it := range items {
		field := fmt.Sprintf("[%d]", i)
		t := &Target{Pos: d.pos(it)}
		hasDB := false
		d.mapping(it, field, func(key string, k, v *yaml.Node) {
			f := field + "." + key
			switch key {
			case "name":
				if s, ok := d.nonEmpty(v, f); ok {
					t.Name = s
					if p, dup := seen[s]; dup {
						d.errorf(v, f, "%q is the name of the target at line %d too; names must be unique", s, p.Line)
					}
					seen[s] = d.pos(v)
				}
			case "db":
				if s, ok := d.nonEmpty(v, f); ok {
					hasDB = true
					t.DB = envRef.ReplaceAllStringFunc(s, func(ref string) string {
						name := envRef.FindStringSubmatch(ref)[1]
						val, ok := lookup(name)
						if !ok {
							d.errorf(v, f, "the environment does not set %s", name)
						}
						return val
					})
				}
			case "run_as":
				if s, ok := d.identifier(v, f); ok {
					t.RunAs = s
				}
			case "schemas":
				t.Schemas = d.stringList(v, f)
			default:
				d.unknown(k, field, key, "name", "db", "run_as", "schemas")
			}
		})
		if it.Kind == yaml.MappingNode {
			if t.Name == "" {
				d.errorf(it, field+".name", "missing; every target has a name")
			}
			if !hasDB {
				d.errorf(it, field+".db", "missing; give the connection, e.g. postgres://checker@db:5432/app or ${STAGING_DATABASE_URL}")
			}
		}
		out = append(out, t)
	}
	return out
}
