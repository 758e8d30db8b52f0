// Package spec reads the declared model: the YAML file in which an application
// says which RBAC tables, enums, privileges and permission queries it expects.
//
// # What it owns
//
// [Parse] and [Load] turn a version-1 model file into a [Model] and report every
// problem as an [Error] that names file:line:column. Decoding is strict: unknown
// keys, duplicate keys, wrong types and a missing version are errors. A field
// that is not given is not checked, so partial models work; optional facts are
// pointers or nil slices, and nil means "not declared".
//
// # What it never does
//
// It never connects to a database and knows nothing of the catalog: declared
// types stay as the text the user wrote (checked only for shape, see
// [ValidTypeName]); the server canonicalises them later.
package spec
