package introspect

import (
	"strconv"
	"strings"
)

// The grouping of tenant schemas (check --schemas) on the server. Every
// query here reads catalog rows only: no function that opens a user relation
// (pg_get_expr with a relation, pg_get_indexdef, pg_sequence_last_value), so
// it takes no lock on a tenant's tables, indexes or sequences whatever the
// number of tenants, and the server's lock table (max_locks_per_transaction
// times max_connections) sets no limit. The facts are the raw ones the
// catalog stores (attnum, atttypid and atttypmod, indkey, indclass,
// indcollation, indoption, conkey, expression trees) with the tenant's own
// schema name and the OIDs of user objects replaced by the names of those
// objects, the tenant's schema written "~" (see [TenantFacts]).

// tenantSchemas is the common head of the grouping query: the schemas
// named $1, their relations (rel) and their sequences (seq). The names come
// as a list, not as the patterns that found them, so that the planner knows
// how many tenants there are and hashes the catalogs once rather than
// scanning them once per tenant. The sequences are read with the relations,
// in the same hash join: alone, a stale estimate of pg_class's sequences
// (one row where a tenant database has thousands) made the planner scan
// the tenants once per sequence, 3 million rows for 1,000 tenants.
const tenantSchemas = `
WITH t AS (
	SELECT n.oid, n.nspname
	FROM pg_catalog.pg_namespace n
	WHERE n.nspname = ANY ($1::text[])
),
cls AS (
	SELECT t.oid AS nsp, c.oid, c.relname::text AS relname, c.relkind,
	       pg_catalog.concat_ws('|', c.relkind, c.relrowsecurity, c.relforcerowsecurity) AS shape,
	       pg_catalog.pg_get_userbyid(c.relowner)::text AS owner, c.relacl::text AS acl
	FROM t
	JOIN pg_catalog.pg_class c ON c.relnamespace = t.oid
	WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
),
rel AS (
	SELECT * FROM cls WHERE cls.relkind <> 'S'
),
seq AS (
	SELECT * FROM cls WHERE cls.relkind = 'S'
)`

// nameOf renders the object with OID oid of a catalog (pg_class, pg_type,
// pg_proc, pg_operator, pg_collation) as schema.name, the schema written
// "~" when it is the tenant's (the CTE t's oid, in scope as t.oid).
func nameOf(catalog, oid string) string {
	cols := map[string][2]string{
		"pg_class":     {"relnamespace", "relname"},
		"pg_type":      {"typnamespace", "typname"},
		"pg_proc":      {"pronamespace", "proname"},
		"pg_operator":  {"oprnamespace", "oprname"},
		"pg_collation": {"collnamespace", "collname"},
	}[catalog]
	nsp, name := cols[0], cols[1]
	return `(SELECT CASE WHEN o.` + nsp + ` = t.oid THEN '~' ELSE o.` + nsp + `::pg_catalog.regnamespace::text END || '.' || o.` + name + `::text
	 FROM pg_catalog.` + catalog + ` o WHERE o.oid = ` + oid + `)`
}

// typeRef renders a type OID: a built-in type's OID as it is (it names the
// same type in every database), a user type by its name ([nameOf]).
func typeRef(oid string) string {
	return `CASE WHEN ` + oid + ` < 16384 THEN ` + oid + `::text ELSE ` + nameOf("pg_type", oid) + ` END`
}

// nodeTree renders an expression tree as the catalog stores it
// (pg_node_tree: adbin, polqual, indexprs, indpred, conbin, ev_action) for
// comparison between tenants, without deparsing it: the source positions
// (:location, :stmt_location, :stmt_len) go, and a number of 16384 or more after a field that names an
// object (:funcid, :opno, :consttype, :relid ...) becomes the object's name
// ([nameOf]). Any other number stays as it is, so two trees come out equal
// only when they are: a user OID the rendering does not know keeps the
// tenants apart rather than merging them.
func nodeTree(expr string) string {
	lookup := `CASE
	    WHEN m.t[2] = '' OR m.t[2]::numeric < 16384 THEN m.t[2]
	    WHEN m.t[1] ~ ':(funcid|opfuncid|aggfnoid|winfnoid) $' THEN coalesce(` + nameOf("pg_proc", "m.t[2]::oid") + `, m.t[2])
	    WHEN m.t[1] ~ ':opno $' THEN coalesce(` + nameOf("pg_operator", "m.t[2]::oid") + `, m.t[2])
	    WHEN m.t[1] ~ 'coll(id)? $' THEN coalesce(` + nameOf("pg_collation", "m.t[2]::oid") + `, m.t[2])
	    WHEN m.t[1] ~ '(type|typid|typeid) $' THEN coalesce(` + nameOf("pg_type", "m.t[2]::oid") + `, m.t[2])
	    WHEN m.t[1] ~ ':(relid|resorigtbl) $' THEN coalesce(` + nameOf("pg_class", "m.t[2]::oid") + `, m.t[2])
	    ELSE m.t[2] END`
	return `CASE WHEN (` + expr + `) IS NOT NULL THEN (SELECT pg_catalog.string_agg(m.t[1] || ` + lookup + `, '' ORDER BY m.ord)
	 FROM pg_catalog.regexp_matches(pg_catalog.regexp_replace((` + expr + `)::text, ' :(location|stmt_location|stmt_len) -?[0-9]+', '', 'g'),
	                                '([^0-9]*)([0-9]*)', 'g') WITH ORDINALITY AS m(t, ord)) END`
}

// unTenant replaces the tenant's schema name where it qualifies a name in
// the text expr (a deparsed default, a setting) with "~".
func unTenant(expr string) string {
	return `pg_catalog.replace(pg_catalog.replace(` + expr + `, pg_catalog.quote_ident(t.nspname::text) || '.', '~.'), t.nspname::text || '.', '~.')`
}

// factsQuery is the grouping query: every fact of every tenant, as rows
// (nsp, fact, sort, val), hashed; a tenant's key is the number of its rows
// and two sums of their 64-bit hashes (two seeds), which need no sort of
// the rows (the sort and concatenation of every tenant's facts cost more
// than reading them). Two tenants share a key when their rows are the same
// set, but for a collision of both 64-bit sums. The tenants with equal
// keys come out as one row, the group, with its schemas sorted. The server
// holds one key per tenant, the client one row per group.
func factsQuery(facts []TenantFact) string {
	var b strings.Builder
	b.WriteString(tenantSchemas + `,
fact(nsp, fact, sort, val) AS (`)
	for i, f := range facts {
		if i > 0 {
			b.WriteString("\n\tUNION ALL")
		}
		b.WriteString("\n\tSELECT f.nsp, " + strconv.Itoa(i) + ", f.sort, f.val FROM (" + f.SQL + ") AS f(nsp, sort, val)")
	}
	b.WriteString(`
),
row AS (
	SELECT f.nsp, f.fact || ' ' || f.sort || ' ' || coalesce(f.val, '?') AS r FROM fact f
),
keyed AS (
	SELECT row.nsp,
	       count(*) || ' ' || sum(pg_catalog.hashtextextended(row.r, 0)::numeric) % 18446744073709551616
	       || ' ' || sum(pg_catalog.hashtextextended(row.r, 1)::numeric) % 18446744073709551616 AS key
	FROM row
	GROUP BY row.nsp
)
SELECT coalesce(keyed.key, ''), pg_catalog.array_agg(t.nspname::text ORDER BY t.nspname COLLATE "C")
FROM t
LEFT JOIN keyed ON keyed.nsp = t.oid
GROUP BY 1
ORDER BY min(t.nspname COLLATE "C")`)
	return b.String()
}

// queryMaxLocks reads the server's max_locks_per_transaction and version.
const queryMaxLocks = `SELECT pg_catalog.current_setting('max_locks_per_transaction')::int,
       pg_catalog.current_setting('server_version_num')::int`
