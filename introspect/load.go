package introspect

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// A Request names the objects to read.
type Request struct {
	Relations []Name
	Enums     []Name
}

// Load reads the wanted relations and enums in one round trip: every catalog
// query goes out in a single pipelined batch.
func Load(ctx context.Context, conn *pgx.Conn, req Request) (*Catalog, error) {
	relSchemas, relNames := split(req.Relations)
	enumSchemas, enumNames := split(req.Enums)
	b := &pgx.Batch{}
	b.Queue(queryServer)
	b.Queue(queryRelations, relNames)
	b.Queue(queryColumns, relSchemas, relNames)
	b.Queue(queryConstraints, relSchemas, relNames)
	b.Queue(queryIndexes, relSchemas, relNames)
	b.Queue(queryPrivileges, relSchemas, relNames)
	b.Queue(queryPolicies, relSchemas, relNames)
	b.Queue(queryEnums, enumSchemas, enumNames)

	cat := &Catalog{Relations: map[Name]*Relation{}, Elsewhere: map[Name][]*Relation{}, Enums: map[Name]*Enum{}}
	br := conn.SendBatch(ctx, b)
	err := readBatch(br, cat, req)
	if cerr := br.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("reading the catalog: %w", cerr)
	}
	if err != nil {
		// pg_get_expr and pg_get_indexdef lock the relation they read: a
		// table held ACCESS EXCLUSIVE (a migration) makes them wait.
		return nil, DescribeLockWait(ctx, conn, err)
	}
	return cat, nil
}

func split(names []Name) (schemas, rels []string) {
	schemas = make([]string, len(names))
	rels = make([]string, len(names))
	for i, n := range names {
		schemas[i], rels[i] = n.Schema, n.Name
	}
	return schemas, rels
}

func readBatch(br pgx.BatchResults, cat *Catalog, req Request) error {
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

	wanted := map[Name]bool{}
	for _, n := range req.Relations {
		wanted[n] = true
	}
	byOID := map[uint32]*Relation{}
	var others []*Relation
	if err := each(br, "relations", func(rows pgx.Rows) error {
		r := &Relation{}
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
	rel := func(oid uint32) *Relation {
		if r := byOID[oid]; r != nil {
			return r
		}
		return &Relation{} // created after the relations query ran; ignored
	}

	if err := each(br, "columns", func(rows pgx.Rows) error {
		var oid uint32
		c := &Column{}
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

	if err := each(br, "constraints", func(rows pgx.Rows) error {
		var oid uint32
		var name, typ, refSchema, refName, del, upd string
		var cols, refCols []string
		var deferrable, deferred bool
		if err := rows.Scan(&oid, &name, &typ, &cols, &refSchema, &refName, &refCols, &del, &upd,
			&deferrable, &deferred); err != nil {
			return err
		}
		r := rel(oid)
		switch typ {
		case "p":
			r.PrimaryKey = &Constraint{Name: name, Columns: cols}
		case "u":
			r.Uniques = append(r.Uniques, &Constraint{Name: name, Columns: cols})
		case "f":
			r.ForeignKeys = append(r.ForeignKeys, &ForeignKey{Name: name, Columns: cols,
				References: Name{Schema: refSchema, Name: refName}, RefColumns: refCols,
				OnDelete: fkAction(del), OnUpdate: fkAction(upd), Deferrable: deferrable, InitiallyDeferred: deferred})
		}
		return nil
	}); err != nil {
		return err
	}

	if err := each(br, "indexes", func(rows pgx.Rows) error {
		var oid uint32
		ix := &Index{}
		if err := rows.Scan(&oid, &ix.Name, &ix.Unique, &ix.Primary, &ix.Columns, &ix.Predicate,
			&ix.Method, &ix.Valid); err != nil {
			return err
		}
		r := rel(oid)
		r.Indexes = append(r.Indexes, ix)
		return nil
	}); err != nil {
		return err
	}

	if err := each(br, "privileges", func(rows pgx.Rows) error {
		var oid uint32
		p := &Privilege{}
		if err := rows.Scan(&oid, &p.Grantee, &p.Privilege, &p.Grantable); err != nil {
			return err
		}
		r := rel(oid)
		r.Privileges = append(r.Privileges, p)
		return nil
	}); err != nil {
		return err
	}

	if err := each(br, "row-level security policies", func(rows pgx.Rows) error {
		var oid uint32
		p := &Policy{}
		if err := rows.Scan(&oid, &p.Name, &p.Command, &p.Permissive, &p.Roles, &p.Using, &p.WithCheck); err != nil {
			return err
		}
		r := rel(oid)
		r.Policies = append(r.Policies, p)
		return nil
	}); err != nil {
		return err
	}

	return each(br, "enums", func(rows pgx.Rows) error {
		e := &Enum{}
		if err := rows.Scan(&e.OID, &e.Name.Schema, &e.Name.Name, &e.IsEnum, &e.Labels); err != nil {
			return err
		}
		cat.Enums[e.Name] = e
		return nil
	})
}

// each runs fn on every row of the next batch result.
func each(br pgx.BatchResults, what string, fn func(pgx.Rows) error) error {
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
		return KindPartitionedTable
	case "v":
		return KindView
	case "m":
		return KindMaterializedView
	case "f":
		return KindForeignTable
	}
	return KindTable
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
