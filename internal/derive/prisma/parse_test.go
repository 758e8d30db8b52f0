package prisma_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rbacdrift/rbacdrift/internal/derive/prisma"
	"github.com/rbacdrift/rbacdrift/spec"
)

// dump renders a parsed schema one member a line, values in a canonical
// spelling, so that a case states what the parser understood.
func dump(s *prisma.Schema) string {
	var b strings.Builder
	for _, bl := range s.Blocks {
		fmt.Fprintf(&b, "%s %s @%d:%d\n", bl.Kind, bl.Name, bl.Pos.Line, bl.Pos.Column)
		for _, p := range bl.Props {
			fmt.Fprintf(&b, "  %s = %s\n", p.Key, expr(p.Value))
		}
		for _, f := range bl.Fields {
			b.WriteString("  " + f.Name)
			if f.Type != nil {
				b.WriteString(" " + f.Type.Name)
				if f.Type.Unsupported != "" {
					fmt.Fprintf(&b, "(%q)", f.Type.Unsupported)
				}
				if f.Type.Optional {
					b.WriteString("?")
				}
				if f.Type.List {
					b.WriteString("[]")
				}
			}
			for _, a := range f.Attrs {
				b.WriteString(" " + attr(a))
			}
			b.WriteString("\n")
		}
		for _, a := range bl.Attrs {
			b.WriteString("  " + attr(a) + "\n")
		}
	}
	return b.String()
}

func attr(a *prisma.Attr) string {
	s := "@" + a.Name
	if a.Block {
		s = "@" + s
	}
	if a.Args != nil {
		s += "(" + args(a.Args) + ")"
	}
	return s
}

func args(as []*prisma.Arg) string {
	var parts []string
	for _, g := range as {
		p := expr(g.Value)
		if g.Name != "" {
			p = g.Name + ": " + p
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, ", ")
}

func expr(e *prisma.Expr) string {
	switch e.Kind {
	case prisma.ExprString:
		return fmt.Sprintf("%q", e.Text)
	case prisma.ExprArray:
		var items []string
		for _, it := range e.Items {
			items = append(items, expr(it))
		}
		return "[" + strings.Join(items, ", ") + "]"
	case prisma.ExprCall:
		return e.Text + "(" + args(e.Args) + ")"
	}
	return e.Text
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		name, src, want string
	}{
		{
			name: "datasource and generator settings",
			src:  "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n  schemas  = [\"auth\", \"public\"]\n}\ngenerator client {\n  provider = \"prisma-client-js\"\n  previewFeatures = [\"multiSchema\"]\n}\n",
			want: "datasource db @1:12\n  provider = \"postgresql\"\n  url = env(\"DATABASE_URL\")\n  schemas = [\"auth\", \"public\"]\n" +
				"generator client @6:11\n  provider = \"prisma-client-js\"\n  previewFeatures = [\"multiSchema\"]\n",
		},
		{
			name: "fields, modifiers and attributes",
			src:  "model User {\n  id    Int     @id @default(autoincrement())\n  email String? @unique @db.VarChar(64)\n  tags  String[] @default([])\n  geo   Unsupported(\"geometry(Point, 4326)\")?\n}\n",
			want: "model User @1:7\n  id Int @id @default(autoincrement())\n  email String? @unique @db.VarChar(64)\n  tags String[] @default([])\n  geo Unsupported(\"geometry(Point, 4326)\")?\n",
		},
		{
			name: "block attributes with nested and named arguments",
			src:  "model A {\n  a Int\n  b Int\n  @@id([a, b], map: \"a_pk\")\n  @@index([a(sort: Desc), b], type: Hash)\n  @@map(\"a_table\")\n  @@schema(\"auth\")\n}\n",
			want: "model A @1:7\n  a Int\n  b Int\n  @@id([a, b], map: \"a_pk\")\n  @@index([a(sort: Desc), b], type: Hash)\n  @@map(\"a_table\")\n  @@schema(\"auth\")\n",
		},
		{
			name: "relations",
			src:  "model Post {\n  authorId Int\n  author   User @relation(\"posts\", fields: [authorId], references: [id], onDelete: Cascade, onUpdate: NoAction)\n}\n",
			want: "model Post @1:7\n  authorId Int\n  author User @relation(\"posts\", fields: [authorId], references: [id], onDelete: Cascade, onUpdate: NoAction)\n",
		},
		{
			name: "comments everywhere",
			src:  "// a schema\n/// a documented model\nmodel A { // after the brace\n  /// the id\n  id Int @id // trailing\n  // @@map(\"commented\")\n}\n",
			want: "model A @3:7\n  id Int @id\n",
		},
		{
			name: "strings with escapes, numbers, booleans",
			src:  "model A {\n  s String  @default(\"say \\\"hi\\\"\\n\\u00e9\\\\\")\n  n Int     @default(-42)\n  d Decimal @default(1.5)\n  b Boolean @default(false)\n}\n",
			want: "model A @1:7\n  s String @default(\"say \\\"hi\\\"\\né\\\\\")\n  n Int @default(-42)\n  d Decimal @default(1.5)\n  b Boolean @default(false)\n",
		},
		{
			name: "enums, views and types",
			src:  "enum Role {\n  USER  @map(\"user\")\n  ADMIN\n  @@map(\"role\")\n}\nview V {\n  id Int @unique\n}\ntype Address {\n  street String\n}\n",
			want: "enum Role @1:6\n  USER @map(\"user\")\n  ADMIN\n  @@map(\"role\")\nview V @6:6\n  id Int @unique\ntype Address @9:6\n  street String\n",
		},
		{
			name: "dbgenerated with a nested string",
			src:  "model A {\n  id String @default(dbgenerated(\"gen_random_uuid()\")) @db.Uuid\n}\n",
			want: "model A @1:7\n  id String @default(dbgenerated(\"gen_random_uuid()\")) @db.Uuid\n",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := prisma.Parse("schema.prisma", []byte(tc.src))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, dump(s)); diff != "" {
				t.Errorf("parsed (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"modle A {\n}\n", `schema.prisma:1:1: expected a block (model, enum, view, type, datasource or generator), found "modle"`},
		{"model {\n}\n", `schema.prisma:1:7: expected a model name, found "{"`},
		{"model A\n  id Int\n}\n", `schema.prisma:2:3: expected "{" after model A, found "id"`},
		{"model A {\n  id Int\n", `schema.prisma:3:1: unexpected end of file: model A is not closed with }`},
		{"model A {\n  id\n}\n", `schema.prisma:3:1: expected the type of field id, found "}"`},
		{"model A {\n  id Int @id extra\n}\n", `schema.prisma:2:14: unexpected "extra" after field id: expected an attribute (@...) or the end of the line`},
		{"model A {\n  id Int @default(now()\n}\n", `schema.prisma:3:1: expected "," or ")" in the arguments, found "}"`},
		{"model A {\n  id Int @ id\n}\n", `schema.prisma:2:12: expected an attribute name right after @, found "id"`},
		{"model A {\n  s String @default(\"open)\n}\n", `schema.prisma:2:21: unterminated string`},
		{"model A {\n  s String @default(\"a\\qb\")\n}\n", `schema.prisma:2:23: invalid escape \q`},
		{"model A {\n  é Int\n}\n", `schema.prisma:2:3: unexpected character 'é'`},
		{"model A {\n  a Int @@id([a])\n}\n", `schema.prisma:2:9: unexpected "@@" after field a: expected an attribute (@...) or the end of the line`},
		{"model A { id Int }\n", `schema.prisma:1:11: unexpected "id": each member of model A goes on a line of its own`},
		{"model A {\n  tags String[\n}\n", `schema.prisma:3:1: expected "]" to close the list type String[], found "}"`},
		{"datasource db {\n  provider \"postgresql\"\n}\n", `schema.prisma:2:12: expected "=" after setting provider, found string "postgresql"`},
		{"model A {\n  ids Int @default([1, 2)\n}\n", `schema.prisma:2:25: expected "," or "]" in the list, found ")"`},
	} {
		_, err := prisma.Parse("schema.prisma", []byte(tc.src))
		if err == nil || err.Error() != tc.want {
			t.Errorf("Parse(%q):\n got %v\nwant %s", tc.src, err, tc.want)
		}
	}
}

// model maps a schema snippet and renders the model without a header.
func model(t *testing.T, src string) (string, error) {
	t.Helper()
	s, err := prisma.Parse("schema.prisma", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	m, err := prisma.ToModel(s)
	if err != nil {
		return "", err
	}
	return string(spec.Format(m)), nil
}

func TestToModel(t *testing.T) {
	for _, tc := range []struct {
		name, src, want string
	}{
		{
			name: "default types, native types, nullability, lists",
			src: "model T {\n  id Int @id\n  a BigInt\n  b String?\n  c DateTime\n  d Boolean\n  e Json?\n  f Decimal\n  g Float\n  h Bytes\n" +
				"  i String @db.VarChar(64)\n  j String @db.Uuid\n  k DateTime @db.Timestamptz(6)\n  l DateTime @db.Timestamp\n  m Int @db.SmallInt\n" +
				"  nd Decimal @db.Decimal(10, 2)\n  o String[]\n  p Int[] @db.Integer\n  q Unsupported(\"tsvector\")?\n}\n",
			want: `version: 1
schema: public
tables:
  T:
    columns:
      id: { type: integer, nullable: false }
      a:  { type: bigint, nullable: false }
      b:  { type: text, nullable: true }
      c:  { type: timestamp(3), nullable: false }
      d:  { type: boolean, nullable: false }
      e:  { type: jsonb, nullable: true }
      f:  { type: "decimal(65,30)", nullable: false }
      g:  { type: double precision, nullable: false }
      h:  { type: bytea, nullable: false }
      i:  { type: varchar(64), nullable: false }
      j:  { type: uuid, nullable: false }
      k:  { type: timestamptz(6), nullable: false }
      l:  { type: timestamp, nullable: false }
      m:  { type: smallint, nullable: false }
      nd: { type: "decimal(10,2)", nullable: false }
      o:  { type: "text[]", nullable: true }
      p:  { type: "integer[]", nullable: true }
      q:  { type: tsvector, nullable: true }
    primary_key: [id]
`,
		},
		{
			name: "defaults",
			src: "enum Scope {\n  global @map(\"GLOBAL\")\n  own\n}\nmodel T {\n  id BigInt @id @default(autoincrement())\n  s Int @db.SmallInt @default(autoincrement())\n" +
				"  at DateTime @default(now())\n  u String @default(uuid()) @db.Uuid\n  c String @default(cuid())\n  up DateTime @updatedAt\n" +
				"  g String @default(dbgenerated(\"gen_random_uuid()\")) @db.Uuid\n  sc Scope @default(global)\n  t String @default(\"it's\")\n" +
				"  v String @default(\"x\") @db.VarChar(8)\n  b Boolean @default(false)\n  z Int @default(0)\n  neg Int @default(-1)\n" +
				"  f Float @default(1.5)\n  d Decimal @default(\"9.99\")\n  j Json @default(\"{}\")\n  l String[] @default([])\n  dt DateTime @default(\"2024-01-01T00:00:00Z\")\n}\n",
			want: `version: 1
schema: public
tables:
  T:
    columns:
      id:  { type: bigserial, nullable: false, identity: by_default }
      s:   { type: smallserial, nullable: false, identity: by_default }
      at:  { type: timestamp(3), nullable: false, default: CURRENT_TIMESTAMP }
      u:   { type: uuid, nullable: false }
      c:   { type: text, nullable: false }
      up:  { type: timestamp(3), nullable: false }
      g:   { type: uuid, nullable: false, default: gen_random_uuid() }
      sc:  { type: Scope, nullable: false, default: "'GLOBAL'::\"Scope\"" }
      t:   { type: text, nullable: false, default: "'it''s'::text" }
      v:   { type: varchar(8), nullable: false, default: "'x'::character varying" }
      b:   { type: boolean, nullable: false, default: "false" }
      z:   { type: integer, nullable: false, default: "0" }
      neg: { type: integer, nullable: false, default: "'-1'::integer" }
      f:   { type: double precision, nullable: false, default: "1.5" }
      d:   { type: "decimal(65,30)", nullable: false, default: "'9.99'::numeric" }
      j:   { type: jsonb, nullable: false, default: "'{}'::jsonb" }
      l:   { type: "text[]", nullable: true, default: "ARRAY[]::text[]" }
      dt:  { type: timestamp(3), nullable: false }
    primary_key: [id]
enums:
  Scope: [GLOBAL, own]
`,
		},
		{
			name: "keys, indexes and relations with Prisma's default actions",
			src: "model User {\n  id Int @id\n  posts Post[]\n}\nmodel Post {\n  id Int\n  slug String @unique(map: \"post_slug\")\n  authorId Int @map(\"author_id\")\n" +
				"  editorId Int? @map(\"editor_id\")\n  author User @relation(\"a\", fields: [authorId], references: [id])\n" +
				"  editor User? @relation(\"e\", fields: [editorId], references: [id], onUpdate: NoAction)\n" +
				"  @@id([id, authorId])\n  @@unique([slug, authorId])\n  @@index([authorId(sort: Desc), id], map: \"post_author\")\n  @@map(\"posts\")\n}\n",
			want: `version: 1
schema: public
tables:
  User:
    columns:
      id: { type: integer, nullable: false }
    primary_key: [id]
  posts:
    columns:
      id:        { type: integer, nullable: false }
      slug:      { type: text, nullable: false }
      author_id: { type: integer, nullable: false }
      editor_id: { type: integer, nullable: true }
    primary_key: [id, author_id]
    unique: [[slug], [slug, author_id]]
    foreign_keys:
      - { columns: [author_id], references: { table: User, columns: [id] }, on_delete: restrict, on_update: cascade }
      - { columns: [editor_id], references: { table: User, columns: [id] }, on_delete: set_null, on_update: no_action }
    indexes:
      - { name: post_author, columns: [{ column: author_id, order: desc }, id], unique: false }
`,
		},
		{
			name: "relationMode prisma: no foreign keys",
			src:  "datasource db {\n  provider = \"postgresql\"\n  relationMode = \"prisma\"\n}\nmodel A {\n  id Int @id\n  bs B[]\n}\nmodel B {\n  id Int @id\n  aId Int\n  a A @relation(fields: [aId], references: [id])\n}\n",
			want: "version: 1\nschema: public\ntables:\n  A:\n    columns:\n      id: { type: integer, nullable: false }\n    primary_key: [id]\n" +
				"  B:\n    columns:\n      id:  { type: integer, nullable: false }\n      aId: { type: integer, nullable: false }\n    primary_key: [id]\n",
		},
		{
			name: "multiSchema, enums in another schema, views",
			src: "enum Kind {\n  a\n  @@map(\"Kind\")\n  @@schema(\"auth\")\n}\nmodel Account {\n  id Int @id\n  kind Kind @default(a)\n  kinds Kind[]\n  @@schema(\"auth\")\n}\n" +
				"view Summary {\n  id Int @unique\n  total Int?\n}\n",
			want: `version: 1
schema: public
tables:
  auth.Account:
    columns:
      id:    { type: integer, nullable: false }
      kind:  { type: "auth.\"Kind\"", nullable: false, default: "'a'::auth.\"Kind\"" }
      kinds: { type: "auth.\"Kind\"[]", nullable: true }
    primary_key: [id]
  Summary:
    kind: view
    columns:
      id:    { type: integer }
      total: { type: integer }
enums:
  auth.Kind: [a]
`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := model(t, tc.src)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("model (-want +got):\n%s", diff)
			}
			if _, err := spec.Parse("model.yaml", []byte(got)); err != nil {
				t.Errorf("the model does not parse: %v", err)
			}
		})
	}
}

func TestToModelErrors(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"model A {\n  id Text\n}\n", "schema.prisma:2:6: unknown type Text"},
		{"model A {\n  id Int\n  @@id([id, other])\n}\n", "schema.prisma:3:13: model A has no scalar field other"},
		{"model A {\n  id String @db.Varchar(3)\n}\n", "schema.prisma:2:13: unknown PostgreSQL native type @db.Varchar"},
		{"model A {\n  id String @default(autoincrement())\n}\n", "schema.prisma:2:22: autoincrement() on a text column"},
		{"model A {\n  id Int @default(random())\n}\n", "schema.prisma:2:19: unknown default function random()"},
		{"model A {\n  id Int\n}\nenum A {\n  x\n}\n", "schema.prisma:4:6: A is defined twice"},
		{"model A {\n  id Int @id\n  b B @relation(fields: [bId], references: [id])\n}\nmodel B {\n  id Int @id\n  as A[]\n}\n", "schema.prisma:3:26: model A has no scalar field bId"},
		{"model A {\n  id Int @id\n  bId Int\n  b B @relation(fields: [bId], references: [id], onDelete: Drop)\n}\nmodel B {\n  id Int @id\n  as A[]\n}\n", "schema.prisma:4:60: onDelete must be one of Cascade, Restrict, NoAction, SetNull, SetDefault"},
		{"model A {\n  id Int @id\n  @@map(users)\n}\n", "schema.prisma:3:9: @map needs a string argument"},
	} {
		_, err := model(t, tc.src)
		if err == nil || err.Error() != tc.want {
			t.Errorf("ToModel(%q):\n got %v\nwant %s", tc.src, err, tc.want)
		}
	}
}
