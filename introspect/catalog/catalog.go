package catalog

import (
	"strings"
	"time"
)

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
	// Memberships of the roles of [Request.Roles] that exist, by name; read
	// with the effective privileges, so only when a wanted relation exists.
	Memberships map[string]*Membership
	// Functions holds every overload of each wanted function name.
	Functions map[Name][]*Function
	// Sequences holds the wanted sequences that exist and, with
	// [Request.EnumsUsed], the free sequences of the relations' schemas.
	Sequences map[Name]*NamedSequence
	// RunAs is what [Request.RunAs] can see and bypass; nil when not asked.
	RunAs *RunAs
	// RoleSettings holds the settings of each role of
	// [Request.SettingsRoles] that exists, sorted by name; nil when not
	// asked.
	RoleSettings map[string][]RoleSetting
	// DefaultACLs holds the default privileges of [Request.DefaultACLRoles];
	// nil when not asked.
	DefaultACLs []*DefaultACL
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
	// Effective holds what the roles of [Request.Roles] can really do on
	// the relation: a row per table privilege, held or not, and a row per
	// privilege a column ACL gives them. No row for a role: it does not
	// exist.
	Effective []*Effective
	Policies  []*Policy
	// Sequences holds one entry per serial (nextval default) or identity
	// column, in column order.
	Sequences []*Sequence
}

// A Sequence describes the sequence behind a serial or identity column.
type Sequence struct {
	Column   string // the column whose default or identity draws from it
	Identity bool   // an identity column's (no privilege is checked on it); else a nextval default's
	Name     Name   // zero when the default names no sequence
	// Owned says the sequence is owned by the column (pg_depend), as
	// pg_get_serial_sequence requires; OwnedBy names the column that owns
	// it otherwise, as schema.table.column ("" for none).
	Owned   bool
	OwnedBy string
	// LastValue is the last value handed out; nil when none was (or the
	// checking user may not read it, then Readable is false).
	LastValue *int64
	Readable  bool // the checking user may read the sequence's state
	Start     int64
	Increment int64
	Max       int64
	Cycle     bool
	// NoUsage lists the roles of [Request.Roles] that may not call
	// nextval on it (neither USAGE nor UPDATE).
	NoUsage []string
	// MaxIndexed says a valid btree index without predicate leads with the
	// column, so that max(column) reads one index entry; TableReadable that
	// the checking user may SELECT the table.
	MaxIndexed    bool
	TableReadable bool
	// ColumnMax is max(column), read by [introspect.ReadColumnMaxima]
	// after the catalog; MaxRead says it was read (nil then: no row).
	ColumnMax *int64
	MaxRead   bool
}

// Next returns the value nextval hands out next, and false when the
// sequence is exhausted (or descending, which is not compared).
func (s *Sequence) Next() (int64, bool) {
	if s.Increment <= 0 {
		return 0, false
	}
	if s.LastValue == nil {
		return s.Start, true
	}
	if *s.LastValue > s.Max-s.Increment {
		return 0, false
	}
	return *s.LastValue + s.Increment, true
}

// A NamedSequence represents a sequence read by its name (a model's
// sequences), or found free in a snapshotted schema.
type NamedSequence struct {
	OID  uint32
	Name Name
	// OwnedBy is the column that owns it (OWNED BY, or an identity
	// column's), as schema, table and column; zero when no column does.
	OwnedBy ColumnRef
	// Held maps each role of [Request.Roles] that exists to the sequence
	// privileges it can use (has_sequence_privilege: its own grants,
	// PUBLIC's, those of the roles it inherits, ownership), in the order
	// USAGE, SELECT, UPDATE; "PUBLIC", when asked, to PUBLIC's own ACL
	// entries.
	Held map[string][]string
}

// A ColumnRef names a column of a table.
type ColumnRef struct {
	Table  Name
	Column string
}

// String renders the column as schema.table.column, without quoting; ""
// for the zero ColumnRef.
func (c ColumnRef) String() string {
	if c.Column == "" {
		return ""
	}
	return c.Table.String() + "." + c.Column
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
	Name              string
	Columns           []string
	Deferrable        bool
	InitiallyDeferred bool
	// NullsNotDistinct says NULLS NOT DISTINCT (PostgreSQL 15): two rows
	// with nulls in the key collide.
	NullsNotDistinct bool
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
	Valid             bool // false: added NOT VALID and not validated since
}

// An Index represents a live index.
type Index struct {
	Name    string
	Columns []string // key columns: a column name, or the expression as pg_get_indexdef renders it
	// Keys says how each key column is compared and ordered, parallel to
	// Columns; nil (a value built by hand) means every key as the default.
	Keys             []IndexKey
	Include          []string // the INCLUDE columns
	Unique           bool
	Primary          bool
	NullsNotDistinct bool    // NULLS NOT DISTINCT (PostgreSQL 15)
	Predicate        *string // partial index predicate
	Method           string  // btree, hash, gin ...
	Valid            bool
	// Exclusion is the EXCLUDE constraint the index backs; nil for none.
	Exclusion *Exclusion
}

// An IndexKey is how an index compares and orders one key column.
type IndexKey struct {
	Opclass string // the operator class's name
	// OpclassDefault says the operator class is the default of its type for
	// the access method (pg_opclass.opcdefault): CREATE INDEX chose it
	// when none was named.
	OpclassDefault bool
	Collation      string // the collation's name; "" for a type without one
	// CollationDefault says the collation is the column's own (for an
	// expression, its type's): CREATE INDEX chose it when none was named.
	CollationDefault bool
	Desc             bool
	NullsFirst       bool
}

// An Exclusion is an EXCLUDE constraint: its index holds the elements, the
// method and the predicate.
type Exclusion struct {
	Name              string
	Operators         []string // per key column, as pg_operator names them: =, &&
	Deferrable        bool
	InitiallyDeferred bool
}

// A Privilege is one table privilege held by a role (from aclexplode).
type Privilege struct {
	Grantee   string // role name, or "PUBLIC"
	Privilege string // SELECT, INSERT ...
	Grantable bool
}

// An Effective is one privilege of a role on a relation or a column as
// PostgreSQL decides it (has_table_privilege): its own grants, PUBLIC's, the
// roles it inherits, predefined roles, ownership.
type Effective struct {
	Role      string
	Column    string // "" for the table; else a privilege from the column's ACL
	Privilege string
	Held      bool
	// Through lists the grantees the role holds it from: itself first, then
	// PUBLIC, then the roles it inherits; then a predefined role
	// (pg_read_all_data). Empty while held: ownership or superuser.
	Through []string
	// MemberOnly lists the grantees that hold it and whose member the role
	// is without inheriting their privileges (NOINHERIT, INHERIT FALSE).
	MemberOnly []string
}

// A Membership lists the roles a role is a member of, directly or not.
type Membership struct {
	Groups    []string // whose privileges it inherits
	NoInherit []string // whose privileges it does not inherit (SET ROLE only)
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
	// directly, as the element of an array or as the base of a domain; and
	// the free sequences of the relations' schemas, those no column of a
	// relation of those schemas owns (extensions' left out). That is what a
	// snapshot takes beyond its relations ([introspect.ListRelations] sets
	// it).
	EnumsUsed bool
	// Roles are the roles whose effective privileges are read (the roles a
	// model's grants name; PUBLIC is read from the ACL as it is).
	Roles []string
	// Functions are the function names to read, every overload of each.
	Functions []Name
	// Sequences are the sequence names to read (a model's sequences).
	Sequences []Name
	// RunAs, when set, is the role the application's queries run as:
	// whether row-level security binds it on the relations, and which
	// policies apply to it, are read ([Catalog.RunAs]).
	RunAs string
	// SettingsRoles are the roles whose settings in this database are read
	// ([Catalog.RoleSettings]).
	SettingsRoles []string
	// DefaultACLRoles are the grantees ("PUBLIC" for PUBLIC) whose default
	// privileges are read ([Catalog.DefaultACLs]); DefaultACLs asks for
	// them.
	DefaultACLRoles []string
	DefaultACLs     bool
}

// A Function represents one live function (an overload).
type Function struct {
	OID        uint32
	Name       Name
	ArgTypes   []uint32 // input argument type OIDs
	Args       []string // the same, as format_type renders them
	ReturnOID  uint32
	Returns    string // format_type of the return type
	ReturnsSet bool
	Definer    bool   // SECURITY DEFINER
	Volatility string // immutable, stable, volatile
	Language   string
	Config     []string // proconfig: "search_path=public, pg_temp", ...
	// Executors are the roles of [Request.Roles] that may EXECUTE it
	// ("PUBLIC" when PUBLIC may).
	Executors []string
	// PublicExecute says PUBLIC may EXECUTE it (its ACL, or the default
	// when it has none), whichever roles were asked.
	PublicExecute bool
}

// Signature renders the function as schema.name(type, ...).
func (f *Function) Signature() string {
	return f.Name.String() + "(" + strings.Join(f.Args, ", ") + ")"
}
