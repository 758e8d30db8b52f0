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

// queryListCalledFunctions lists the functions that the chosen relations'
// row-level security policies, column defaults and CHECK constraints call
// (pg_depend records them), leaving out pg_catalog's and those of
// extensions: a snapshot records them always, since the rows the
// application sees depend on them (an authorize() in a policy).
const queryListCalledFunctions = selectedRelations + `
SELECT n.nspname::text, p.proname::text
FROM pg_catalog.pg_depend d
JOIN pg_catalog.pg_proc p ON p.oid = d.refobjid
JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
WHERE d.refclassid = 'pg_catalog.pg_proc'::regclass
  AND p.prokind = 'f' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND (   (d.classid = 'pg_catalog.pg_policy'::regclass
           AND d.objid IN (SELECT pol.oid FROM pg_catalog.pg_policy pol JOIN sel ON sel.oid = pol.polrelid))
       OR (d.classid = 'pg_catalog.pg_attrdef'::regclass
           AND d.objid IN (SELECT ad.oid FROM pg_catalog.pg_attrdef ad JOIN sel ON sel.oid = ad.adrelid))
       OR (d.classid = 'pg_catalog.pg_constraint'::regclass
           AND d.objid IN (SELECT co.oid FROM pg_catalog.pg_constraint co JOIN sel ON sel.oid = co.conrelid)))
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e
                  WHERE e.classid = 'pg_catalog.pg_proc'::regclass AND e.objid = p.oid AND e.deptype = 'e')
GROUP BY n.nspname, p.proname
ORDER BY n.nspname COLLATE "C", p.proname COLLATE "C"
`
