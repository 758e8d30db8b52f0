// Package drift compares the declared model ([spec.Model]) with the live
// catalog ([catalog.Catalog]) and owns the findings that say how they
// differ.
//
// # Findings
//
// A [Finding] carries a stable kebab-case code (listed in [Codes]), a
// severity, the object it is about (public.role_permissions.permission_id,
// query:resolve_user_permissions), what the model expected, what the
// database has, a one-line message, a hint that says how to fix it, and the
// model position it came from. Hints name the likely cause where the catalog
// shows one: a legacy layout that a migration should have replaced, a column
// that looks renamed, a table that lives in another schema.
//
// # What it never does
//
// It never talks to the database itself; it compares what it is given.
package drift
