package introspect

// Catalog queries. Each takes the wanted relations as two parallel arrays,
// $1 schema names and $2 relation names, joined to pg_namespace and pg_class
// through their name indexes: the cost follows the number of wanted
// relations, not the size of the catalog.

// wantedRelations is the common head of the per-relation queries: the wanted
// relations that exist, by OID.
const wantedRelations = `
WITH want AS (
	SELECT c.oid, c.relowner, c.relacl
	FROM unnest($1::text[], $2::text[]) AS w(nspname, relname)
	JOIN pg_catalog.pg_class c
	  ON c.relname = w.relname
	 AND c.relnamespace = (SELECT n.oid FROM pg_catalog.pg_namespace n WHERE n.nspname = w.nspname)
	WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
)
`

// queryServer reads the server and the session's identity.
const queryServer = `
SELECT current_setting('server_version'),
       current_setting('server_version_num')::int,
       current_user::text,
       session_user::text,
       coalesce((SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user), false),
       current_database()::text,
       pg_catalog.pg_is_in_recovery(),
       CASE WHEN pg_catalog.pg_is_in_recovery()
            THEN extract(epoch FROM now() - pg_catalog.pg_last_xact_replay_timestamp())::float8 END,
       current_setting('search_path'),
       current_setting('default_transaction_read_only') = 'on'
`

// The wanted objects are reached by name and by the OID of their schema,
// resolved first (a subquery on pg_namespace_nspname_index), so that the
// index on (name, namespace) is probed on both: joined by the schema's name
// instead, the planner probed by name alone, and a database of a schema per
// tenant holds each name once per tenant (10,000 index rows for the 10
// wanted tables of two tenants out of 1,000, 30 ms a query instead of 2).

// queryRelations reads the wanted relations ($1, $2: schemas and names,
// pairwise) and, for a wanted relation that does not exist, every relation
// of its name in another user schema, which explains it ("it is in schema
// eval_authz"). Only then: a database of a schema per tenant holds each
// wanted name in every tenant's schema, a thousand relations a name that
// explain nothing when the wanted one is there.
const queryRelations = `
WITH w AS MATERIALIZED (
	SELECT w.nspname, w.relname, c.oid
	FROM unnest($1::text[], $2::text[]) AS w(nspname, relname)
	LEFT JOIN pg_catalog.pg_class c
	       ON c.relname = w.relname
	      AND c.relnamespace = (SELECT n.oid FROM pg_catalog.pg_namespace n WHERE n.nspname = w.nspname)
	      AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
),
found AS (
	SELECT DISTINCT w.oid FROM w WHERE w.oid IS NOT NULL
	UNION
	SELECT c.oid
	FROM pg_catalog.pg_class c
	JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
	WHERE c.relname = ANY (ARRAY(SELECT w.relname FROM w WHERE w.oid IS NULL))
	  AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
	  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
	  AND n.nspname NOT LIKE 'pg_toast%'
	  AND NOT pg_catalog.pg_is_other_temp_schema(n.oid)
)
SELECT c.oid, n.nspname::text, c.relname::text, c.relkind::text,
       pg_catalog.pg_get_userbyid(c.relowner)::text,
       c.relrowsecurity, c.relforcerowsecurity, c.reltuples::float8
FROM found
JOIN pg_catalog.pg_class c ON c.oid = found.oid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
ORDER BY n.nspname, c.relname
`

// queryColumns reads the columns of the wanted relations. pg_get_expr with
// the relation opens it, so a table held ACCESS EXCLUSIVE (a migration) makes
// the read wait and fail as a lock wait, which the safety tests require;
// relid 0 would render a default (which cannot refer to a column) without
// waiting, and faster in a fresh session, where the relation's cache entry
// must be built (BENCHMARKS.md has the measurement).
const queryColumns = wantedRelations + `
SELECT a.attrelid, a.attnum::int, a.attname::text, a.atttypid, a.atttypmod,
       pg_catalog.format_type(a.atttypid, a.atttypmod),
       a.attnotnull,
       CASE WHEN a.attgenerated = '' THEN pg_catalog.pg_get_expr(d.adbin, d.adrelid) END,
       a.attidentity::text,
       CASE WHEN a.attgenerated <> '' THEN pg_catalog.pg_get_expr(d.adbin, d.adrelid) END
FROM want
JOIN pg_catalog.pg_attribute a ON a.attrelid = want.oid
LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attrelid, a.attnum
`

// queryConstraints reads primary keys, unique, foreign key and exclusion
// constraints.
// The key's own columns come as attnums, named from the columns queryColumns
// read in the same batch: a lookup in pg_attribute per key column cost more
// than the rest of the query (BENCHMARKS.md, "Catalog queries"). The
// referenced columns, of a relation that may not be wanted, are named here,
// one pg_attribute_relid_attnum_index probe on (attrelid, attnum) each (a
// join of the key array with pg_attribute is planned as a hash join that
// reads every column of the table once per constraint). An exclusion
// constraint comes with the name of its index, which holds its elements,
// and its operators. NULLS NOT DISTINCT is read through to_jsonb, which
// gives NULL before PostgreSQL 15, where pg_index has no such column.
const queryConstraints = wantedRelations + `
SELECT con.conrelid, con.conname::text, con.contype::text, con.conkey,
       coalesce(rn.nspname::text, ''), coalesce(rc.relname::text, ''),
       ARRAY(SELECT (SELECT a.attname::text FROM pg_catalog.pg_attribute a
                     WHERE a.attrelid = con.confrelid AND a.attnum = k.attnum)
             FROM unnest(con.confkey) WITH ORDINALITY AS k(attnum, ord)
             ORDER BY k.ord),
       con.confdeltype::text, con.confupdtype::text, con.condeferrable, con.condeferred,
       con.convalidated,
       coalesce((SELECT ic.relname::text FROM pg_catalog.pg_class ic WHERE ic.oid = con.conindid), ''),
       ARRAY(SELECT (SELECT o.oprname::text FROM pg_catalog.pg_operator o WHERE o.oid = x.op)
             FROM unnest(con.conexclop) WITH ORDINALITY AS x(op, ord)
             ORDER BY x.ord),
       coalesce((SELECT (to_jsonb(i) ->> 'indnullsnotdistinct')::bool
                 FROM pg_catalog.pg_index i WHERE i.indexrelid = con.conindid), false)
FROM want
JOIN pg_catalog.pg_constraint con ON con.conrelid = want.oid
LEFT JOIN pg_catalog.pg_class rc ON rc.oid = con.confrelid
LEFT JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace
WHERE con.contype IN ('p', 'u', 'f', 'x')
ORDER BY con.conrelid, con.conname
`

// queryIndexes reads the indexes: the key columns as attnums (0 for an
// expression), named from the columns queryColumns read, as for
// queryConstraints; and, for an index with expressions, every key column as
// pg_get_indexdef renders it, of which the expressions are taken. The slice
// of indkey makes a 1-based array of the key columns, without the INCLUDE
// ones, which the second slice holds. Per key column: the operator class,
// whether it is its type's default for the method (what CREATE INDEX
// chooses when none is named, and pg_get_indexdef leaves out), the
// collation, whether it is the column's own (for an expression, its
// type's), and indoption (1 DESC, 2 NULLS FIRST). NULLS NOT DISTINCT is read
// through to_jsonb, which gives NULL before PostgreSQL 15.
const queryIndexes = wantedRelations + `
SELECT i.indrelid, ic.relname::text, i.indisunique, i.indisprimary,
       (i.indkey::int2[])[0:i.indnkeyatts - 1],
       CASE WHEN i.indexprs IS NOT NULL
            THEN ARRAY(SELECT pg_catalog.pg_get_indexdef(i.indexrelid, k, true)
                       FROM generate_series(1, i.indnkeyatts) AS k ORDER BY k) END,
       pg_catalog.pg_get_expr(i.indpred, i.indrelid),
       am.amname::text, i.indisvalid,
       (i.indkey::int2[])[i.indnkeyatts:i.indnatts - 1],
       ARRAY(SELECT (SELECT opc.opcname::text FROM pg_catalog.pg_opclass opc WHERE opc.oid = k.opc)
             FROM unnest(i.indclass::oid[]) WITH ORDINALITY AS k(opc, n) ORDER BY k.n),
       ARRAY(SELECT (SELECT opc.opcdefault FROM pg_catalog.pg_opclass opc WHERE opc.oid = k.opc)
             FROM unnest(i.indclass::oid[]) WITH ORDINALITY AS k(opc, n) ORDER BY k.n),
       ARRAY(SELECT coalesce((SELECT co.collname::text FROM pg_catalog.pg_collation co WHERE co.oid = k.coll), '')
             FROM unnest(i.indcollation::oid[]) WITH ORDINALITY AS k(coll, n) ORDER BY k.n),
       ARRAY(SELECT coalesce(k.coll = coalesce(
                      (SELECT a.attcollation FROM pg_catalog.pg_attribute a
                       WHERE a.attrelid = i.indrelid AND a.attnum = (i.indkey::int2[])[k.n - 1] AND a.attnum > 0),
                      (SELECT t.typcollation FROM pg_catalog.pg_attribute a
                       JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
                       WHERE a.attrelid = i.indexrelid AND a.attnum = k.n)), true)
             FROM unnest(i.indcollation::oid[]) WITH ORDINALITY AS k(coll, n) ORDER BY k.n),
       i.indoption::int2[],
       coalesce((to_jsonb(i) ->> 'indnullsnotdistinct')::bool, false)
FROM want
JOIN pg_catalog.pg_index i ON i.indrelid = want.oid
JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
JOIN pg_catalog.pg_am am ON am.oid = ic.relam
ORDER BY i.indrelid, ic.relname
`

// queryPrivileges reads table privileges from the ACL itself (aclexplode),
// so that grants the connecting role cannot see are not missed. A NULL ACL
// means the owner's defaults.
const queryPrivileges = wantedRelations + `
SELECT want.oid,
       CASE WHEN acl.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(acl.grantee)::text END,
       acl.privilege_type, acl.is_grantable
FROM want,
     LATERAL pg_catalog.aclexplode(coalesce(want.relacl, pg_catalog.acldefault('r', want.relowner))) AS acl
ORDER BY want.oid, 2, 3
`

// queryPolicies reads row-level security policies.
const queryPolicies = wantedRelations + `
SELECT p.polrelid, p.polname::text,
       CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE'
                     WHEN 'd' THEN 'DELETE' ELSE 'ALL' END,
       p.polpermissive,
       ARRAY(SELECT CASE WHEN r = 0 THEN 'public' ELSE pg_catalog.pg_get_userbyid(r)::text END
             FROM unnest(p.polroles) AS r ORDER BY 1),
       pg_catalog.pg_get_expr(p.polqual, p.polrelid),
       pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid)
FROM want
JOIN pg_catalog.pg_policy p ON p.polrelid = want.oid
ORDER BY p.polrelid, p.polname
`

// queryEnums reads the types under the wanted enum names ($1 schemas, $2
// names) and, for enums, their labels in order.
const queryEnums = `
SELECT t.oid, n.nspname::text, t.typname::text, t.typtype = 'e',
       ARRAY(SELECT e.enumlabel::text FROM pg_catalog.pg_enum e
             WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder)
FROM unnest($1::text[], $2::text[]) AS w(nspname, typname)
JOIN pg_catalog.pg_type t
  ON t.typname = w.typname
 AND t.typnamespace = (SELECT n.oid FROM pg_catalog.pg_namespace n WHERE n.nspname = w.nspname)
JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
ORDER BY n.nspname, t.typname
`

// queryEnumsUsed reads the enum types that the column types $1 are, or hold
// as the element of an array or the base of a domain, with their labels in
// order. The column types come from queryColumns: a few hundred distinct
// OIDs, each reached through pg_type_oid_index.
const queryEnumsUsed = `
SELECT t.oid, n.nspname::text, t.typname::text, true,
       ARRAY(SELECT e.enumlabel::text FROM pg_catalog.pg_enum e
             WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder)
FROM pg_catalog.pg_type t
JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
WHERE t.typtype = 'e'
  AND t.oid IN (SELECT x.oid
                FROM pg_catalog.pg_type ct,
                     LATERAL (VALUES (ct.oid), (ct.typelem), (ct.typbasetype)) AS x(oid)
                WHERE ct.oid = ANY($1::oid[]))
ORDER BY n.nspname, t.typname
`
