package drizzle

import "encoding/json"

// The shapes below follow drizzle-kit's own schemas, field for field:
// src/serializer/pgSchema.ts (snapshot versions 5 to 7, one JSON object per
// migration in meta/NNNN_snapshot.json) and src/dialects/postgres/ddl.ts
// with snapshot.ts (version 8, drizzle-kit 1.0: a flat "ddl" list of
// entities in <migration>/snapshot.json). Fields rbacdrift does not map are
// left out; unknown fields are ignored, so a newer drizzle-kit still reads.

// header is what every snapshot starts with.
type header struct {
	Version string `json:"version"`
	Dialect string `json:"dialect"`
}

// snapshot7 is a version 5, 6 or 7 snapshot.
type snapshot7 struct {
	Tables map[string]*table7 `json:"tables"`
	Enums  map[string]*enum7  `json:"enums"`
}

type table7 struct {
	Name                 string              `json:"name"`
	Schema               string              `json:"schema"`
	Columns              map[string]*column7 `json:"columns"`
	Indexes              map[string]*index7  `json:"indexes"`
	ForeignKeys          map[string]*fk7     `json:"foreignKeys"`
	CompositePrimaryKeys map[string]*key7    `json:"compositePrimaryKeys"`
	UniqueConstraints    map[string]*key7    `json:"uniqueConstraints"`
	Policies             map[string]*policy7 `json:"policies"`
	IsRLSEnabled         bool                `json:"isRLSEnabled"`
}

type column7 struct {
	Name       string          `json:"name"`
	Type       string          `json:"type"`
	TypeSchema string          `json:"typeSchema"`
	PrimaryKey bool            `json:"primaryKey"`
	NotNull    bool            `json:"notNull"`
	Default    json.RawMessage `json:"default"`
	IsUnique   json.RawMessage `json:"isUnique"` // true, or in some versions a string
	Generated  *struct {
		Type string `json:"type"`
		As   string `json:"as"`
	} `json:"generated"`
	Identity *struct {
		Type string `json:"type"` // always or byDefault
	} `json:"identity"`
}

// index7 holds the columns raw: objects {expression, isExpression, ...}
// since version 7, plain names before.
type index7 struct {
	Name     string          `json:"name"`
	Columns  json.RawMessage `json:"columns"`
	IsUnique bool            `json:"isUnique"`
	Where    *string         `json:"where"`
	Method   string          `json:"method"` // btree when absent
}

// indexColumn7 is one key of a version 7 index. Asc and Nulls are absent
// from snapshots written before drizzle-kit 0.22: the defaults.
type indexColumn7 struct {
	Expression   string `json:"expression"`
	IsExpression bool   `json:"isExpression"`
	Asc          *bool  `json:"asc"`
	Nulls        string `json:"nulls"` // first or last
	Opclass      string `json:"opclass"`
}

type fk7 struct {
	Name        string   `json:"name"`
	TableFrom   string   `json:"tableFrom"`
	ColumnsFrom []string `json:"columnsFrom"`
	TableTo     string   `json:"tableTo"`
	SchemaTo    string   `json:"schemaTo"`
	ColumnsTo   []string `json:"columnsTo"`
	OnUpdate    string   `json:"onUpdate"`
	OnDelete    string   `json:"onDelete"`
}

type key7 struct {
	Name    string   `json:"name"`
	Columns []string `json:"columns"`
}

type policy7 struct {
	Name      string   `json:"name"`
	As        string   `json:"as"`  // PERMISSIVE or RESTRICTIVE
	For       string   `json:"for"` // ALL, SELECT, INSERT, UPDATE, DELETE
	To        []string `json:"to"`
	Using     *string  `json:"using"`
	WithCheck *string  `json:"withCheck"`
}

type enum7 struct {
	Name   string          `json:"name"`
	Schema string          `json:"schema"`
	Values json.RawMessage `json:"values"` // a list since version 6, an object before
}

// snapshot8 is a drizzle-kit 1.0 snapshot: every object is one entity of
// the ddl list, told apart by entityType.
type snapshot8 struct {
	DDL []*entity8 `json:"ddl"`
}

// entity8 holds the fields of every entity type it maps; Columns is a list
// of names for pks, uniques and fks, of index columns for indexes.
type entity8 struct {
	EntityType string `json:"entityType"`
	Schema     string `json:"schema"`
	Table      string `json:"table"`
	Name       string `json:"name"`

	IsRlsEnabled bool     `json:"isRlsEnabled"` // tables
	Values       []string `json:"values"`       // enums

	Type       string          `json:"type"` // columns
	TypeSchema *string         `json:"typeSchema"`
	NotNull    bool            `json:"notNull"`
	Dimensions int             `json:"dimensions"`
	Default    json.RawMessage `json:"default"` // SQL text, or {value, type} in early 1.0 betas
	Generated  *struct {
		Type string `json:"type"`
		As   string `json:"as"`
	} `json:"generated"`
	Identity *struct {
		Type string `json:"type"`
	} `json:"identity"`

	Columns   json.RawMessage `json:"columns"` // pks, uniques, fks, indexes
	IsUnique  bool            `json:"isUnique"`
	Method    string          `json:"method"` // indexes
	Where     *string         `json:"where"`
	SchemaTo  string          `json:"schemaTo"`
	TableTo   string          `json:"tableTo"`
	ColumnsTo []string        `json:"columnsTo"`
	OnUpdate  *string         `json:"onUpdate"` // NO ACTION, RESTRICT, SET NULL, CASCADE, SET DEFAULT
	OnDelete  *string         `json:"onDelete"`

	As        string   `json:"as"` // policies
	For       string   `json:"for"`
	Roles     []string `json:"roles"`
	Using     *string  `json:"using"`
	WithCheck *string  `json:"withCheck"`
}

type indexColumn8 struct {
	Value        string `json:"value"`
	IsExpression bool   `json:"isExpression"`
	Asc          *bool  `json:"asc"`
	NullsFirst   *bool  `json:"nullsFirst"`
	Opclass      *struct {
		Name    string `json:"name"`
		Default bool   `json:"default"`
	} `json:"opclass"`
}

// default8 is the early 1.0 beta's {value, type} default.
type default8 struct {
	Value string `json:"value"`
	Type  string `json:"type"`
}

// journal is meta/_journal.json: the migrations in the order they apply.
type journal struct {
	Version string `json:"version"`
	Dialect string `json:"dialect"`
	Entries []struct {
		Idx  int    `json:"idx"`
		When int64  `json:"when"`
		Tag  string `json:"tag"`
	} `json:"entries"`
}
