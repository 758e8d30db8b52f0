package migrations

import (
	"fmt"
	"slices"
	"strings"
)

// What a code migration changes, read from the common DSLs of Rails,
// Django, Alembic, knex and TypeORM with the tokenizer of codelex.go: the
// calls whose arguments say plainly which table and column they change.
// Nothing is run; a call this file does not know, a string built at run
// time or a migration written as code (Django's RunPython) is named in the
// note [Migration.Changes] returns, so that a finding can say so.

// Changes lists the objects m creates, alters, drops, renames or grants
// on, and, when part of m could not be read, says which part; "" when all
// of it was. SQL migrations are read with [Touches]; the migrations of
// Rails, Django, Alembic, knex and TypeORM through their DSLs.
func (m *Migration) Changes() ([]Object, string) {
	switch {
	case strings.HasSuffix(m.File, ".sql"):
		return Touches(m.SQL), ""
	case m.tool == Rails:
		return readRails(m.SQL)
	case m.tool == Django:
		return readDjango(m.SQL, m.app(), m.tables)
	case m.tool == Alembic:
		return readAlembic(m.SQL)
	case m.tool == Knex:
		return readKnex(m.SQL)
	case m.tool == TypeORM:
		return readSQLCalls(m.SQL, langJS, "query")
	case m.tool == Goose:
		return nil, "it is Go code"
	}
	return nil, fmt.Sprintf("rbacdrift does not read %s migrations", m.tool)
}

// app is a Django migration's app label.
func (m *Migration) app() string {
	app, _, _ := strings.Cut(m.ID, ".")
	return app
}

// A reader collects objects and notes.
type reader struct {
	out    []Object
	unread []string
}

func (r *reader) add(kind, name, table, action string, line int) {
	if name == "" && kind != "index" {
		return
	}
	r.out = append(r.out, Object{Kind: kind, Name: name, Table: table, Action: action, Line: line})
}

func (r *reader) column(table, col, action string, line int) {
	if table == "" || col == "" {
		return
	}
	r.add("column", table+"."+col, table, action, line)
}

func (r *reader) note(s string) {
	if !slices.Contains(r.unread, s) {
		r.unread = append(r.unread, s)
	}
}

// sql reads a string argument that holds SQL.
func (r *reader) sql(arg []ctok, what string) {
	if s, ok := argText(arg); ok {
		line := 0
		if len(arg) > 0 {
			line = arg[0].line
		}
		for _, o := range Touches(s) {
			o.Line = line
			r.out = append(r.out, o)
		}
		return
	}
	r.note(what + " with SQL built at run time")
}

func (r *reader) result() ([]Object, string) {
	return r.out, strings.Join(r.unread, "; ")
}

// ---- Rails (ActiveRecord::Migration) ----

// railsHarmless are calls at the start of a statement that change nothing
// a model declares, or that only structure the file.
var railsHarmless = []string{"class", "def", "end", "module", "require", "require_relative", "reversible", "say", "say_with_time",
	"if", "unless", "else", "elsif", "return", "puts", "up_only", "revert", "disable_ddl_transaction!", "self", "dir", "include", "extend",
	"private", "protected", "public", "begin", "rescue", "ensure", "then", "when", "case", "while", "until", "for", "raise", "true", "false", "nil"}

// railsTypes are a table definition's column methods (t.string :name).
var railsTypes = []string{"column", "string", "text", "integer", "bigint", "float", "decimal", "numeric", "datetime", "timestamp", "time",
	"date", "binary", "blob", "boolean", "json", "jsonb", "uuid", "citext", "hstore", "inet", "cidr", "macaddr", "interval", "enum",
	"virtual", "xml", "tsvector", "money", "bit", "bit_varying", "point", "line", "lseg", "box", "path", "polygon", "circle",
	"int4range", "int8range", "tsrange", "tstzrange", "numrange", "daterange", "ltree", "oid", "primary_key", "serial", "bigserial", "timestamptz"}

func readRails(src string) ([]Object, string) {
	ts := lexCode(src, langRuby)
	r := &reader{}
	for i := 0; i < len(ts); i++ {
		if !rubyStatementStart(ts, i) || ts[i].kind != cIdent {
			continue
		}
		name := ts[i].text
		if name == "def" && i+1 < len(ts) && (ts[i+1].text == "down" || ts[i+1].text == "self" && i+3 < len(ts) && ts[i+3].text == "down") {
			_, i = rubyBlock(ts, i)
			i--
			continue
		}
		if i+1 < len(ts) && ts[i+1].kind == cPunct && (ts[i+1].text == "." || ts[i+1].text == "=" || ts[i+1].text == "::") {
			continue // a method of an object (dir.up, Model.reset_column_information) or an assignment
		}
		args, j := rubyArgs(ts, i+1)
		var block []ctok
		bv := ""
		if j < len(ts) && ts[j].kind == cIdent && ts[j].text == "do" {
			block, j = rubyBlock(ts, j)
			if len(block) >= 3 && block[0].text == "|" && block[1].kind == cIdent {
				bv = block[1].text
			}
		}
		if r.railsCall(name, args, block, bv, ts[i].line) {
			i = j - 1
		}
	}
	return r.result()
}

// rubyStatementStart reports whether ts[i] starts a statement.
func rubyStatementStart(ts []ctok, i int) bool {
	if i == 0 {
		return true
	}
	p := ts[i-1]
	return p.kind == cNewline || p.kind == cPunct && (p.text == ";" || p.text == "{" || p.text == "|")
}

// rubyArgs reads a call's arguments from ts[i:]: in parentheses, or to the
// end of the line or a do block.
func rubyArgs(ts []ctok, i int) ([][]ctok, int) {
	if i < len(ts) && ts[i].kind == cPunct && ts[i].text == "(" && (i == 0 || ts[i-1].kind == cIdent) {
		g, j := group(ts, i)
		return splitArgs(g), j
	}
	j := i
	depth := 0
	for ; j < len(ts); j++ {
		t := ts[j]
		if depth == 0 && (t.kind == cNewline || t.kind == cIdent && t.text == "do" || t.kind == cPunct && (t.text == ";" || t.text == "}")) {
			break
		}
		if t.kind == cPunct {
			switch t.text {
			case "(", "[", "{":
				depth++
			case ")", "]", "}":
				depth--
			}
		}
	}
	return splitArgs(ts[i:j]), j
}

// rubyOpeners open a block that "end" closes when they start a statement.
var rubyOpeners = []string{"def", "class", "module", "if", "unless", "while", "until", "case", "begin", "for"}

// rubyBlock returns the tokens between ts[i] (do, def, ...) and its end,
// and the index after the end.
func rubyBlock(ts []ctok, i int) ([]ctok, int) {
	depth := 1
	for k := i + 1; k < len(ts); k++ {
		t := ts[k]
		if t.kind != cIdent {
			continue
		}
		switch {
		case t.text == "do":
			depth++
		case t.text == "end":
			depth--
			if depth == 0 {
				return ts[i+1 : k], k + 1
			}
		case slices.Contains(rubyOpeners, t.text) && rubyStatementStart(ts, k):
			depth++
		}
	}
	return ts[min(i+1, len(ts)):], len(ts)
}

// railsCall reads one call of a migration; false when it is not one of
// the DSL's.
func (r *reader) railsCall(name string, args [][]ctok, block []ctok, bv string, line int) bool {
	pos, kw := positional(args)
	text := func(n int) string {
		if n < len(pos) {
			s, _ := argText(pos[n])
			return s
		}
		return ""
	}
	t := text(0)
	switch name {
	case "create_table":
		r.add("table", t, "", "create", line)
		if id, ok := kw["id"]; !ok || len(id) != 1 || id[0].text != "false" {
			r.column(t, "id", "create", line)
		}
		r.railsTable(t, block, bv, "create")
	case "create_join_table":
		a, b := text(0), text(1)
		if a > b {
			a, b = b, a
		}
		if tn, ok := kw["table_name"]; ok {
			t, _ = argText(tn)
		} else {
			t = a + "_" + b
		}
		r.add("table", t, "", "create", line)
		r.railsTable(t, block, bv, "create")
	case "change_table":
		r.add("table", t, "", "alter", line)
		r.railsTable(t, block, bv, "alter")
	case "drop_table", "drop_join_table":
		r.add("table", t, "", "drop", line)
	case "rename_table":
		r.out = append(r.out, Object{Kind: "table", Name: t, Action: "rename", To: text(1), Line: line})
	case "add_column":
		r.column(t, text(1), "create", line)
	case "remove_column": // (table, column, type = nil, **options)
		r.column(t, text(1), "drop", line)
	case "remove_columns":
		for n := 1; n < len(pos); n++ {
			r.column(t, text(n), "drop", line)
		}
	case "rename_column":
		r.out = append(r.out, Object{Kind: "column", Name: t + "." + text(1), Table: t, Action: "rename", To: text(2), Line: line})
	case "change_column", "change_column_null", "change_column_default", "change_column_comment":
		r.column(t, text(1), "alter", line)
	case "add_index", "add_check_constraint", "add_exclusion_constraint", "add_unique_constraint", "add_unique_key":
		n := ""
		if v, ok := kw["name"]; ok {
			n, _ = argText(v)
		}
		r.add("index", n, t, "create", line)
	case "remove_index", "remove_check_constraint", "remove_exclusion_constraint", "remove_unique_constraint", "remove_unique_key":
		r.add("index", "", t, "drop", line)
	case "add_reference", "add_belongs_to":
		r.column(t, text(1)+"_id", "create", line)
		if v, ok := kw["polymorphic"]; ok && len(v) == 1 && v[0].text == "true" {
			r.column(t, text(1)+"_type", "create", line)
		}
	case "remove_reference", "remove_belongs_to":
		r.column(t, text(1)+"_id", "drop", line)
	case "add_foreign_key", "remove_foreign_key", "add_timestamps", "remove_timestamps", "change_table_comment", "enable_extension", "disable_extension":
		if t != "" && name != "enable_extension" && name != "disable_extension" {
			r.add("table", t, "", "alter", line)
		}
		if name == "add_timestamps" || name == "remove_timestamps" {
			action := map[bool]string{true: "create", false: "drop"}[name == "add_timestamps"]
			r.column(t, "created_at", action, line)
			r.column(t, "updated_at", action, line)
		}
	case "create_enum", "drop_enum", "rename_enum", "add_enum_value", "rename_enum_value":
		action := map[string]string{"create_enum": "create", "drop_enum": "drop", "rename_enum": "rename"}[name]
		if action == "" {
			action = "alter"
		}
		r.add("type", t, "", action, line)
	case "execute":
		if len(pos) > 0 {
			r.sql(pos[0], "execute")
		}
	default:
		if !slices.Contains(railsHarmless, name) {
			r.note("a call rbacdrift does not read: " + name)
		}
		return false
	}
	return true
}

// railsTable reads a create_table or change_table block: bv.type :col,
// bv.references :x, bv.timestamps, bv.index, bv.remove :col, ...
func (r *reader) railsTable(table string, block []ctok, bv, action string) {
	if bv == "" || table == "" {
		return
	}
	for i := 0; i+2 < len(block); i++ {
		if block[i].kind != cIdent || block[i].text != bv || block[i+1].text != "." || block[i+2].kind != cIdent || !rubyStatementStart(block, i) {
			continue
		}
		m, line := block[i+2].text, block[i+2].line
		args, j := rubyArgs(block, i+3)
		pos, kw := positional(args)
		cols := func(suffix, act string) {
			for _, a := range pos {
				if s, ok := argText(a); ok {
					r.column(table, s+suffix, act, line)
				}
			}
		}
		switch {
		case m == "column":
			if len(pos) > 0 {
				s, _ := argText(pos[0])
				r.column(table, s, "create", line)
			}
		case slices.Contains(railsTypes, m):
			cols("", "create")
		case m == "references" || m == "belongs_to":
			cols("_id", "create")
			if v, ok := kw["polymorphic"]; ok && len(v) == 1 && v[0].text == "true" {
				cols("_type", "create")
			}
		case m == "timestamps":
			r.column(table, "created_at", "create", line)
			r.column(table, "updated_at", "create", line)
		case m == "index" || m == "unique_constraint" || m == "check_constraint" || m == "exclusion_constraint":
			r.add("index", "", table, "create", line)
		case m == "remove_index":
			r.add("index", "", table, "drop", line)
		case m == "remove":
			cols("", "drop")
		case m == "remove_references" || m == "remove_belongs_to":
			cols("_id", "drop")
		case m == "rename":
			if len(pos) == 2 {
				from, _ := argText(pos[0])
				to, _ := argText(pos[1])
				r.out = append(r.out, Object{Kind: "column", Name: table + "." + from, Table: table, Action: "rename", To: to, Line: line})
			}
		case m == "change" || m == "change_default" || m == "change_null":
			if len(pos) > 0 {
				s, _ := argText(pos[0])
				r.column(table, s, "alter", line)
			}
		default:
			r.note("a table method rbacdrift does not read: " + bv + "." + m)
		}
		i = j - 1
	}
}

// ---- Django (django.db.migrations operations) ----

func readDjango(src, app string, tables map[string]string) ([]Object, string) {
	ts := lexCode(src, langPython)
	r := &reader{}
	for i := 0; i+2 < len(ts); i++ {
		if ts[i].kind == cIdent && ts[i].text == "operations" && ts[i+1].text == "=" && ts[i+2].text == "[" {
			items, _ := group(ts, i+2)
			r.djangoOps(items, app, tables)
			return r.result()
		}
	}
	r.note("no operations list")
	return r.result()
}

// djangoTable returns the table of app's model: its db_table, else
// <app_label>_<model name lower-cased>.
func djangoTable(app, model string, tables map[string]string) string {
	model = strings.ToLower(model)
	if t, ok := tables[model]; ok {
		return t
	}
	return app + "_" + model
}

func (r *reader) djangoOps(items []ctok, app string, tables map[string]string) {
	for _, item := range splitArgs(items) {
		item = trimNewlines(item)
		k := 0
		if len(item) > 2 && item[0].kind == cIdent && item[1].text == "." {
			k = 2 // migrations.AddField
		}
		if k >= len(item) || item[k].kind != cIdent || k+1 >= len(item) || item[k+1].text != "(" {
			if len(item) > 0 {
				r.note("an operation rbacdrift does not read")
			}
			continue
		}
		op, line := item[k].text, item[k].line
		g, _ := group(item, k+1)
		pos, kw := positional(splitArgs(g))
		arg := func(key string, n int) string {
			if v, ok := kw[key]; ok {
				s, _ := argText(v)
				return s
			}
			if n >= 0 && n < len(pos) {
				s, _ := argText(pos[n])
				return s
			}
			return ""
		}
		model := arg("model_name", 0)
		switch op {
		case "CreateModel":
			name := arg("name", 0)
			table := djangoTable(app, name, tables)
			if opts, ok := kw["options"]; ok {
				if t := djangoDBTable(opts); t != "" {
					table = t
				}
			}
			r.add("table", table, "", "create", line)
			fields := kw["fields"]
			if fields == nil && len(pos) > 1 {
				fields = pos[1]
			}
			fields = trimNewlines(fields)
			if len(fields) > 0 && fields[0].text == "[" {
				fg, _ := group(fields, 0)
				for _, f := range splitArgs(fg) {
					f = trimNewlines(f)
					if len(f) == 0 || f[0].text != "(" {
						continue
					}
					pair, _ := group(f, 0)
					parts := splitArgs(pair)
					if len(parts) == 2 {
						col, _ := argText(parts[0])
						r.djangoField(table, col, parts[1], "create", line)
					}
				}
			}
		case "DeleteModel":
			r.add("table", djangoTable(app, arg("name", 0), tables), "", "drop", line)
		case "RenameModel":
			from := djangoTable(app, arg("old_name", 0), tables)
			r.out = append(r.out, Object{Kind: "table", Name: from, Action: "rename", To: djangoTable(app, arg("new_name", 1), tables), Line: line})
		case "AlterModelTable":
			from := djangoTable(app, arg("name", 0), tables)
			r.out = append(r.out, Object{Kind: "table", Name: from, Action: "rename", To: arg("table", 1), Line: line})
		case "AddField", "AlterField", "RemoveField":
			action := map[string]string{"AddField": "create", "AlterField": "alter", "RemoveField": "drop"}[op]
			field := kw["field"]
			if field == nil && len(pos) > 2 {
				field = pos[2]
			}
			r.djangoField(djangoTable(app, model, tables), arg("name", 1), field, action, line)
		case "RenameField":
			t := djangoTable(app, model, tables)
			r.out = append(r.out, Object{Kind: "column", Name: t + "." + arg("old_name", 1), Table: t, Action: "rename", To: arg("new_name", 2), Line: line})
		case "AddIndex", "RemoveIndex", "RenameIndex", "AddConstraint", "RemoveConstraint":
			action := "create"
			if strings.HasPrefix(op, "Remove") {
				action = "drop"
			}
			r.add("index", "", djangoTable(app, model, tables), action, line)
		case "AlterUniqueTogether", "AlterIndexTogether", "AlterModelOptions", "AlterModelManagers", "AlterOrderWithRespectTo", "AlterModelTableComment":
			if op == "AlterModelOptions" || op == "AlterModelManagers" {
				continue // Python-side only
			}
			t := djangoTable(app, arg("name", 0), tables)
			r.add("table", t, "", "alter", line)
			if op == "AlterOrderWithRespectTo" {
				r.column(t, "_order", "alter", line)
			}
		case "RunSQL":
			sql := kw["sql"]
			if sql == nil && len(pos) > 0 {
				sql = pos[0]
			}
			sql = trimNewlines(sql)
			if len(sql) > 0 && (sql[0].text == "[" || sql[0].text == "(") {
				g, _ := group(sql, 0)
				for _, s := range splitArgs(g) {
					r.sql(s, "RunSQL")
				}
			} else {
				r.sql(sql, "RunSQL")
			}
		case "SeparateDatabaseAndState":
			if db := trimNewlines(kw["database_operations"]); len(db) > 0 && db[0].text == "[" {
				g, _ := group(db, 0)
				r.djangoOps(g, app, tables)
			}
		case "RunPython":
			r.note("RunPython runs Python code")
		default:
			r.note("an operation rbacdrift does not read: " + op)
		}
	}
}

// djangoField adds the column a field makes: name_id for a ForeignKey or
// OneToOneField, the join table of a ManyToManyField, db_column when given.
func (r *reader) djangoField(table, name string, field []ctok, action string, line int) {
	field = trimNewlines(field)
	typ := ""
	var kw map[string][]ctok
	for k := 0; k+1 < len(field); k++ {
		if field[k].kind == cIdent && field[k+1].text == "(" {
			typ = field[k].text
			g, _ := group(field, k+1)
			_, kw = positional(splitArgs(g))
			break
		}
	}
	col := name
	switch typ {
	case "ForeignKey", "OneToOneField", "ForeignObject":
		col = name + "_id"
	case "ManyToManyField":
		r.add("table", table+"_"+name, "", action, line)
		return
	}
	if v, ok := kw["db_column"]; ok {
		if s, ok := argText(v); ok {
			col = s
		}
	}
	r.column(table, col, action, line)
}

// djangoDBTable reads "db_table" from a CreateModel's options dict.
func djangoDBTable(opts []ctok) string {
	opts = trimNewlines(opts)
	if len(opts) == 0 || opts[0].text != "{" {
		return ""
	}
	g, _ := group(opts, 0)
	for _, e := range splitArgs(g) {
		e = trimNewlines(e)
		if len(e) >= 3 && e[0].kind == cString && e[0].text == "db_table" && e[1].text == ":" {
			s, _ := argText(e[2:])
			return s
		}
	}
	return ""
}

// djangoTables returns, for each app, the db_table its migrations give its
// models (CreateModel's options, AlterModelTable), by lower-cased model name.
func djangoTables(ms []*Migration) map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, m := range ms {
		app := m.app()
		ts := lexCode(m.SQL, langPython)
		for i := 0; i+1 < len(ts); i++ {
			if ts[i].kind != cIdent || ts[i+1].text != "(" || ts[i].text != "CreateModel" && ts[i].text != "AlterModelTable" {
				continue
			}
			g, _ := group(ts, i+1)
			pos, kw := positional(splitArgs(g))
			name := ""
			if v, ok := kw["name"]; ok {
				name, _ = argText(v)
			} else if len(pos) > 0 {
				name, _ = argText(pos[0])
			}
			table := ""
			if ts[i].text == "CreateModel" {
				table = djangoDBTable(kw["options"])
			} else if v, ok := kw["table"]; ok {
				table, _ = argText(v)
			} else if len(pos) > 1 {
				table, _ = argText(pos[1])
			}
			if name != "" && table != "" {
				if out[app] == nil {
					out[app] = map[string]string{}
				}
				out[app][strings.ToLower(name)] = table
			}
		}
	}
	return out
}

// ---- Alembic (op.*) ----

func readAlembic(src string) ([]Object, string) {
	ts := lexCode(src, langPython)
	// upgrade()'s body: from "def upgrade" to the next top-level statement.
	start, end := -1, len(ts)
	for i := 0; i+1 < len(ts); i++ {
		if ts[i].kind == cIdent && ts[i].col == 0 && ts[i].text == "def" {
			if start >= 0 {
				end = i
				break
			}
			if ts[i+1].text == "upgrade" {
				start = i
			}
		}
	}
	r := &reader{}
	if start < 0 {
		r.note("no upgrade()")
		return r.result()
	}
	body := ts[start:end]
	alias := map[string]string{"op": ""} // batch_op -> its table
	for i := 0; i+3 < len(body); i++ {
		tbl, ok := alias[body[i].text]
		if !ok || body[i].kind != cIdent || body[i+1].text != "." || body[i+2].kind != cIdent || body[i+3].text != "(" {
			continue
		}
		method, line := body[i+2].text, body[i+2].line
		g, j := group(body, i+3)
		pos, kw := positional(splitArgs(g))
		if tbl != "" { // a batch operation: the table is the batch's
			pos = append([][]ctok{{{kind: cString, text: tbl}}}, pos...)
		}
		text := func(n int) string {
			if n < len(pos) {
				s, _ := argText(pos[n])
				return s
			}
			return ""
		}
		qual := func(t string) string {
			if v, ok := kw["schema"]; ok {
				if s, ok := argText(v); ok && t != "" {
					return s + "." + t
				}
			}
			return t
		}
		switch method {
		case "create_table":
			t := qual(text(0))
			r.add("table", t, "", "create", line)
			for _, a := range pos[min(1, len(pos)):] {
				if c := saColumn(a); c != "" {
					r.column(t, c, "create", line)
				}
			}
		case "drop_table":
			r.add("table", qual(text(0)), "", "drop", line)
		case "rename_table":
			r.out = append(r.out, Object{Kind: "table", Name: qual(text(0)), Action: "rename", To: text(1), Line: line})
		case "add_column":
			if len(pos) > 1 {
				r.column(qual(text(0)), saColumn(pos[1]), "create", line)
			}
		case "drop_column":
			r.column(qual(text(0)), text(1), "drop", line)
		case "alter_column":
			t := qual(text(0))
			if v, ok := kw["new_column_name"]; ok {
				to, _ := argText(v)
				r.out = append(r.out, Object{Kind: "column", Name: t + "." + text(1), Table: t, Action: "rename", To: to, Line: line})
			} else {
				r.column(t, text(1), "alter", line)
			}
		case "create_index", "drop_index":
			action := "create"
			if method == "drop_index" {
				action = "drop"
			}
			t := text(1)
			if tbl != "" {
				t = tbl
			}
			if v, ok := kw["table_name"]; ok {
				t, _ = argText(v)
			}
			r.add("index", text(0), qual(t), action, line)
		case "create_foreign_key", "create_unique_constraint", "create_check_constraint", "create_primary_key", "drop_constraint", "create_exclude_constraint":
			t := text(1)
			if tbl != "" {
				t = tbl
			}
			if v, ok := kw["source_table"]; ok {
				t, _ = argText(v)
			}
			if v, ok := kw["table_name"]; ok {
				t, _ = argText(v)
			}
			r.add("table", qual(t), "", "alter", line)
		case "execute":
			if len(pos) > 0 {
				r.sql(pos[0], "op.execute")
			}
		case "batch_alter_table": // with op.batch_alter_table("t") as batch_op:
			if j+1 < len(body) && body[j].text == "as" {
				alias[body[j+1].text] = qual(text(0))
			}
		case "f", "get_bind", "get_context", "inline_literal":
		default:
			r.note("an operation rbacdrift does not read: op." + method)
		}
		i = j - 1
	}
	return r.result()
}

// saColumn returns the name of sa.Column("name", ...) or Column("name", ...).
func saColumn(arg []ctok) string {
	arg = trimNewlines(arg)
	for k := 0; k+1 < len(arg); k++ {
		if arg[k].kind == cIdent && arg[k].text == "Column" && arg[k+1].text == "(" {
			g, _ := group(arg, k+1)
			if a := splitArgs(g); len(a) > 0 {
				s, _ := argText(a[0])
				return s
			}
		}
	}
	return ""
}

// ---- knex (knex.schema.*) ----

// knexColumns are the column builders of a knex table callback.
var knexColumns = []string{"increments", "bigIncrements", "integer", "bigInteger", "bigint", "tinyint", "smallint", "mediumint",
	"text", "string", "float", "double", "decimal", "boolean", "date", "datetime", "time", "timestamp", "binary", "enum", "enu",
	"json", "jsonb", "uuid", "specificType", "geometry", "geography", "point", "varchar"}

func readKnex(src string) ([]Object, string) {
	ts := knexUp(lexCode(src, langJS))
	r := &reader{}
	schema := ""
	for i := 0; i+2 < len(ts); i++ {
		if ts[i].text != "." || ts[i+1].kind != cIdent || ts[i+2].text != "(" {
			continue
		}
		method, line := ts[i+1].text, ts[i+1].line
		g, j := group(ts, i+2)
		args := splitArgs(g)
		text := func(n int) string {
			if n < len(args) {
				s, _ := argText(args[n])
				return s
			}
			return ""
		}
		qual := func(t string) string {
			if schema != "" && t != "" {
				return schema + "." + t
			}
			return t
		}
		switch method {
		case "withSchema":
			schema = text(0)
			continue
		case "createTable", "createTableIfNotExists", "createTableLike":
			t := qual(text(0))
			r.add("table", t, "", "create", line)
			if len(args) > 1 {
				r.knexTable(t, args[len(args)-1])
			}
		case "alterTable", "table":
			t := qual(text(0))
			r.add("table", t, "", "alter", line)
			if len(args) > 1 {
				r.knexTable(t, args[1])
			}
		case "dropTable", "dropTableIfExists":
			r.add("table", qual(text(0)), "", "drop", line)
		case "renameTable":
			r.out = append(r.out, Object{Kind: "table", Name: qual(text(0)), Action: "rename", To: text(1), Line: line})
		case "raw":
			if len(args) > 0 {
				r.sql(args[0], "raw")
			}
		default:
			continue
		}
		schema = ""
		i = j - 1
	}
	return r.result()
}

// knexUp leaves out the down function: from "down" (exports.down,
// function down, down:, down() to the end of its body.
func knexUp(ts []ctok) []ctok {
	for i := 0; i+1 < len(ts); i++ {
		if ts[i].kind != cIdent || ts[i].text != "down" {
			continue
		}
		prev := ""
		if i > 0 {
			prev = ts[i-1].text
		}
		if !(prev == "." || prev == "function" || ts[i+1].text == ":" || ts[i+1].text == "(" || ts[i+1].text == "=") {
			continue
		}
		// the body: the first brace group after it, or to the next ";"
		for k := i + 1; k < len(ts); k++ {
			if ts[k].text == "{" {
				_, end := group(ts, k)
				return append(slices.Clone(ts[:i]), knexUp(ts[end:])...)
			}
			if ts[k].text == ";" {
				return append(slices.Clone(ts[:i]), knexUp(ts[k+1:])...)
			}
		}
		return ts[:i]
	}
	return ts
}

// knexTable reads a table callback: (table) => { table.string('name') ... }.
func (r *reader) knexTable(table string, cb []ctok) {
	cb = trimNewlines(cb)
	param := ""
	for k, t := range cb {
		if t.kind == cIdent && t.text != "function" && t.text != "async" {
			param = t.text
			break
		}
		if t.text == "=>" || t.text == "{" || k > 4 {
			break
		}
	}
	if param == "" || table == "" {
		return
	}
	for i := 0; i+3 < len(cb); i++ {
		if cb[i].kind != cIdent || cb[i].text != param || cb[i+1].text != "." || cb[i+2].kind != cIdent || cb[i+3].text != "(" {
			continue
		}
		if i > 0 && cb[i-1].text == "." {
			continue
		}
		m, line := cb[i+2].text, cb[i+2].line
		g, j := group(cb, i+3)
		args := splitArgs(g)
		first := ""
		if len(args) > 0 {
			first, _ = argText(args[0])
		}
		// the rest of the chain: .alter() makes a builder change a column
		alter := false
		for k := j; k+1 < len(cb) && cb[k].text != ";" && !(cb[k].kind == cIdent && cb[k].text == param && cb[k-1].text != "."); k++ {
			if cb[k].text == "." && cb[k+1].text == "alter" {
				alter = true
			}
		}
		action := "create"
		if alter {
			action = "alter"
		}
		switch {
		case slices.Contains(knexColumns, m):
			if first == "" && (m == "increments" || m == "bigIncrements") {
				first = "id"
			}
			r.column(table, first, action, line)
		case m == "timestamps":
			r.column(table, "created_at", "create", line)
			r.column(table, "updated_at", "create", line)
		case m == "dropColumn" || m == "dropColumns":
			for _, a := range args {
				if s, ok := argText(a); ok {
					r.column(table, s, "drop", line)
				}
			}
		case m == "renameColumn":
			to := ""
			if len(args) > 1 {
				to, _ = argText(args[1])
			}
			r.out = append(r.out, Object{Kind: "column", Name: table + "." + first, Table: table, Action: "rename", To: to, Line: line})
		case m == "index" || m == "unique" || m == "primary" || m == "foreign" || m == "check":
			r.add("index", "", table, "create", line)
		case strings.HasPrefix(m, "drop"):
			r.add("index", "", table, "drop", line)
		case m == "comment" || m == "engine" || m == "charset" || m == "collate" || m == "inherits":
		default:
			r.note("a table method rbacdrift does not read: " + param + "." + m)
		}
		i = j - 1
	}
}

// readSQLCalls reads the SQL of calls .name("SQL") (TypeORM's
// queryRunner.query), skipping the down method.
func readSQLCalls(src string, l lang, name string) ([]Object, string) {
	ts := knexUp(lexCode(src, l))
	r := &reader{}
	for i := 0; i+2 < len(ts); i++ {
		if ts[i].text == "." && ts[i+1].text == name && ts[i+2].text == "(" {
			g, _ := group(ts, i+2)
			if args := splitArgs(g); len(args) > 0 {
				r.sql(args[0], name)
			}
		}
	}
	return r.result()
}
