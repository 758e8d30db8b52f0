package introspect

// Catalog queries of what a login of the application's role gets: whether
// row-level security binds it, its settings, the default privileges of the
// objects created later. Like the others they read pg_catalog only, take
// names as array parameters and never concatenate identifiers. The server
// decides every rule (pg_has_role, row_security_active); none is derived
// here.

// queryRunAsRole reads the run_as role ($1): superuser, BYPASSRLS, and the
// roles it is a member of (with or without inheritance: it may SET ROLE to
// them) that are superusers or have BYPASSRLS.
const queryRunAsRole = `
SELECT r.rolsuper, r.rolbypassrls,
       ARRAY(SELECT g.rolname::text FROM pg_catalog.pg_roles g
             WHERE g.oid <> r.oid AND (g.rolsuper OR g.rolbypassrls)
               AND pg_catalog.pg_has_role(r.oid, g.oid, 'MEMBER')
             ORDER BY 1)
FROM pg_catalog.pg_roles r
WHERE r.rolname = $1
`

// queryRunAsRelations reads, for each wanted relation and the run_as role
// ($3): its owner, whether the role is the owner or has its privileges
// (pg_has_role USAGE, which follows NOINHERIT and, on PostgreSQL 16+, each
// grant's INHERIT option, as row-level security's owner exemption does), and
// the policies that apply to the role: for PUBLIC or for a role whose
// privileges it has, as the server picks them.
const queryRunAsRelations = wantedRelations + `,
role AS (SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname = $3)
SELECT want.oid, n.nspname::text, c.relname::text, pg_catalog.pg_get_userbyid(want.relowner)::text,
       want.relowner = role.oid,
       pg_catalog.pg_has_role(role.oid, want.relowner, 'USAGE'),
       ARRAY(SELECT p.polname::text FROM pg_catalog.pg_policy p
             WHERE p.polrelid = want.oid
               AND EXISTS (SELECT 1 FROM unnest(p.polroles) AS pr(oid)
                           WHERE pr.oid = 0 OR pg_catalog.pg_has_role(role.oid, pr.oid, 'USAGE'))
             ORDER BY 1)
FROM want
JOIN pg_catalog.pg_class c ON c.oid = want.oid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
CROSS JOIN role
ORDER BY 1
`

// setRoleSQL is SET LOCAL ROLE with the role name as a parameter; it ends
// with the unit's rollback.
const setRoleSQL = "SELECT pg_catalog.set_config('role', $1, true)"

// queryRowSecurityActive asks, as the role set before it, whether
// row-level security applies to each wanted relation.
const queryRowSecurityActive = wantedRelations + `
SELECT want.oid, pg_catalog.row_security_active(want.oid)
FROM want
ORDER BY 1
`

// queryRoleSettings reads the settings a login of each role of $1 gets in
// the current database, from pg_db_role_setting: the most specific source
// wins, in the order the server applies them at login (database and role,
// role, database, all roles). settable says the role may set it itself:
// pg_settings' context is user, or it is a custom setting the session does
// not know.
const queryRoleSettings = `
WITH role AS (
	SELECT r.oid, r.rolname::text AS rolname FROM pg_catalog.pg_roles r WHERE r.rolname = ANY($1::text[])
),
db AS (SELECT d.oid FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database()),
setting AS (
	SELECT role.rolname, pg_catalog.split_part(cfg, '=', 1) AS name,
	       pg_catalog.substr(cfg, pg_catalog.strpos(cfg, '=') + 1) AS value,
	       CASE WHEN s.setrole <> 0 AND s.setdatabase <> 0 THEN 1
	            WHEN s.setrole <> 0 THEN 2
	            WHEN s.setdatabase <> 0 THEN 3
	            ELSE 4 END AS rank
	FROM role
	JOIN pg_catalog.pg_db_role_setting s
	  ON s.setrole IN (role.oid, 0) AND s.setdatabase IN (0, (SELECT db.oid FROM db))
	CROSS JOIN LATERAL unnest(s.setconfig) AS cfg
)
SELECT DISTINCT ON (setting.rolname, setting.name)
       setting.rolname, setting.name, setting.value,
       CASE setting.rank WHEN 1 THEN 'database and role' WHEN 2 THEN 'role' WHEN 3 THEN 'database' ELSE 'all roles' END,
       coalesce((SELECT ps.context = 'user' FROM pg_catalog.pg_settings ps WHERE ps.name = setting.name), true)
FROM setting
ORDER BY setting.rolname, setting.name, setting.rank
`

// queryDefaultACLs reads the default privileges (pg_default_acl) of
// tables, sequences and functions that give each grantee of $1 something,
// with what it gets through PUBLIC and the roles it inherits ("PUBLIC" in
// $1 reads PUBLIC's own). The schema is empty for a default of every schema.
const queryDefaultACLs = `
WITH grantee AS (
	SELECT r.oid, r.rolname::text AS rolname FROM pg_catalog.pg_roles r WHERE r.rolname = ANY($1::text[])
	UNION ALL
	SELECT 0, 'PUBLIC' WHERE 'PUBLIC' = ANY($1::text[])
)
SELECT pg_catalog.pg_get_userbyid(d.defaclrole)::text, coalesce(n.nspname::text, ''),
       CASE d.defaclobjtype WHEN 'r' THEN 'tables' WHEN 'S' THEN 'sequences' ELSE 'functions' END,
       grantee.rolname,
       array_agg(DISTINCT acl.privilege_type::text ORDER BY acl.privilege_type::text)
FROM pg_catalog.pg_default_acl d
LEFT JOIN pg_catalog.pg_namespace n ON n.oid = d.defaclnamespace
CROSS JOIN LATERAL pg_catalog.aclexplode(d.defaclacl) AS acl
JOIN grantee ON acl.grantee = grantee.oid
             OR grantee.oid <> 0 AND (acl.grantee = 0 OR pg_catalog.pg_has_role(grantee.oid, acl.grantee, 'USAGE'))
WHERE d.defaclobjtype IN ('r', 'S', 'f')
GROUP BY 1, 2, 3, 4
ORDER BY 1, 2, 3, 4
`
