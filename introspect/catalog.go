package introspect

import "github.com/rbacdrift/rbacdrift/introspect/catalog"

// The catalog's value types live in package catalog, which imports no
// driver, so that package drift compares them without one. These aliases keep
// introspect's signatures in its own terms.
type (
	Name          = catalog.Name
	Request       = catalog.Request
	Catalog       = catalog.Catalog
	Server        = catalog.Server
	Relation      = catalog.Relation
	Column        = catalog.Column
	Constraint    = catalog.Constraint
	ForeignKey    = catalog.ForeignKey
	Index         = catalog.Index
	Privilege     = catalog.Privilege
	Effective     = catalog.Effective
	Membership    = catalog.Membership
	Sequence      = catalog.Sequence
	Function      = catalog.Function
	Policy        = catalog.Policy
	Enum          = catalog.Enum
	Type          = catalog.Type
	TypeRef       = catalog.TypeRef
	Role          = catalog.Role
	Roles         = catalog.Roles
	RelationFacts = catalog.RelationFacts
	PolicyFacts   = catalog.PolicyFacts
	QueryFacts    = catalog.QueryFacts
)

// Relation kinds, as the model names them.
const (
	KindTable            = catalog.KindTable
	KindPartitionedTable = catalog.KindPartitionedTable
	KindView             = catalog.KindView
	KindMaterializedView = catalog.KindMaterializedView
	KindForeignTable     = catalog.KindForeignTable
)
