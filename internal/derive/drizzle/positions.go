package drizzle

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/rbacdrift/rbacdrift/spec"
)

// Bounds of the walk [CodePositions] makes through a project's sources.
const (
	maxSourceFiles = 5000
	maxSourceSize  = 2 << 20
)

// tableCall finds pgTable("name", and schema.table("name", in TypeScript
// or JavaScript.
var tableCall = regexp.MustCompile("(?:pgTable|\\.table)\\s*\\(\\s*[\"'`]([^\"'`]+)[\"'`]")

// CodePositions points the tables of m that have no position, and their
// columns, at where the project's sources under dir define them: the line
// of pgTable("role_permissions", and of each column's name after it. It
// reads source files only (node_modules, hidden folders and large files
// are skipped) and never runs anything; a table it cannot find keeps no
// position.
func CodePositions(m *spec.Model, dir string) {
	type def struct {
		pos  spec.Pos
		text string // the source from the table's call to the next one
		line int
	}
	defs := map[string]def{}
	n := 0
	_ = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			if path != dir && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		switch filepath.Ext(path) {
		case ".ts", ".mts", ".cts", ".js", ".mjs", ".cjs":
		default:
			return nil
		}
		if n++; n > maxSourceFiles {
			return filepath.SkipAll
		}
		if info, err := d.Info(); err != nil || !info.Mode().IsRegular() || info.Size() > maxSourceSize {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return nil
		}
		src := string(data)
		locs := tableCall.FindAllStringSubmatchIndex(src, -1)
		for i, l := range locs {
			name := src[l[2]:l[3]]
			if _, seen := defs[name]; seen {
				continue
			}
			end := len(src)
			if i+1 < len(locs) {
				end = locs[i+1][0]
			}
			line := strings.Count(src[:l[0]], "\n") + 1
			col := l[0] - strings.LastIndex(src[:l[0]], "\n")
			defs[name] = def{pos: spec.Pos{File: path, Line: line, Column: col}, text: src[l[0]:end], line: line}
		}
		return nil
	})
	for _, t := range m.Tables {
		d, ok := defs[t.Name.Name]
		if !ok || t.Pos.Line != 0 {
			continue
		}
		t.Pos = d.pos
		for _, c := range t.Columns {
			if c.Pos.Line != 0 {
				continue
			}
			c.Pos = d.pos
			for _, q := range []string{`"`, `'`, "`"} {
				if i := strings.Index(d.text, q+c.Name+q); i >= 0 {
					c.Pos = spec.Pos{File: d.pos.File, Line: d.line + strings.Count(d.text[:i], "\n"), Column: i - strings.LastIndex(d.text[:i], "\n")}
					break
				}
			}
			c.TypePos = c.Pos
		}
		for _, k := range append(append([]*spec.Key{t.PrimaryKey}, t.Unique...), nil) {
			if k != nil && k.Pos.Line == 0 {
				k.Pos = d.pos
			}
		}
		for _, fk := range t.ForeignKeys {
			if fk.Pos.Line == 0 {
				fk.Pos = d.pos
			}
		}
		for _, ix := range t.Indexes {
			if ix.Pos.Line == 0 {
				ix.Pos = d.pos
			}
		}
	}
}
