package introspect

// Snapshot queries: which relations and roles a snapshot covers. Like
// the queries in queries.go they read pg_catalog only and take every name as
// a parameter: $1 the schemas, $2 the wanted relation names (empty: all),
// $3 a LIKE pattern on the relation name ('' : all). Names sort bytewise
// (COLLATE "C"), whatever the database's collation.

// selectedRelations is the common head of the snapshot queries: the chosen
// relations. Partitions are left out unless named, as their parent stands
// for them.
const selectedRelations = `
WITH sel AS (
	SELECT c.oid, n.nspname, c.relname
	FROM pg_catalog.pg_class c
	JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
	WHERE n.nspname = ANY($1::text[])
	  AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
	  AND (cardinality($2::text[]) = 0 OR c.relname = ANY($2::text[]))
	  AND (cardinality($2::text[]) > 0 OR NOT c.relispartition)
	  AND ($3::text = '' OR c.relname LIKE $3::text)
)
`

// queryListRelations lists the chosen relations.
const queryListRelations = selectedRelations + `
SELECT sel.nspname::text, sel.relname::text
FROM sel
ORDER BY sel.nspname COLLATE "C", sel.relname COLLATE "C"
`

// queryListRoles reads which of the given role names ($1) exist.
const queryListRoles = `
SELECT r.rolname::text
FROM pg_catalog.pg_roles r
WHERE r.rolname = ANY($1::text[])
ORDER BY r.rolname::text COLLATE "C"
`

// queryListSchemas lists the schemas whose name matches one of the LIKE
// patterns ($1), system schemas left out, sorted.
const queryListSchemas = `SELECT n.nspname::text
FROM pg_catalog.pg_namespace n
WHERE n.nspname LIKE ANY ($1::text[])
  AND n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema'
ORDER BY 1`
