package introspect

// querySequences reads, for each serial (nextval default) or identity column
// of the wanted relations, the sequence behind it: found through pg_depend
// (the default's dependency on it, or the identity's internal one; by name
// for a nextval('name'::text) default, rendered
// nextval(('name'::text)::regclass), which looks the sequence up at each
// call and records no dependency), whether
// the column owns it, its parameters and last value (pg_sequence_last_value,
// as pg_sequences does, when the checking user may read it), the roles of $3
// that may not call nextval on it, and whether max(column) can be read from
// the head of an index (a valid btree index without predicate whose first
// key is the column) by a checking user that may SELECT the table.
const querySequences = wantedRelations + `
SELECT want.oid, a.attname::text, a.attidentity <> '',
       sn.nspname::text, s.relname::text,
       coalesce(EXISTS (
           SELECT 1 FROM pg_catalog.pg_depend d
           WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = s.oid
             AND d.refclassid = 'pg_catalog.pg_class'::regclass AND d.refobjid = want.oid
             AND d.refobjsubid = a.attnum AND d.deptype IN ('a', 'i')), false),
       (SELECT (on_.nspname || '.' || oc.relname || '.' || oa.attname)::text
        FROM pg_catalog.pg_depend d
        JOIN pg_catalog.pg_class oc ON oc.oid = d.refobjid
        JOIN pg_catalog.pg_namespace on_ ON on_.oid = oc.relnamespace
        JOIN pg_catalog.pg_attribute oa ON oa.attrelid = d.refobjid AND oa.attnum = d.refobjsubid
        WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = s.oid
          AND d.refclassid = 'pg_catalog.pg_class'::regclass AND d.deptype IN ('a', 'i') AND d.refobjsubid > 0
          AND NOT (d.refobjid = want.oid AND d.refobjsubid = a.attnum)
        ORDER BY 1 LIMIT 1),
       CASE WHEN pg_catalog.has_sequence_privilege(s.oid, 'SELECT,USAGE')
            THEN pg_catalog.pg_sequence_last_value(s.oid) END,
       coalesce(pg_catalog.has_sequence_privilege(s.oid, 'SELECT,USAGE'), false),
       coalesce(sq.seqstart, 0), coalesce(sq.seqincrement, 0), coalesce(sq.seqmax, 0), coalesce(sq.seqcycle, false),
       ARRAY(SELECT r.rolname::text FROM pg_catalog.pg_roles r
             WHERE r.rolname = ANY($3::text[]) AND s.oid IS NOT NULL
               AND NOT pg_catalog.has_sequence_privilege(r.oid, s.oid, 'USAGE,UPDATE')
             ORDER BY 1),
       EXISTS (SELECT 1 FROM pg_catalog.pg_index i
               JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
               JOIN pg_catalog.pg_am am ON am.oid = ic.relam
               WHERE i.indrelid = want.oid AND i.indkey[0] = a.attnum AND i.indisvalid
                 AND i.indpred IS NULL AND am.amname = 'btree'),
       pg_catalog.has_table_privilege(want.oid, 'SELECT')
FROM want
JOIN pg_catalog.pg_attribute a ON a.attrelid = want.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
LEFT JOIN LATERAL (
	SELECT d.refobjid AS seqoid
	FROM pg_catalog.pg_depend d
	JOIN pg_catalog.pg_class x ON x.oid = d.refobjid AND x.relkind = 'S'
	WHERE a.attidentity = '' AND d.classid = 'pg_catalog.pg_attrdef'::regclass AND d.objid = ad.oid
	  AND d.refclassid = 'pg_catalog.pg_class'::regclass
	UNION ALL
	SELECT d.objid
	FROM pg_catalog.pg_depend d
	WHERE a.attidentity <> '' AND d.classid = 'pg_catalog.pg_class'::regclass
	  AND d.refclassid = 'pg_catalog.pg_class'::regclass AND d.refobjid = want.oid
	  AND d.refobjsubid = a.attnum AND d.deptype = 'i'
	LIMIT 1
) AS dep ON true
LEFT JOIN LATERAL (
	SELECT pg_catalog.to_regclass(replace(substring(pg_catalog.pg_get_expr(ad.adbin, ad.adrelid)
	           FROM '^nextval\(\(''((?:[^'']|'''')+)''::text\)::regclass\)$'), '''''', '''')) AS seqoid
	WHERE dep.seqoid IS NULL AND a.attidentity = ''
) AS late ON true
LEFT JOIN pg_catalog.pg_class s ON s.oid = coalesce(dep.seqoid, late.seqoid) AND s.relkind = 'S'
LEFT JOIN pg_catalog.pg_namespace sn ON sn.oid = s.relnamespace
LEFT JOIN pg_catalog.pg_sequence sq ON sq.seqrelid = s.oid
WHERE a.attidentity <> '' OR pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) LIKE 'nextval(%'
ORDER BY 1, a.attnum
`

// sequenceFacts is the common body of the queries of sequences read as
// objects of their own: for each sequence of the CTE seq, the column that
// owns it (pg_depend: OWNED BY is an automatic dependency, an identity's an
// internal one) and, as a JSON object, the sequence privileges each role of
// the CTE asked can use: has_sequence_privilege for a role that exists,
// PUBLIC's own ACL entries (acldefault gives it none) when asked names
// PUBLIC.
const sequenceFacts = `
SELECT seq.oid, seq.nspname::text, seq.relname::text,
       owner.nspname, owner.relname, owner.attname,
       (SELECT coalesce(pg_catalog.jsonb_object_agg(h.rolname, h.privs), '{}'::jsonb)
        FROM (SELECT r.rolname::text AS rolname,
                     ARRAY(SELECT p.priv FROM (VALUES (1, 'USAGE'), (2, 'SELECT'), (3, 'UPDATE')) AS p(ord, priv)
                           WHERE pg_catalog.has_sequence_privilege(r.oid, seq.oid, p.priv) ORDER BY p.ord) AS privs
              FROM pg_catalog.pg_roles r
              JOIN asked ON asked.rolname = r.rolname
              UNION ALL
              SELECT 'PUBLIC',
                     ARRAY(SELECT p.priv FROM (VALUES (1, 'USAGE'), (2, 'SELECT'), (3, 'UPDATE')) AS p(ord, priv)
                           WHERE EXISTS (
                               SELECT 1 FROM pg_catalog.aclexplode(coalesce(seq.relacl, pg_catalog.acldefault('s', seq.relowner))) AS acl
                               WHERE acl.grantee = 0 AND acl.privilege_type = p.priv)
                           ORDER BY p.ord)
              WHERE EXISTS (SELECT 1 FROM asked WHERE asked.rolname = 'PUBLIC')) AS h)
FROM seq
LEFT JOIN LATERAL (
	SELECT on_.nspname::text, oc.relname::text, oa.attname::text
	FROM pg_catalog.pg_depend d
	JOIN pg_catalog.pg_class oc ON oc.oid = d.refobjid
	JOIN pg_catalog.pg_namespace on_ ON on_.oid = oc.relnamespace
	JOIN pg_catalog.pg_attribute oa ON oa.attrelid = d.refobjid AND oa.attnum = d.refobjsubid
	WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = seq.oid
	  AND d.refclassid = 'pg_catalog.pg_class'::regclass AND d.refobjsubid > 0 AND d.deptype IN ('a', 'i')
	ORDER BY 1, 2, 3 LIMIT 1
) AS owner ON true
ORDER BY 2, 3
`

// queryNamedSequences reads the sequences whose schema and name are one of
// the pairs $1, $2 (a model's sequences), with the privileges of the roles
// $3 on them.
const queryNamedSequences = `
WITH asked AS (SELECT unnest($3::text[]) AS rolname),
seq AS (
	SELECT c.oid, n.nspname, c.relname, c.relacl, c.relowner
	FROM unnest($1::text[], $2::text[]) AS w(nspname, relname)
	JOIN pg_catalog.pg_class c
	  ON c.relname = w.relname AND c.relkind = 'S'
	 AND c.relnamespace = (SELECT n.oid FROM pg_catalog.pg_namespace n WHERE n.nspname = w.nspname)
	JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
)` + sequenceFacts

// queryFreeSequences reads the free sequences of the schemas $1: those no
// column of a relation of these schemas owns (OWNED BY NONE, or owned by a
// column elsewhere), which the application can only use by name; sequences
// of extensions are left out. $2 are the roles whose privileges are read.
const queryFreeSequences = `
WITH asked AS (SELECT unnest($2::text[]) AS rolname),
seq AS (
	SELECT c.oid, n.nspname, c.relname, c.relacl, c.relowner
	FROM pg_catalog.pg_namespace n
	JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relkind = 'S'
	WHERE n.nspname = ANY($1::text[])
	  AND NOT EXISTS (
	      SELECT 1 FROM pg_catalog.pg_depend d
	      JOIN pg_catalog.pg_class oc ON oc.oid = d.refobjid
	      JOIN pg_catalog.pg_namespace on_ ON on_.oid = oc.relnamespace
	      WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid
	        AND d.refclassid = 'pg_catalog.pg_class'::regclass AND d.refobjsubid > 0 AND d.deptype IN ('a', 'i')
	        AND on_.nspname = ANY($1::text[]))
	  AND NOT EXISTS (
	      SELECT 1 FROM pg_catalog.pg_depend d
	      WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
)` + sequenceFacts
