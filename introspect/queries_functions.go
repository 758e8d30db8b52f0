package introspect

// queryFunctions reads every function (prokind 'f') whose schema and name
// are one of the pairs $1, $2, with each overload's input argument types
// (proargtypes) and their names as format_type renders them, its return
// type, security, volatility, language and own settings (proconfig), and
// which of the roles $3 may EXECUTE it (has_function_privilege: their own
// grants, inherited ones and PUBLIC's; PUBLIC itself from the ACL, where
// EXECUTE is PUBLIC's by default); and, whatever $3, whether PUBLIC may.
const queryFunctions = `
SELECT p.oid, n.nspname::text, p.proname::text,
       p.proargtypes::oid[],
       ARRAY(SELECT pg_catalog.format_type(t.oid, NULL)
             FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY AS t(oid, ord) ORDER BY t.ord),
       p.prorettype, pg_catalog.format_type(p.prorettype, NULL), p.proretset,
       p.prosecdef, p.provolatile::text, l.lanname::text,
       coalesce(p.proconfig, '{}')::text[],
       ARRAY(SELECT r.rolname::text FROM pg_catalog.pg_roles r
             WHERE r.rolname = ANY($3::text[]) AND pg_catalog.has_function_privilege(r.oid, p.oid, 'EXECUTE')
             ORDER BY 1)
       || CASE WHEN 'PUBLIC' = ANY($3::text[]) AND EXISTS (
               SELECT 1 FROM pg_catalog.aclexplode(coalesce(p.proacl, pg_catalog.acldefault('f', p.proowner))) AS acl
               WHERE acl.grantee = 0 AND acl.privilege_type = 'EXECUTE')
          THEN ARRAY['PUBLIC'] ELSE '{}'::text[] END,
       EXISTS (SELECT 1 FROM pg_catalog.aclexplode(coalesce(p.proacl, pg_catalog.acldefault('f', p.proowner))) AS acl
               WHERE acl.grantee = 0 AND acl.privilege_type = 'EXECUTE')
FROM unnest($1::text[], $2::text[]) AS w(nspname, proname)
JOIN pg_catalog.pg_proc p
  ON p.proname = w.proname
 AND p.pronamespace = (SELECT n.oid FROM pg_catalog.pg_namespace n WHERE n.nspname = w.nspname)
JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
JOIN pg_catalog.pg_language l ON l.oid = p.prolang
WHERE p.prokind = 'f'
ORDER BY 2, 3, 5
`

// queryListFunctions lists the names of the functions of the schemas $1
// whose name is LIKE $2 (none when $2 is empty), leaving out those of
// extensions: a snapshot's --functions.
const queryListFunctions = `
SELECT n.nspname::text, p.proname::text
FROM pg_catalog.pg_proc p
JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = ANY($1::text[]) AND $2::text <> '' AND p.proname LIKE $2::text AND p.prokind = 'f'
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                  WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
GROUP BY n.nspname, p.proname
ORDER BY n.nspname COLLATE "C", p.proname COLLATE "C"
`
