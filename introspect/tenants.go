package introspect

import (
	"context"
	"fmt"
	"strings"

	"github.com/rbacdrift/rbacdrift/internal/pgsession"
)

// A TenantFact is one kind of catalog fact of a tenant schema that the
// comparison or the dry run reads, as the grouping of tenants reads it on
// the server.
type TenantFact struct {
	Name string
	// Reads names the fields of the catalog's types ([catalog.Catalog] and
	// what it holds, as Type.Field) that [Load] derives from this fact: a
	// test holds every such field to a fact, and every fact to a change of
	// the catalog that changes the tenant's group.
	Reads []string
	// SQL selects (nsp, sort, val) rows: the tenant's namespace OID (the
	// CTE t: oid, nspname; rel: the tenant's relations, nsp, oid, relname,
	// relkind, shape, owner, acl), a key that orders the fact's rows within the tenant, and
	// the fact, with no OID of a user object and no mention of the tenant's
	// own schema name.
	SQL string
}

// TenantFacts describes the facts the grouping of tenant schemas compares:
// the same relations, columns, keys, indexes, grants, policies, sequences,
// types and functions that [Load] reads for one tenant, read raw from the
// catalog. Two tenants whose facts are all equal get the same catalog from
// Load, but for their schema name, user OIDs and data (row estimates,
// sequence values), so the comparison and the dry run of one stand for
// both. The facts cover the whole of the tenant's schema, not only the
// model's objects: a table the model does not name still changes what a
// dry-run query resolves to.
var TenantFacts = []TenantFact{
	// One row per relation: its kind and row-level security, owner and
	// grants.
	{Name: "relation", Reads: []string{"Catalog.Relations", "Catalog.Elsewhere", "Relation.Name", "Relation.Kind", "Relation.RowSecurity", "Relation.ForceRowSecurity",
		"Relation.Owner", "Effective.Held", "Sequence.TableReadable",
		"Relation.Privileges", "Privilege.Grantee", "Privilege.Privilege", "Privilege.Grantable",
		"Relation.Effective", "Effective.Role", "Effective.Privilege", "Effective.Through", "Effective.MemberOnly"},
		SQL: `SELECT rel.nsp, rel.relname, pg_catalog.concat_ws('|', rel.shape, rel.owner, rel.acl) FROM rel`},
	// One row per column: its name, type, nullability, identity and
	// generation, grants and default. A default cannot refer to a column:
	// rendered without its relation (pg_get_expr(adbin, 0)), it opens
	// nothing. A generation expression can (a Var in its tree), and is
	// compared as stored.
	{Name: "column", Reads: []string{"Relation.Columns", "Column.Num", "Column.Name", "Column.TypeOID", "Column.TypMod", "Column.Type", "Column.NotNull", "Column.Identity",
		"Constraint.Columns", "ForeignKey.Columns", "ForeignKey.RefColumns", "Index.Columns", "Sequence.Column", "Sequence.Identity",
		"Column.Default", "Column.Generated", "Sequence.Name", "Effective.Column"},
		SQL: `SELECT rel.nsp, rel.relname || '.' || pg_catalog.lpad(a.attnum::text, 5, '0'),
		       pg_catalog.concat_ws('|', a.attname, ` + typeRef("a.atttypid") + `, a.atttypmod, a.attnotnull, a.attidentity, a.attgenerated,
		           a.attacl::text,
		           CASE WHEN d.adbin IS NULL THEN NULL
		                WHEN d.adbin::text LIKE '%{VAR %' THEN 'generated'
		                ELSE ` + unTenant("pg_catalog.pg_get_expr(d.adbin, 0)") + ` END)
		FROM rel JOIN t ON t.oid = rel.nsp
		JOIN pg_catalog.pg_attribute a ON a.attrelid = rel.oid AND a.attnum > 0 AND NOT a.attisdropped
		LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum`},
	{Name: "constraint", Reads: []string{"Relation.PrimaryKey", "Relation.Uniques", "Relation.ForeignKeys", "Constraint.Name", "Constraint.Columns",
		"ForeignKey.Name", "ForeignKey.Columns", "ForeignKey.References", "ForeignKey.RefColumns", "ForeignKey.OnDelete", "ForeignKey.OnUpdate",
		"ForeignKey.Deferrable", "ForeignKey.InitiallyDeferred", "Constraint.Deferrable", "Constraint.InitiallyDeferred", "ForeignKey.Valid",
		"Index.Exclusion", "Exclusion.Name", "Exclusion.Operators", "Exclusion.Deferrable", "Exclusion.InitiallyDeferred"},
		SQL: `SELECT rel.nsp, rel.relname || '.' || con.conname,
		       pg_catalog.concat_ws('|', con.contype, con.conkey::text, con.confkey::text,
		           CASE WHEN con.confrelid <> 0 THEN ` + nameOf("pg_class", "con.confrelid") + ` END,
		           con.confdeltype, con.confupdtype, con.condeferrable, con.condeferred, con.convalidated, con.conexclop::text)
		FROM rel JOIN t ON t.oid = rel.nsp
		JOIN pg_catalog.pg_constraint con ON con.conrelid = rel.oid`},
	{Name: "index", Reads: []string{"Relation.Indexes", "Index.Name", "Index.Columns", "Index.Unique", "Index.Primary", "Index.Predicate", "Index.Method", "Index.Valid",
		"Sequence.MaxIndexed", "Index.Keys", "Index.Include", "Index.NullsNotDistinct", "Constraint.NullsNotDistinct",
		"IndexKey.Opclass", "IndexKey.OpclassDefault", "IndexKey.Collation", "IndexKey.CollationDefault", "IndexKey.Desc", "IndexKey.NullsFirst"},
		SQL: `SELECT rel.nsp, rel.relname || '.' || ic.relname,
		       pg_catalog.concat_ws('|', i.indisunique, i.indisprimary, i.indisvalid, i.indisready, i.indnkeyatts, i.indkey::text,
		           {{indnullsnotdistinct}},
		           i.indclass::text, i.indcollation::text, i.indoption::text, am.amname)
		FROM rel JOIN t ON t.oid = rel.nsp
		JOIN pg_catalog.pg_index i ON i.indrelid = rel.oid
		JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
		JOIN pg_catalog.pg_am am ON am.oid = ic.relam`},
	{Name: "policy", Reads: []string{"Relation.Policies", "Policy.Name", "Policy.Command", "Policy.Permissive", "Policy.Roles", "Policy.Using", "Policy.WithCheck"},
		SQL: `SELECT rel.nsp, rel.relname || '.' || p.polname,
		       pg_catalog.concat_ws('|', p.polcmd, p.polpermissive, p.polroles::text)
		FROM rel JOIN t ON t.oid = rel.nsp
		JOIN pg_catalog.pg_policy p ON p.polrelid = rel.oid`},
	// Every sequence of the schema: those behind serial and identity
	// columns, and those the model names.
	{Name: "sequence", Reads: []string{"Relation.Sequences", "Sequence.Name", "Sequence.Owned", "Sequence.OwnedBy", "Sequence.Readable", "Sequence.Start",
		"Sequence.Increment", "Sequence.Max", "Sequence.Cycle", "Sequence.NoUsage", "Catalog.Sequences", "NamedSequence.Name", "NamedSequence.OwnedBy",
		"NamedSequence.Held", "ColumnRef.Table", "ColumnRef.Column"},
		SQL: `SELECT t.oid, seq.relname,
		       pg_catalog.concat_ws('|', seq.owner, seq.acl, sq.seqtypid, sq.seqstart, sq.seqincrement,
		           sq.seqmax, sq.seqmin, sq.seqcache, sq.seqcycle,
		           (SELECT pg_catalog.string_agg(` + nameOf("pg_class", "d.refobjid") + ` || '.' || d.refobjsubid || d.deptype::text, ',' ORDER BY d.refobjid, d.refobjsubid)
		            FROM pg_catalog.pg_depend d
		            WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = seq.oid
		              AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.deptype IN ('a', 'i')))
		FROM seq JOIN t ON t.oid = seq.nsp
		LEFT JOIN pg_catalog.pg_sequence sq ON sq.seqrelid = seq.oid`},
	{Name: "type", Reads: []string{"Catalog.Enums", "Enum.Name", "Enum.IsEnum", "Enum.Labels", "Type.OID", "Type.TypMod"},
		// The row types of the relations and the array types of every
		// type come and go with the relation or type they are made for,
		// which their own facts describe.
		SQL: `SELECT t.oid, ty.typname::text,
		       pg_catalog.concat_ws('|', ty.typtype, ` + typeRef("ty.typbasetype") + `, ty.typtypmod, ty.typnotnull,
		           CASE WHEN ty.typtype = 'e' THEN
		               (SELECT pg_catalog.array_agg(e.enumlabel ORDER BY e.enumsortorder)::text FROM pg_catalog.pg_enum e WHERE e.enumtypid = ty.oid) END)
		FROM t
		JOIN pg_catalog.pg_type ty ON ty.typnamespace = t.oid
		WHERE CASE WHEN ty.typrelid <> 0
		           THEN EXISTS (SELECT 1 FROM pg_catalog.pg_class tc WHERE tc.oid = ty.typrelid AND tc.relkind = 'c')
		           WHEN ty.typelem <> 0
		           THEN NOT EXISTS (SELECT 1 FROM pg_catalog.pg_type te WHERE te.oid = ty.typelem AND te.typarray = ty.oid)
		           ELSE true END`},
	{Name: "function", Reads: []string{"Catalog.Functions", "Function.Name", "Function.Args", "Function.Returns", "Function.ReturnsSet", "Function.Definer",
		"Function.Volatility", "Function.Language", "Function.Config", "Function.Executors", "Function.PublicExecute"},
		SQL: `SELECT t.oid,
		       p.proname || '(' || coalesce((SELECT pg_catalog.string_agg(` + typeRef("x.typ") + `, ',' ORDER BY x.ord)
		                                     FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY AS x(typ, ord)), '') || ')',
		       pg_catalog.concat_ws('|', p.prokind, ` + typeRef("p.prorettype") + `, p.proretset, p.prosecdef, p.provolatile, l.lanname,
		           ` + unTenant("p.proconfig::text") + `, p.proacl::text, pg_catalog.pg_get_userbyid(p.proowner),
		           pg_catalog.md5(` + unTenant("p.prosrc") + `))
		FROM t
		JOIN pg_catalog.pg_proc p ON p.pronamespace = t.oid
		JOIN pg_catalog.pg_language l ON l.oid = p.prolang`},
	// Every expression tree, in one place (rendered by one expression of
	// the query, which keeps its planning short): a generated column's, a
	// CHECK constraint's, an index's expressions and predicate, a policy's
	// USING and WITH CHECK, a view's query (the dry run's plans read
	// through it). A tree's row names its object and what the tree is.
	{Name: "expression", Reads: nil,
		SQL: `SELECT x.nsp, x.sort, ` + nodeTree("x.tree") + `
		FROM (
			SELECT rel.nsp, 'generated ' || rel.relname || '.' || pg_catalog.lpad(d.adnum::text, 5, '0') AS sort, d.adbin AS tree
			FROM rel JOIN pg_catalog.pg_attrdef d ON d.adrelid = rel.oid WHERE d.adbin::text LIKE '%{VAR %'
			UNION ALL
			SELECT rel.nsp, 'constraint ' || rel.relname || '.' || con.conname, con.conbin
			FROM rel JOIN pg_catalog.pg_constraint con ON con.conrelid = rel.oid WHERE con.conbin IS NOT NULL
			UNION ALL
			SELECT rel.nsp, 'index ' || rel.relname || '.' || ic.relname, i.indexprs
			FROM rel JOIN pg_catalog.pg_index i ON i.indrelid = rel.oid JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
			WHERE i.indexprs IS NOT NULL
			UNION ALL
			SELECT rel.nsp, 'predicate ' || rel.relname || '.' || ic.relname, i.indpred
			FROM rel JOIN pg_catalog.pg_index i ON i.indrelid = rel.oid JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
			WHERE i.indpred IS NOT NULL
			UNION ALL
			SELECT rel.nsp, 'using ' || rel.relname || '.' || p.polname, p.polqual
			FROM rel JOIN pg_catalog.pg_policy p ON p.polrelid = rel.oid WHERE p.polqual IS NOT NULL
			UNION ALL
			SELECT rel.nsp, 'with check ' || rel.relname || '.' || p.polname, p.polwithcheck
			FROM rel JOIN pg_catalog.pg_policy p ON p.polrelid = rel.oid WHERE p.polwithcheck IS NOT NULL
			UNION ALL
			SELECT rel.nsp, 'view ' || rel.relname || '.' || r.rulename, r.ev_action
			FROM rel JOIN pg_catalog.pg_rewrite r ON r.ev_class = rel.oid
		) AS x JOIN t ON t.oid = x.nsp`},
}

// queryGroupTenants is the grouping query of [TenantFacts], for servers
// before PostgreSQL 15 ([0]) and from it on ([1]), where pg_index has
// indnullsnotdistinct.
var queryGroupTenants = [2]string{
	strings.ReplaceAll(factsQuery(TenantFacts), "{{indnullsnotdistinct}}", "NULL"),
	strings.ReplaceAll(factsQuery(TenantFacts), "{{indnullsnotdistinct}}", "i.indnullsnotdistinct"),
}

// A TenantGroup is a set of tenant schemas whose [TenantFacts] are equal.
type TenantGroup struct {
	Key     string   // the hash of the facts
	Schemas []string // sorted; the first stands for the group
}

// GroupTenants groups the schemas (those [ListSchemas] found) by their
// [TenantFacts], in one read-only unit that takes no lock on any relation
// of theirs. The groups come sorted by their first schema; the server
// sends one row per group, so the memory held here follows the number of
// schemas' names, not their catalogs.
//
// It also returns the server's max_locks_per_transaction, by which the
// caller sizes the read-only units that do take locks.
func GroupTenants(ctx context.Context, conn *pgsession.Session, schemas []string) ([]TenantGroup, int, error) {
	var out []TenantGroup
	var maxLocks, version int
	if err := conn.Read(ctx, func(q *pgsession.Queue) { q.Query(queryMaxLocks) }, func(r *pgsession.Results) error {
		return r.QueryRow().Scan(&maxLocks, &version)
	}); err != nil {
		return nil, 0, fmt.Errorf("grouping the tenant schemas: %w", err)
	}
	query := queryGroupTenants[0]
	if version >= 150000 {
		query = queryGroupTenants[1]
	}
	// The query joins every catalog to the tenants: hashed, each catalog is
	// read once; in nested loops over the tenants (the planner's choice when
	// it misjudges how many tenants' sequences or types there are), once per
	// tenant. The tenants' rows are aggregated by hashing too: sorted first,
	// as the planner otherwise chooses, 70,000 rows of 1,000 tenants cost a
	// tenth of the query.
	o := pgsession.UnitOptions{Settings: []string{"SET LOCAL enable_nestloop = off", "SET LOCAL enable_sort = off"}}
	err := conn.Unit(ctx, o, func(q *pgsession.Queue) { q.Query(query, schemas) }, func(r *pgsession.Results) error {
		rows, err := r.Query()
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var g TenantGroup
			if err := rows.Scan(&g.Key, &g.Schemas); err != nil {
				return err
			}
			out = append(out, g)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, 0, fmt.Errorf("grouping the tenant schemas: %w", err)
	}
	return out, maxLocks, nil
}
