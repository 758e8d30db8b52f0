package introspect

// Catalog queries of the dry run (see [ReadRoles] and [ReadQueryFacts]). Like
// the queries in queries.go they read pg_catalog only, take names as array
// parameters and never concatenate identifiers.

// queryRoles reads the roles queries run as, and the connecting user (the
// row with ord 0), in one round trip. A role can be assumed (SET ROLE) when
// the session user is a member of it, or a superuser. From PostgreSQL 16 on
// the membership must also carry the SET option (GRANT ... WITH SET FALSE
// keeps a member from SET ROLE), which pg_has_role tells as 'SET', a
// privilege name that older servers reject; the CASE only calls the branch
// of the running server.
const queryRoles = `
WITH w AS (
	SELECT name, ord FROM unnest($1::text[]) WITH ORDINALITY AS w(name, ord)
	UNION ALL
	SELECT current_user::text, 0
),
s AS (
	SELECT coalesce(bool_or(rolsuper), false) AS rolsuper
	FROM pg_catalog.pg_roles WHERE rolname = session_user
)
SELECT w.name, r.oid IS NOT NULL, coalesce(r.rolsuper, false), coalesce(r.rolbypassrls, false),
       coalesce(s.rolsuper OR CASE WHEN current_setting('server_version_num')::int >= 160000
                                   THEN pg_catalog.pg_has_role(session_user, r.oid, 'SET')
                                   ELSE pg_catalog.pg_has_role(session_user, r.oid, 'MEMBER') END, false),
       session_user::text
FROM w
CROSS JOIN s
LEFT JOIN pg_catalog.pg_roles r ON r.rolname = w.name
ORDER BY w.ord
`

// queryQueryFacts reads, for the application queries that run as one
// role ($1), in one round trip:
//   - the relations their SQL names ($2, names as the SQL writes them,
//     resolved with to_regclass on the session's search_path), each once
//     with the names that resolved to it ("wanted"): kind, row-level
//     security, whether the role owns them, its table privileges, and
//     every policy with whether it applies to the role;
//   - relations of the names in $3 in any user schema (a table that moved).
//
// A policy applies to a role when it is for PUBLIC or for a role whose
// privileges the role has, as PostgreSQL decides it (pg_has_role USAGE).
const queryQueryFacts = `
WITH cand AS (
	SELECT c.oid, array_agg(DISTINCT w.name ORDER BY w.name) AS wanted
	FROM unnest($2::text[]) AS w(name)
	JOIN pg_catalog.pg_class c ON c.oid = pg_catalog.to_regclass(w.name)
	GROUP BY c.oid
)
SELECT
	coalesce((
		SELECT json_agg(json_build_object(
			'wanted', cand.wanted,
			'schema', n.nspname, 'name', c.relname, 'kind', c.relkind,
			'rls', c.relrowsecurity, 'force', c.relforcerowsecurity,
			'owner', pg_catalog.pg_get_userbyid(c.relowner),
			'owned', pg_catalog.pg_has_role($1::name, c.relowner, 'USAGE'),
			'select', pg_catalog.has_table_privilege($1::name, c.oid, 'SELECT'),
			'insert', pg_catalog.has_table_privilege($1::name, c.oid, 'INSERT'),
			'update', pg_catalog.has_table_privilege($1::name, c.oid, 'UPDATE'),
			'delete', pg_catalog.has_table_privilege($1::name, c.oid, 'DELETE'),
			'policies', coalesce((
				SELECT json_agg(json_build_object(
					'name', p.polname,
					'command', CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT'
						WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' ELSE 'ALL' END,
					'permissive', p.polpermissive,
					'roles', ARRAY(SELECT CASE WHEN r = 0 THEN 'public' ELSE pg_catalog.pg_get_userbyid(r)::text END
					               FROM unnest(p.polroles) AS r ORDER BY 1),
					'applies', EXISTS (SELECT 1 FROM unnest(p.polroles) AS r
					                   WHERE r = 0 OR pg_catalog.pg_has_role($1::name, r, 'USAGE'))
				) ORDER BY p.polname)
				FROM pg_catalog.pg_policy p WHERE p.polrelid = c.oid), '[]'::json)
		) ORDER BY n.nspname, c.relname)
		FROM cand
		JOIN pg_catalog.pg_class c ON c.oid = cand.oid
		JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
	), '[]'::json),
	coalesce((
		SELECT json_agg(json_build_object('wanted', w.name, 'schema', n.nspname, 'name', c.relname)
		                ORDER BY w.name, n.nspname)
		FROM (SELECT DISTINCT name FROM unnest($3::text[]) AS w(name)) AS w
		JOIN pg_catalog.pg_class c ON c.relname = w.name AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
		JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
		  AND n.nspname NOT LIKE 'pg_toast%'
		  AND NOT pg_catalog.pg_is_other_temp_schema(n.oid)
	), '[]'::json)
`

// queryTypeNames renders the type OIDs and modifiers in $1 and $2 with
// format_type, in order.
const queryTypeNames = `
SELECT ARRAY(SELECT pg_catalog.format_type(t.oid, t.mod)
             FROM unnest($1::oid[], $2::int4[]) WITH ORDINALITY AS t(oid, mod, ord)
             ORDER BY t.ord)
`

// SetSearchPathSQL puts a schema ($1, quoted as search_path wants it) first
// on the search_path of the transaction: a tenant's queries resolve their
// tables in the tenant's schema. The name is a parameter; LOCAL (true) ends
// it with the transaction.
const SetSearchPathSQL = "SELECT pg_catalog.set_config('search_path', $1 || ', ' || pg_catalog.current_setting('search_path'), true)"
