package catalog

// A Role describes a role an application query runs as.
type Role struct {
	Name      string
	Exists    bool
	Superuser bool
	BypassRLS bool
	// CanAssume says whether the session user may SET ROLE to it: a member of
	// it, or a superuser.
	CanAssume bool
	// Settings are what a login of the role gets in this database, by name
	// ([introspect.ReadRoles]).
	Settings []RoleSetting
}

// Roles is what [ReadRoles] found.
type Roles struct {
	SessionUser string
	CurrentUser *Role // the role statements run as without SET ROLE
	ByName      map[string]*Role
}

// RelationFacts describes a relation an application query reads, as seen
// by the role the query runs as.
type RelationFacts struct {
	Schema           string         `json:"schema"`
	Name             string         `json:"name"`
	Kind             string         `json:"kind"` // pg_class.relkind: r, p, v, m, f ...
	RowSecurity      bool           `json:"rls"`
	ForceRowSecurity bool           `json:"force"`
	Owner            string         `json:"owner"`
	Owned            bool           `json:"owned"` // the role has the owner's privileges
	Select           bool           `json:"select"`
	Insert           bool           `json:"insert"`
	Update           bool           `json:"update"`
	Delete           bool           `json:"delete"`
	Policies         []*PolicyFacts `json:"policies"`
}

// QName returns the relation's name as schema.name.
func (r *RelationFacts) QName() Name { return Name{Schema: r.Schema, Name: r.Name} }

// PolicyFacts describes one row-level security policy of a relation.
type PolicyFacts struct {
	Name       string   `json:"name"`
	Command    string   `json:"command"` // ALL, SELECT, INSERT, UPDATE, DELETE
	Permissive bool     `json:"permissive"`
	Roles      []string `json:"roles"`   // "public" for PUBLIC
	Applies    bool     `json:"applies"` // the policy is for PUBLIC or for a role the role has the privileges of
}

// A TypeRef is a type OID and modifier to render with format_type.
type TypeRef struct {
	OID    uint32
	TypMod int32
}

// QueryFacts is what [ReadQueryFacts] found.
type QueryFacts struct {
	Relations []*RelationFacts
	// Elsewhere lists relations, in any user schema, that have one of the
	// looked-up bare names.
	Elsewhere map[string][]Name
	// TypeNames holds format_type of each asked type, in order.
	TypeNames []string
}

// A Type is a declared type name as the server reads it.
type Type struct {
	OID    uint32
	TypMod int32 // -1 when the type has no modifier
}
