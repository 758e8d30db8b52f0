package catalog

import "time"

// A Name is a schema-qualified object name, as stored in the catalog.
type Name struct {
	Schema string
	Name   string
}

// String renders the name as schema.name, without quoting.
func (n Name) String() string { return n.Schema + "." + n.Name }

// A Catalog represents what [Load] found.
type Catalog struct {
	Server    Server
	Relations map[Name]*Relation // the wanted relations that exist
	// Elsewhere lists relations that have a wanted name in another schema,
	// keyed by the wanted name: casbin_rule moved to another schema, say.
	Elsewhere map[Name][]*Relation
	Enums     map[Name]*Enum // wanted names that exist as types (enum or not)
}

// Server describes the server and the session's identity.
type Server struct {
	Version       string // server_version, e.g. "15.20 (Debian 15.20-0+deb12u1)"
	VersionNum    int    // server_version_num, e.g. 150020
	User          string // current_user
	SessionUser   string
	Superuser     bool
	Database      string
	InRecovery    bool           // a hot standby
	ReplayLag     *time.Duration // on a standby: now() - pg_last_xact_replay_timestamp(); nil when unknown
	SearchPath    string
	ReadOnlyGuard bool // default_transaction_read_only is on in this session
}

// Relation kinds, as the model names them.
const (
	KindTable            = "table"
	KindPartitionedTable = "partitioned_table"
	KindView             = "view"
	KindMaterializedView = "materialized_view"
	KindForeignTable     = "foreign_table"
)

// A Relation represents a table, view or similar relation.
type Relation struct {
	OID              uint32
	Name             Name
	Kind             string // one of the Kind constants
	Owner            string
	RowSecurity      bool // ALTER TABLE ... ENABLE ROW LEVEL SECURITY
	ForceRowSecurity bool
	EstimatedRows    float64 // pg_class.reltuples; -1 when never analysed
	Columns          []*Column
	PrimaryKey       *Constraint
	Uniques          []*Constraint
	ForeignKeys      []*ForeignKey
	Indexes          []*Index
	Privileges       []*Privilege
	Policies         []*Policy
}

// Column returns the column called name, or nil.
func (r *Relation) Column(name string) *Column {
	for _, c := range r.Columns {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// A Column represents a live column.
type Column struct {
	Num       int
	Name      string
	TypeOID   uint32
	TypMod    int32
	Type      string // format_type(atttypid, atttypmod)
	NotNull   bool
	Default   *string // pg_get_expr of the default; nil when none
	Identity  string  // "", "always" or "by_default"
	Generated *string // generation expression of a stored generated column
}

// A Constraint is a primary key or unique constraint.
type Constraint struct {
	Name    string
	Columns []string
}

// A ForeignKey represents a live foreign key constraint.
type ForeignKey struct {
	Name              string
	Columns           []string
	References        Name
	RefColumns        []string
	OnDelete          string // no_action, restrict, cascade, set_null, set_default
	OnUpdate          string
	Deferrable        bool
	InitiallyDeferred bool
}

// An Index represents a live index.
type Index struct {
	Name      string
	Columns   []string // key columns: a column name, or the expression as pg_get_indexdef renders it
	Unique    bool
	Primary   bool
	Predicate *string // partial index predicate
	Method    string  // btree, hash, gin ...
	Valid     bool
}

// A Privilege is one table privilege held by a role (from aclexplode).
type Privilege struct {
	Grantee   string // role name, or "PUBLIC"
	Privilege string // SELECT, INSERT ...
	Grantable bool
}

// A Policy represents a row-level security policy.
type Policy struct {
	Name       string
	Command    string // ALL, SELECT, INSERT, UPDATE, DELETE
	Permissive bool
	Roles      []string // "public" for PUBLIC
	Using      *string
	WithCheck  *string
}

// An Enum represents a type found under a wanted enum name.
type Enum struct {
	OID    uint32
	Name   Name
	IsEnum bool // false: the name is taken by another kind of type
	Labels []string
}

// A Request names the objects to read from the catalog.
type Request struct {
	Relations []Name
	Enums     []Name
	// EnumsUsed also reads the enum types the relations' columns use:
	// directly, as the element of an array or as the base of a domain.
	EnumsUsed bool
}
