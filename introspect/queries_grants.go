package introspect

// queryEffectivePrivileges reads, for each wanted relation and each role of
// $3 (the roles a model's grants name, PUBLIC left out), what the role can
// really do as PostgreSQL decides it, and through which grantee.
//
// Table rows (attname NULL) come for every table privilege, held or not:
// held is has_table_privilege, which counts the role's own ACL entries,
// PUBLIC's, those of the roles it inherits (rolinherit, and on
// PostgreSQL 16+ each grant's INHERIT option), the predefined
// pg_read_all_data and pg_write_all_data, ownership and superuser.
// through lists the ACL grantees the role draws the privilege from (itself,
// PUBLIC, a role it inherits), then a predefined role that gives it;
// member_only lists grantees that hold it and that the role is a member of
// without inheriting their privileges (NOINHERIT, INHERIT FALSE). groups and
// groups_noinherit are the roles it is a member of, with and without
// inheritance, so that a finding can say where a privilege was lost.
//
// Column rows come from the column ACLs (pg_attribute.attacl) only, for the
// column privileges the role draws from them (PUBLIC too, when $3 names it):
// a column privilege that the table grants is the table's.
const queryEffectivePrivileges = wantedRelations + `,
role AS (
	SELECT r.oid, r.rolname, r.rolsuper
	FROM pg_catalog.pg_roles r
	WHERE r.rolname = ANY($3::text[])
),
colrole AS (
	SELECT role.oid, role.rolname::text AS rolname FROM role
	UNION ALL
	SELECT 0, 'PUBLIC' WHERE 'PUBLIC' = ANY($3::text[])
),
membership AS (
	SELECT role.oid,
	       coalesce(array_agg(g.rolname::text ORDER BY g.rolname)
	                FILTER (WHERE pg_catalog.pg_has_role(role.oid, g.oid, 'USAGE')), '{}') AS groups,
	       coalesce(array_agg(g.rolname::text ORDER BY g.rolname)
	                FILTER (WHERE NOT pg_catalog.pg_has_role(role.oid, g.oid, 'USAGE')), '{}') AS groups_noinherit
	FROM role
	LEFT JOIN pg_catalog.pg_roles g
	       ON g.oid <> role.oid AND NOT role.rolsuper AND pg_catalog.pg_has_role(role.oid, g.oid, 'MEMBER')
	GROUP BY role.oid
),
predefined AS (
	SELECT d.oid, d.rolname::text AS rolname, p.priv
	FROM pg_catalog.pg_roles d
	JOIN (VALUES ('pg_read_all_data', 'SELECT'), ('pg_write_all_data', 'INSERT'),
	             ('pg_write_all_data', 'UPDATE'), ('pg_write_all_data', 'DELETE')) AS p(rolname, priv)
	  ON p.rolname = d.rolname
)
SELECT want.oid, NULL::text AS attname, role.rolname::text, p.priv,
       pg_catalog.has_table_privilege(role.oid, want.oid, p.priv) AS held,
       ARRAY(SELECT CASE WHEN acl.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(acl.grantee)::text END
             FROM pg_catalog.aclexplode(coalesce(want.relacl, pg_catalog.acldefault('r', want.relowner))) AS acl
             WHERE acl.privilege_type = p.priv
               AND (acl.grantee = 0 OR pg_catalog.pg_has_role(role.oid, acl.grantee, 'USAGE'))
             ORDER BY acl.grantee <> role.oid, acl.grantee <> 0, 1)
       || ARRAY(SELECT d.rolname FROM predefined d
                WHERE d.priv = p.priv AND d.oid <> role.oid AND pg_catalog.pg_has_role(role.oid, d.oid, 'USAGE')
                ORDER BY 1) AS through,
       ARRAY(SELECT pg_catalog.pg_get_userbyid(acl.grantee)::text
             FROM pg_catalog.aclexplode(coalesce(want.relacl, pg_catalog.acldefault('r', want.relowner))) AS acl
             WHERE acl.privilege_type = p.priv AND acl.grantee <> 0 AND NOT role.rolsuper
               AND pg_catalog.pg_has_role(role.oid, acl.grantee, 'MEMBER')
               AND NOT pg_catalog.pg_has_role(role.oid, acl.grantee, 'USAGE')
             ORDER BY 1) AS member_only,
       membership.groups, membership.groups_noinherit
FROM want
CROSS JOIN role
JOIN membership ON membership.oid = role.oid
CROSS JOIN (VALUES ('SELECT'), ('INSERT'), ('UPDATE'), ('DELETE'), ('TRUNCATE'), ('REFERENCES'), ('TRIGGER')) AS p(priv)
UNION ALL
SELECT want.oid, a.attname::text, colrole.rolname, acl.privilege_type, true,
       array_agg(CASE WHEN acl.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(acl.grantee)::text END
                 ORDER BY acl.grantee <> colrole.oid, acl.grantee <> 0, pg_catalog.pg_get_userbyid(acl.grantee)),
       '{}', '{}', '{}'
FROM want
JOIN pg_catalog.pg_attribute a ON a.attrelid = want.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attacl IS NOT NULL
CROSS JOIN colrole
CROSS JOIN LATERAL pg_catalog.aclexplode(a.attacl) AS acl
WHERE CASE WHEN acl.grantee = 0 THEN true
           WHEN colrole.oid = 0 THEN false
           ELSE pg_catalog.pg_has_role(colrole.oid, acl.grantee, 'USAGE') END
GROUP BY want.oid, a.attname, colrole.rolname, colrole.oid, acl.privilege_type
ORDER BY 1, 2 NULLS FIRST, 3, 4
`
