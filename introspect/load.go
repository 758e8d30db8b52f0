package introspect

import (
	"cmp"
	"context"
	"fmt"
	"hash/fnv"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/rbacdrift/rbacdrift/internal/pgsession"
	"github.com/rbacdrift/rbacdrift/introspect/catalog"
)

// Load reads the wanted relations and enums in one round trip: every catalog
// query goes out in a single pipelined batch. With EnumsUsed, a second round
// trip reads the enums the columns use.
func Load(ctx context.Context, s *pgsession.Session, req catalog.Request) (*catalog.Catalog, error) {
	return LoadParallel(ctx, []*pgsession.Session{s}, req)
}

// LoadParallel is [Load] spread over several sessions, one pipelined batch
// each, sent at the same time: a server runs the queries of one session one
// after another on one core, so a big catalog (a snapshot of thousands of
// tables) reads faster on two. The relations are shared out by name, so that
// every relation with a given name, wanted or found elsewhere, is read by the
// same session; the server, the enums and the enums used are read on the
// first. The round trips stay the same per session whatever the number of
// relations.
func LoadParallel(ctx context.Context, conns []*pgsession.Session, req catalog.Request) (*catalog.Catalog, error) {
	parts := make([]catalog.Request, len(conns))
	parts[0].Enums = req.Enums
	parts[0].Functions = req.Functions
	parts[0].Sequences = req.Sequences
	parts[0].RunAs, parts[0].SettingsRoles = req.RunAs, req.SettingsRoles
	parts[0].DefaultACLs, parts[0].DefaultACLRoles = req.DefaultACLs, req.DefaultACLRoles
	for i := range parts {
		parts[i].Roles = req.Roles
	}
	for _, n := range req.Relations {
		i := 0
		if len(conns) > 1 {
			h := fnv.New32a()
			h.Write([]byte(n.Name))
			i = int(h.Sum32() % uint32(len(conns)))
		}
		parts[i].Relations = append(parts[i].Relations, n)
	}
	cats := make([]*catalog.Catalog, len(conns))
	errs := make([]error, len(conns))
	var wg sync.WaitGroup
	for i, conn := range conns {
		if i > 0 && len(parts[i].Relations) == 0 {
			continue
		}
		wg.Go(func() { cats[i], errs[i] = loadBatch(ctx, conn, parts[i], i == 0, req.Relations) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	cat := cats[0]
	for _, c := range cats[1:] {
		if c != nil {
			maps.Copy(cat.Relations, c.Relations)
			maps.Copy(cat.Elsewhere, c.Elsewhere)
			maps.Copy(cat.Memberships, c.Memberships)
		}
	}
	if req.EnumsUsed {
		if err := loadEnumsUsed(ctx, conns[0], cat, req.Roles); err != nil {
			return nil, err
		}
	}
	return cat, nil
}

// loadBatch sends the catalog queries for req in one pipelined batch; the
// server settings only when withServer. all are every wanted relation, of
// which the run_as role's are read (req.RunAs is set on one part only).
func loadBatch(ctx context.Context, conn *pgsession.Session, req catalog.Request, withServer bool, all []catalog.Name) (*catalog.Catalog, error) {
	relSchemas, relNames := split(req.Relations)
	enumSchemas, enumNames := split(req.Enums)
	cat := &catalog.Catalog{Relations: map[catalog.Name]*catalog.Relation{}, Elsewhere: map[catalog.Name][]*catalog.Relation{}, Enums: map[catalog.Name]*catalog.Enum{},
		Memberships: map[string]*catalog.Membership{}, Functions: map[catalog.Name][]*catalog.Function{}, Sequences: map[catalog.Name]*catalog.NamedSequence{}}
	funcSchemas, funcNames := split(req.Functions)
	seqSchemas, seqNames := split(req.Sequences)
	roles := req.Roles
	if roles == nil {
		roles = []string{}
	}
	err := conn.Read(ctx, func(b *pgsession.Queue) {
		if withServer {
			b.Query(queryServer)
		}
		b.Query(queryRelations, relSchemas, relNames)
		b.Query(queryColumns, relSchemas, relNames)
		b.Query(queryConstraints, relSchemas, relNames)
		b.Query(queryIndexes, relSchemas, relNames)
		b.Query(queryPrivileges, relSchemas, relNames)
		b.Query(queryEffectivePrivileges, relSchemas, relNames, roles)
		b.Query(queryPolicies, relSchemas, relNames)
		b.Query(querySequences, relSchemas, relNames, roles)
		b.Query(queryEnums, enumSchemas, enumNames)
		b.Query(queryFunctions, funcSchemas, funcNames, roles)
		b.Query(queryNamedSequences, seqSchemas, seqNames, roles)
		queueAccess(b, req, all)
	}, func(br *pgsession.Results) error {
		if err := readBatch(br, cat, req, withServer); err != nil {
			return err
		}
		return readAccess(br, cat, req)
	})
	if err != nil {
		// pg_get_expr and pg_get_indexdef lock the relation they read: a
		// table held ACCESS EXCLUSIVE (a migration) makes them wait.
		return nil, DescribeLockWait(ctx, conn, err)
	}
	return cat, nil
}

// loadEnumsUsed adds to cat the enum types its columns use, found from the
// type OIDs the columns query read rather than by a second pass over
// pg_attribute, and the free sequences of its relations' schemas, with the
// privileges of roles on them.
func loadEnumsUsed(ctx context.Context, conn *pgsession.Session, cat *catalog.Catalog, roles []string) error {
	seen := map[uint32]bool{}
	oids := []uint32{}
	for _, r := range cat.Relations {
		for _, c := range r.Columns {
			if !seen[c.TypeOID] {
				seen[c.TypeOID] = true
				oids = append(oids, c.TypeOID)
			}
		}
	}
	schemas := []string{}
	for n := range cat.Relations {
		if !slices.Contains(schemas, n.Schema) {
			schemas = append(schemas, n.Schema)
		}
	}
	slices.Sort(schemas)
	if roles == nil {
		roles = []string{}
	}
	return conn.Read(ctx, func(q *pgsession.Queue) {
		q.Query(queryEnumsUsed, oids)
		q.Query(queryFreeSequences, schemas, roles)
	}, func(r *pgsession.Results) error {
		rows, err := r.Query()
		if err != nil {
			return fmt.Errorf("reading the enums the columns use: %w", err)
		}
		err = readEnums(rows, cat, "the enums the columns use")
		rows.Close()
		if err != nil {
			return err
		}
		return readNamedSequences(r, cat, "free sequences")
	})
}

func split(names []catalog.Name) (schemas, rels []string) {
	schemas = make([]string, len(names))
	rels = make([]string, len(names))
	for i, n := range names {
		schemas[i], rels[i] = n.Schema, n.Name
	}
	return schemas, rels
}

func readBatch(br *pgsession.Results, cat *catalog.Catalog, req catalog.Request, withServer bool) error {
	if withServer {
		var lagSeconds *float64
		s := &cat.Server
		if err := br.QueryRow().Scan(&s.Version, &s.VersionNum, &s.User, &s.SessionUser, &s.Superuser,
			&s.Database, &s.InRecovery, &lagSeconds, &s.SearchPath, &s.ReadOnlyGuard); err != nil {
			return fmt.Errorf("reading server settings: %w", err)
		}
		if lagSeconds != nil {
			lag := time.Duration(*lagSeconds * float64(time.Second))
			s.ReplayLag = &lag
		}
	}

	wanted := map[catalog.Name]bool{}
	for _, n := range req.Relations {
		wanted[n] = true
	}
	byOID := map[uint32]*catalog.Relation{}
	var others []*catalog.Relation
	if err := each(br, "relations", func(rows pgx.Rows) error {
		r := &catalog.Relation{}
		var kind string
		if err := rows.Scan(&r.OID, &r.Name.Schema, &r.Name.Name, &kind, &r.Owner,
			&r.RowSecurity, &r.ForceRowSecurity, &r.EstimatedRows); err != nil {
			return err
		}
		r.Kind = relKind(kind)
		if wanted[r.Name] {
			cat.Relations[r.Name] = r
			byOID[r.OID] = r
		} else {
			others = append(others, r)
		}
		return nil
	}); err != nil {
		return err
	}
	for _, o := range others {
		for _, n := range req.Relations {
			if n.Name == o.Name.Name && cat.Relations[n] == nil {
				cat.Elsewhere[n] = append(cat.Elsewhere[n], o)
			}
		}
	}
	rel := func(oid uint32) *catalog.Relation {
		if r := byOID[oid]; r != nil {
			return r
		}
		return &catalog.Relation{} // created after the relations query ran; ignored
	}

	if err := each(br, "columns", func(rows pgx.Rows) error {
		var oid uint32
		c := &catalog.Column{}
		if err := rows.Scan(&oid, &c.Num, &c.Name, &c.TypeOID, &c.TypMod, &c.Type, &c.NotNull,
			&c.Default, &c.Identity, &c.Generated); err != nil {
			return err
		}
		c.Identity = identityKind(c.Identity)
		r := rel(oid)
		r.Columns = append(r.Columns, c)
		return nil
	}); err != nil {
		return err
	}

	// exclusions holds the EXCLUDE constraints by relation and index name,
	// given to their index as the indexes are read.
	type indexOf struct {
		rel   uint32
		index string
	}
	exclusions := map[indexOf]*catalog.Exclusion{}
	if err := each(br, "constraints", func(rows pgx.Rows) error {
		var oid uint32
		var name, typ, refSchema, refName, del, upd, index string
		var keys []int16
		var refCols, ops []string
		var deferrable, deferred, valid, nullsNotDistinct bool
		if err := rows.Scan(&oid, &name, &typ, &keys, &refSchema, &refName, &refCols, &del, &upd,
			&deferrable, &deferred, &valid, &index, &ops, &nullsNotDistinct); err != nil {
			return err
		}
		r := rel(oid)
		cols := make([]string, len(keys))
		for i, k := range keys {
			cols[i] = columnName(r, k)
		}
		switch typ {
		case "p":
			r.PrimaryKey = &catalog.Constraint{Name: name, Columns: cols, Deferrable: deferrable, InitiallyDeferred: deferred}
		case "u":
			r.Uniques = append(r.Uniques, &catalog.Constraint{Name: name, Columns: cols, Deferrable: deferrable, InitiallyDeferred: deferred,
				NullsNotDistinct: nullsNotDistinct})
		case "f":
			r.ForeignKeys = append(r.ForeignKeys, &catalog.ForeignKey{Name: name, Columns: cols,
				References: catalog.Name{Schema: refSchema, Name: refName}, RefColumns: refCols,
				OnDelete: fkAction(del), OnUpdate: fkAction(upd), Deferrable: deferrable, InitiallyDeferred: deferred, Valid: valid})
		case "x":
			exclusions[indexOf{oid, index}] = &catalog.Exclusion{Name: name, Operators: ops, Deferrable: deferrable, InitiallyDeferred: deferred}
		}
		return nil
	}); err != nil {
		return err
	}

	if err := each(br, "indexes", func(rows pgx.Rows) error {
		var oid uint32
		var keys, include, options []int16
		var defs, opclasses, collations []string
		var opcDefault, collDefault []bool
		ix := &catalog.Index{}
		if err := rows.Scan(&oid, &ix.Name, &ix.Unique, &ix.Primary, &keys, &defs, &ix.Predicate,
			&ix.Method, &ix.Valid, &include, &opclasses, &opcDefault, &collations, &collDefault, &options,
			&ix.NullsNotDistinct); err != nil {
			return err
		}
		r := rel(oid)
		ix.Columns = make([]string, len(keys))
		ix.Keys = make([]catalog.IndexKey, len(keys))
		for i, k := range keys {
			if k == 0 && i < len(defs) {
				ix.Columns[i] = defs[i] // an expression
			} else {
				ix.Columns[i] = columnName(r, k)
			}
			key := &ix.Keys[i]
			if i < len(opclasses) && i < len(opcDefault) {
				key.Opclass, key.OpclassDefault = opclasses[i], opcDefault[i]
			}
			if i < len(collations) && i < len(collDefault) {
				key.Collation, key.CollationDefault = collations[i], collDefault[i]
			}
			if i < len(options) {
				key.Desc, key.NullsFirst = options[i]&1 != 0, options[i]&2 != 0
			}
		}
		for _, k := range include {
			ix.Include = append(ix.Include, columnName(r, k))
		}
		ix.Exclusion = exclusions[indexOf{oid, ix.Name}]
		r.Indexes = append(r.Indexes, ix)
		return nil
	}); err != nil {
		return err
	}

	if err := each(br, "privileges", func(rows pgx.Rows) error {
		var oid uint32
		p := &catalog.Privilege{}
		if err := rows.Scan(&oid, &p.Grantee, &p.Privilege, &p.Grantable); err != nil {
			return err
		}
		r := rel(oid)
		r.Privileges = append(r.Privileges, p)
		return nil
	}); err != nil {
		return err
	}

	if err := each(br, "effective privileges", func(rows pgx.Rows) error {
		var oid uint32
		var col *string
		var groups, noInherit []string
		e := &catalog.Effective{}
		if err := rows.Scan(&oid, &col, &e.Role, &e.Privilege, &e.Held, &e.Through, &e.MemberOnly, &groups, &noInherit); err != nil {
			return err
		}
		if col != nil {
			e.Column = *col
		} else if cat.Memberships[e.Role] == nil {
			cat.Memberships[e.Role] = &catalog.Membership{Groups: groups, NoInherit: noInherit}
		}
		r := rel(oid)
		r.Effective = append(r.Effective, e)
		return nil
	}); err != nil {
		return err
	}

	if err := each(br, "row-level security policies", func(rows pgx.Rows) error {
		var oid uint32
		p := &catalog.Policy{}
		if err := rows.Scan(&oid, &p.Name, &p.Command, &p.Permissive, &p.Roles, &p.Using, &p.WithCheck); err != nil {
			return err
		}
		r := rel(oid)
		r.Policies = append(r.Policies, p)
		return nil
	}); err != nil {
		return err
	}

	if err := each(br, "sequences", func(rows pgx.Rows) error {
		var oid uint32
		var seqSchema, seqName, ownedBy *string
		q := &catalog.Sequence{}
		if err := rows.Scan(&oid, &q.Column, &q.Identity, &seqSchema, &seqName, &q.Owned, &ownedBy,
			&q.LastValue, &q.Readable, &q.Start, &q.Increment, &q.Max, &q.Cycle, &q.NoUsage,
			&q.MaxIndexed, &q.TableReadable); err != nil {
			return err
		}
		if seqName != nil {
			q.Name = catalog.Name{Schema: *seqSchema, Name: *seqName}
		}
		if ownedBy != nil {
			q.OwnedBy = *ownedBy
		}
		r := rel(oid)
		r.Sequences = append(r.Sequences, q)
		return nil
	}); err != nil {
		return err
	}

	rows, err := br.Query()
	if err != nil {
		return fmt.Errorf("reading enums: %w", err)
	}
	err = readEnums(rows, cat, "enums")
	rows.Close()
	if err != nil {
		return err
	}

	if err := each(br, "functions", func(rows pgx.Rows) error {
		f := &catalog.Function{}
		var vol string
		if err := rows.Scan(&f.OID, &f.Name.Schema, &f.Name.Name, &f.ArgTypes, &f.Args, &f.ReturnOID, &f.Returns,
			&f.ReturnsSet, &f.Definer, &vol, &f.Language, &f.Config, &f.Executors, &f.PublicExecute); err != nil {
			return err
		}
		f.Volatility = map[string]string{"i": "immutable", "s": "stable", "v": "volatile"}[vol]
		cat.Functions[f.Name] = append(cat.Functions[f.Name], f)
		return nil
	}); err != nil {
		return err
	}
	return readNamedSequences(br, cat, "sequences")
}

// readNamedSequences adds the rows of queryNamedSequences or
// queryFreeSequences, the next result of br, to cat.
func readNamedSequences(br *pgsession.Results, cat *catalog.Catalog, what string) error {
	return each(br, what, func(rows pgx.Rows) error {
		q := &catalog.NamedSequence{}
		var ownSchema, ownTable, ownColumn *string
		if err := rows.Scan(&q.OID, &q.Name.Schema, &q.Name.Name, &ownSchema, &ownTable, &ownColumn, &q.Held); err != nil {
			return err
		}
		if ownColumn != nil {
			q.OwnedBy = catalog.ColumnRef{Table: catalog.Name{Schema: *ownSchema, Name: *ownTable}, Column: *ownColumn}
		}
		cat.Sequences[q.Name] = q
		return nil
	})
}

// readEnums adds the enum rows (queryEnums, queryEnumsUsed) to cat.
func readEnums(rows pgx.Rows, cat *catalog.Catalog, what string) error {
	for rows.Next() {
		e := &catalog.Enum{}
		if err := rows.Scan(&e.OID, &e.Name.Schema, &e.Name.Name, &e.IsEnum, &e.Labels); err != nil {
			return fmt.Errorf("reading %s: %w", what, err)
		}
		cat.Enums[e.Name] = e
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("reading %s: %w", what, err)
	}
	return nil
}

// columnName returns the name of r's column number num, from the columns
// read before the keys; "" when there is none (a relation created after the
// relations query ran).
func columnName(r *catalog.Relation, num int16) string {
	i, ok := slices.BinarySearchFunc(r.Columns, int(num), func(c *catalog.Column, n int) int { return cmp.Compare(c.Num, n) })
	if !ok {
		return ""
	}
	return r.Columns[i].Name
}

// each runs fn on every row of the next batch result.
func each(br *pgsession.Results, what string, fn func(pgx.Rows) error) error {
	rows, err := br.Query()
	if err != nil {
		return fmt.Errorf("reading %s: %w", what, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return fmt.Errorf("reading %s: %w", what, err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("reading %s: %w", what, err)
	}
	return nil
}

func relKind(k string) string {
	switch k {
	case "p":
		return catalog.KindPartitionedTable
	case "v":
		return catalog.KindView
	case "m":
		return catalog.KindMaterializedView
	case "f":
		return catalog.KindForeignTable
	}
	return catalog.KindTable
}

func identityKind(k string) string {
	switch k {
	case "a":
		return "always"
	case "d":
		return "by_default"
	}
	return ""
}

func fkAction(a string) string {
	switch a {
	case "r":
		return "restrict"
	case "c":
		return "cascade"
	case "n":
		return "set_null"
	case "d":
		return "set_default"
	}
	return "no_action"
}
