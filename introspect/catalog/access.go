package catalog

// RunAs describes the role the application's queries run as, and whether
// row-level security binds it on the wanted relations, as the server
// decides it.
type RunAs struct {
	Role      string
	Exists    bool
	Superuser bool
	BypassRLS bool
	// Bypassers are the roles it is a member of (it may SET ROLE to them,
	// inheriting or not) that are superusers or have BYPASSRLS.
	Bypassers []string
	// Assumed says the checking user could SET ROLE to it, so that
	// [RunAsRelation.Active] was asked as the role.
	Assumed bool
	// Relations holds a row per wanted relation that exists.
	Relations map[Name]*RunAsRelation
}

// A RunAsRelation is what row-level security on one relation means for
// the run_as role.
type RunAsRelation struct {
	Owner string
	// Owns: the role is the owner; OwnerPrivileges: it has the owner's
	// privileges (it is the owner, or inherits from it: pg_has_role USAGE).
	Owns            bool
	OwnerPrivileges bool
	// Active is row_security_active(relation) asked as the role; nil when
	// the role could not be assumed.
	Active *bool
	// Applying lists the policies that apply to the role: for PUBLIC, or
	// for a role whose privileges it has.
	Applying []string
}

// A RoleSetting is one setting a login of a role gets in the current
// database, from pg_db_role_setting, the most specific source winning.
type RoleSetting struct {
	Name  string
	Value string
	// Scope says where it is set: "database and role" (ALTER ROLE ... IN
	// DATABASE), "role" (ALTER ROLE), "database" (ALTER DATABASE), "all
	// roles" (ALTER ROLE ALL).
	Scope string
	// Settable says the role may set it itself (pg_settings context user,
	// or a custom setting): a dry run applies it as a login would.
	Settable bool
}

// A DefaultACL is what objects of a kind that Owner creates (in Schema, ""
// for every schema) give Grantee when created: pg_default_acl, with the
// privileges Grantee gets through PUBLIC and the roles it inherits.
type DefaultACL struct {
	Owner      string
	Schema     string
	Objects    string // tables, sequences, functions
	Grantee    string // a role, or "PUBLIC"
	Privileges []string
}
