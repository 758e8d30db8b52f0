package spec

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// document decodes data as one YAML document, reporting binary or empty
// files, invalid YAML and a second document with positions; what and start
// name the file's kind in the messages ("a model", how it starts).
func (d *decoder) document(data []byte, what, start string) *yaml.Node {
	if bytes.IndexByte(data, 0) >= 0 || !utf8.Valid(data) {
		d.errorf(nil, "", "not a text file (binary content); %s file is YAML", what)
		return nil
	}
	if len(bytes.TrimSpace(data)) == 0 {
		d.errorf(nil, "", "file is empty; %s", start)
		return nil
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		msg := err.Error()
		line := 0
		if mm := yamlLine.FindStringSubmatch(msg); mm != nil {
			fmt.Sscan(mm[1], &line)
			msg = mm[2]
		}
		msg = strings.TrimPrefix(msg, "yaml: ")
		d.errs = append(d.errs, &Error{Pos: Pos{File: d.file, Line: line}, Msg: "invalid YAML: " + msg})
		return nil
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		d.errorf(&extra, "", "%s file holds one YAML document; found a second one", what)
		return nil
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if d.noNUL(root) {
		return nil
	}
	return root
}

// noNUL reports a NUL character in any key or value, which YAML's escapes
// ("\0", "\x00") can write into a text file: PostgreSQL cannot store it in
// a name or text, so it would fail on the server instead of here. It says
// whether it found one.
func (d *decoder) noNUL(n *yaml.Node) bool {
	found := false
	if n.Kind == yaml.ScalarNode && strings.IndexByte(n.Value, 0) >= 0 {
		d.errorf(n, "", "holds a NUL character (\\0), which PostgreSQL cannot store in a name or text")
		found = true
	}
	for _, c := range n.Content {
		found = d.noNUL(c) || found
	}
	return found
}

func (d *decoder) model(data []byte) *Model {
	root := d.document(data, "a model", "a model starts with \"version: 1\"")
	if root == nil {
		return nil
	}
	if root.Kind != yaml.MappingNode {
		d.errorf(root, "", "want a mapping with \"version: 1\" at the top, got %s", kindName(root))
		return nil
	}
	m := &Model{File: d.file, Schema: "public", ExtraColumns: ExtraWarn}
	var tablesNode, enumsNode, queriesNode, functionsNode, sequencesNode *yaml.Node
	hasVersion := false
	d.mapping(root, "", func(key string, k, v *yaml.Node) {
		switch key {
		case "version":
			hasVersion = true
			if n, ok := d.int(v, key); ok && n != 1 {
				d.errorf(v, key, "unsupported version %d; this rbacdrift reads version 1", n)
			}
			m.Version = 1
		case "schema":
			if s, ok := d.identifier(v, key); ok {
				m.Schema = s
			}
		case "extra_columns":
			if p, ok := d.policy(v, key); ok {
				m.ExtraColumns = p
			}
		case "tables":
			tablesNode = v
		case "enums":
			enumsNode = v
		case "functions":
			functionsNode = v
		case "sequences":
			sequencesNode = v
		case "run_as":
			if s, ok := d.identifier(v, key); ok {
				m.RunAs, m.RunAsPos = s, d.pos(v)
			}
		case "queries":
			queriesNode = v
		case "query_files":
			m.QueryFiles, m.QueryFilesPos = d.stringList(v, key), d.pos(v)
		case "ignore":
			m.Ignore = d.waivers(v, key)
		case "migrations":
			m.Migrations = d.migrations(v, key)
		case "settings":
			m.Settings = d.settings(v, key)
		case "grants":
			m.Grants, _ = d.oneOf(v, key, GrantModes...)
		case "role_settings":
			m.RoleSettings = d.roleSettings(v, key)
		case "default_privileges":
			m.DefaultPrivileges = d.defaultPrivileges(v, key)
		case "tables_from":
			m.TablesFrom = d.tablesFrom(v, key)
		default:
			d.unknown(k, "", key, "version", "schema", "extra_columns", "tables", "enums", "functions", "sequences", "run_as", "queries", "query_files", "ignore", "migrations",
				"settings", "grants", "role_settings", "default_privileges", "tables_from")
		}
	})
	if !hasVersion {
		d.errorf(root, "version", "missing; a model starts with \"version: 1\"")
	}
	if tablesNode != nil {
		d.tables(m, tablesNode)
	}
	if enumsNode != nil {
		d.enums(m, enumsNode)
	}
	if functionsNode != nil {
		d.functions(m, functionsNode)
	}
	if sequencesNode != nil {
		d.sequences(m, sequencesNode)
	}
	if queriesNode != nil {
		d.queries(m, queriesNode)
		lines := strings.Split(string(data), "\n")
		for _, q := range m.Queries {
			fixLiteral(q, lines)
			d.checkParams(q, join(join("queries", q.Name), "sql"))
		}
	}
	return m
}
