package drift

import (
	"cmp"
	"slices"
	"strings"

	"github.com/rbacdrift/rbacdrift/introspect/catalog"
	"github.com/rbacdrift/rbacdrift/spec"
)

// SnapshotOptions shape [Snapshot].
type SnapshotOptions struct {
	// Schema is the model's default schema: its tables are written unqualified.
	Schema string
	// GrantsFor lists the roles whose effective privileges are recorded
	// ("PUBLIC" for PUBLIC); none when empty. The catalog must have been
	// read with them as [catalog.Request.Roles].
	GrantsFor []string
}

// Snapshot turns what [catalog.Load] read into a model that says exactly
// what the catalog holds, so that checking the same database against it finds
// nothing: every column with its type as format_type renders it, nullability,
// default, identity and generation; the primary key, unique constraints,
// foreign keys with their actions, the indexes that back no constraint; the
// privileges opts.GrantsFor can really use (inherited, PUBLIC's and
// predefined roles' included) on each table and, where a column ACL gives
// them more, on the column; the row-level security state of every table
// (policies when it is on or policies exist); the enums in cat.Enums;
// every overload of the functions in cat.Functions; and the sequences in
// cat.Sequences (the free ones of the snapshotted schemas, which the
// application can only use by name) with the column that owns them, if any,
// and what opts.GrantsFor can use on them.
// Tables, enums, functions and sequences come sorted: the model's schema
// first, then by name.
func Snapshot(cat *catalog.Catalog, opts SnapshotOptions) *spec.Model {
	if opts.Schema == "" {
		opts.Schema = "public"
	}
	m := &spec.Model{Version: 1, Schema: opts.Schema, ExtraColumns: spec.ExtraWarn}
	loaded := cat.Memberships != nil
	for _, r := range cat.Relations {
		m.Tables = append(m.Tables, snapshotTable(r, opts, loaded))
	}
	order := func(a, b spec.Name) int {
		return cmp.Or(-cmp.Compare(boolInt(a.Schema == opts.Schema), boolInt(b.Schema == opts.Schema)),
			cmp.Compare(a.Schema, b.Schema), cmp.Compare(a.Name, b.Name))
	}
	slices.SortFunc(m.Tables, func(a, b *spec.Table) int { return order(a.Name, b.Name) })
	for _, e := range cat.Enums {
		if e.IsEnum {
			m.Enums = append(m.Enums, &spec.Enum{Name: spec.Name(e.Name), Labels: slices.Clone(e.Labels)})
		}
	}
	slices.SortFunc(m.Enums, func(a, b *spec.Enum) int { return order(a.Name, b.Name) })
	for _, overloads := range cat.Functions {
		for _, l := range overloads {
			f := snapshotFunction(l, opts)
			m.Functions = append(m.Functions, f)
			m.Ignore = append(m.Ignore, definerWaivers(f, l)...)
		}
	}
	slices.SortFunc(m.Functions, func(a, b *spec.Function) int {
		return cmp.Or(order(a.Name, b.Name), slices.Compare(a.Args, b.Args))
	})
	slices.SortFunc(m.Ignore, func(a, b *spec.Waiver) int { return cmp.Compare(a.Object, b.Object) })
	for _, l := range cat.Sequences {
		m.Sequences = append(m.Sequences, snapshotSequence(l, opts))
	}
	slices.SortFunc(m.Sequences, func(a, b *spec.Sequence) int { return order(a.Name, b.Name) })
	m.RoleSettings = snapshotRoleSettings(cat, opts)
	m.DefaultPrivileges = snapshotDefaultPrivileges(cat, opts)
	return m
}

// snapshotSequence records the column that owns a sequence (owned_by:
// null for none) and, for opts.GrantsFor, the sequence privileges each role
// can use on it.
func snapshotSequence(l *catalog.NamedSequence, opts SnapshotOptions) *spec.Sequence {
	q := &spec.Sequence{Name: spec.Name(l.Name), HasOwnedBy: true}
	if l.OwnedBy.Column != "" {
		q.OwnedBy = &spec.ColumnRef{Table: spec.Name(l.OwnedBy.Table), Column: l.OwnedBy.Column}
	}
	for _, role := range opts.GrantsFor {
		q.Grants = append(q.Grants, &spec.Grant{Role: role, Privileges: append([]string{}, l.Held[grantee(role)]...)})
	}
	return q
}

// snapshotFunction records every field of a function, its own search_path
// ([] for none) and, for opts.GrantsFor, whether each role may EXECUTE it.
func snapshotFunction(l *catalog.Function, opts SnapshotOptions) *spec.Function {
	f := &spec.Function{Name: spec.Name(l.Name), Args: slices.Clone(l.Args), Returns: liveReturns(l),
		Security: strings.ToLower(securityWord(l.Definer)), Volatility: l.Volatility, Language: l.Language,
		SearchPath: searchPath(l.Config)}
	if f.Args == nil {
		f.Args = []string{}
	}
	for _, role := range opts.GrantsFor {
		g := &spec.Grant{Role: role, Privileges: []string{}}
		if slices.Contains(l.Executors, grantee(role)) {
			g.Privileges = []string{"EXECUTE"}
		}
		f.Grants = append(f.Grants, g)
	}
	return f
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func snapshotTable(r *catalog.Relation, opts SnapshotOptions, loaded bool) *spec.Table {
	t := &spec.Table{Name: spec.Name(r.Name), Kind: r.Kind, ExtraColumns: spec.ExtraWarn, Columns: []*spec.Column{}}
	for _, l := range r.Columns {
		c := &spec.Column{Name: l.Name, Type: l.Type, Nullable: pointerTo(!l.NotNull)}
		if l.Default != nil {
			c.HasDefault, c.Default = true, pointerTo(*l.Default)
		}
		if l.Identity != "" {
			c.Identity = pointerTo(l.Identity)
		}
		if l.Generated != nil {
			c.Generated = pointerTo(*l.Generated)
		}
		for _, role := range opts.GrantsFor {
			// Only what the column ACL gives beyond the table's grants,
			// and only where it gives something.
			if own, _ := columnHolding(r, role, l.Name, loaded); len(own.held) > 0 {
				c.Grants = append(c.Grants, &spec.Grant{Role: role, Privileges: own.held})
			}
		}
		t.Columns = append(t.Columns, c)
	}
	backing := map[string]bool{} // indexes that back a constraint
	if r.PrimaryKey != nil {
		t.PrimaryKey = snapshotKey(r.PrimaryKey)
		backing[r.PrimaryKey.Name] = true
	}
	for _, u := range r.Uniques {
		t.Unique = append(t.Unique, snapshotKey(u))
		backing[u.Name] = true
	}
	slices.SortFunc(t.Unique, func(a, b *spec.Key) int { return slices.Compare(a.Columns, b.Columns) })
	for _, fk := range r.ForeignKeys {
		d := &spec.ForeignKey{Columns: slices.Clone(fk.Columns), References: spec.Name(fk.References),
			RefColumns: slices.Clone(fk.RefColumns), OnDelete: fk.OnDelete}
		if fk.OnUpdate != "no_action" {
			d.OnUpdate = fk.OnUpdate
		}
		if fk.Deferrable {
			d.Deferrable = pointerTo(true)
		}
		if fk.InitiallyDeferred {
			d.InitiallyDeferred = pointerTo(true)
		}
		if !fk.Valid {
			d.Valid = pointerTo(false)
		}
		t.ForeignKeys = append(t.ForeignKeys, d)
	}
	slices.SortFunc(t.ForeignKeys, func(a, b *spec.ForeignKey) int {
		return cmp.Or(slices.Compare(a.Columns, b.Columns), cmp.Compare(a.References.String(), b.References.String()))
	})
	for _, ix := range r.Indexes {
		if ix.Primary || backing[ix.Name] {
			continue
		}
		t.Indexes = append(t.Indexes, snapshotIndex(ix))
	}
	// Two indexes alike in everything but their names (a duplicate index)
	// are told apart by their names, which the model then states.
	identities := map[string]int{}
	for _, d := range t.Indexes {
		identities[spec.IndexIdentity(d)]++
	}
	for i, d := range t.Indexes {
		if identities[spec.IndexIdentity(d)] > 1 {
			d.Name = live(r, i, backing)
		}
	}
	slices.SortStableFunc(t.Indexes, func(a, b *spec.Index) int {
		return cmp.Or(slices.Compare(a.Columns, b.Columns), cmp.Compare(spec.IndexIdentity(a), spec.IndexIdentity(b)), cmp.Compare(a.Name, b.Name))
	})
	if len(opts.GrantsFor) > 0 {
		t.Grants = []*spec.Grant{}
		for _, role := range opts.GrantsFor {
			t.Grants = append(t.Grants, &spec.Grant{Role: role, Privileges: tableHolding(r, role, loaded).held})
		}
	}
	if r.Kind == catalog.KindTable || r.Kind == catalog.KindPartitionedTable {
		t.RLS = snapshotRLS(r)
	}
	return t
}

// live returns the name of the i-th index of r that backs no constraint,
// the one [snapshotTable] wrote i-th.
func live(r *catalog.Relation, i int, backing map[string]bool) string {
	for _, ix := range r.Indexes {
		if ix.Primary || backing[ix.Name] {
			continue
		}
		if i == 0 {
			return ix.Name
		}
		i--
	}
	return ""
}

// snapshotKey records a primary or unique key, and how it is checked where
// that is not the default.
func snapshotKey(c *catalog.Constraint) *spec.Key {
	k := &spec.Key{Columns: slices.Clone(c.Columns)}
	if c.Deferrable {
		k.Deferrable = pointerTo(true)
	}
	if c.InitiallyDeferred {
		k.InitiallyDeferred = pointerTo(true)
	}
	if c.NullsNotDistinct {
		k.NullsNotDistinct = pointerTo(true)
	}
	return k
}

// snapshotIndex records everything that changes what an index does, each
// fact only where it is not the default: the method when not btree, a key
// column's operator class when not its type's default, its collation when
// not the column's, its order and nulls placement; INCLUDE, uniqueness,
// NULLS NOT DISTINCT, the predicate, validity and the EXCLUDE constraint
// it backs.
func snapshotIndex(ix *catalog.Index) *spec.Index {
	d := &spec.Index{Columns: slices.Clone(ix.Columns), Include: slices.Clone(ix.Include), NullsNotDistinct: ix.NullsNotDistinct}
	if ix.Method != "btree" {
		d.Method = ix.Method
	}
	keys, stated := make([]spec.IndexKey, len(ix.Columns)), false
	for i, k := range ix.Keys {
		if i >= len(keys) {
			break
		}
		keys[i] = declaredKey(k)
		stated = stated || !keys[i].IsDefault()
	}
	if stated {
		d.Keys = keys
	}
	if ix.Unique {
		d.Unique = pointerTo(true)
	}
	if ix.Predicate != nil {
		d.Where = pointerTo(*ix.Predicate)
	}
	if !ix.Valid {
		d.Valid = pointerTo(false)
	}
	if x := ix.Exclusion; x != nil {
		d.Exclude = slices.Clone(x.Operators)
		if x.Deferrable {
			d.Deferrable = pointerTo(true)
		}
		if x.InitiallyDeferred {
			d.InitiallyDeferred = pointerTo(true)
		}
	}
	return d
}

// declaredKey is how the model states a live index key: what is not the
// default.
func declaredKey(k catalog.IndexKey) spec.IndexKey {
	d := spec.IndexKey{Desc: k.Desc}
	if !k.OpclassDefault {
		d.Opclass = k.Opclass
	}
	if !k.CollationDefault {
		d.Collation = k.Collation
	}
	if k.NullsFirst != k.Desc {
		d.NullsFirst = pointerTo(k.NullsFirst)
	}
	return d
}

// snapshotRLS records whether row-level security is on for every table, so
// that turning it on without a policy (every row hidden) is caught; forced
// and the policies when it is on or policies exist.
func snapshotRLS(r *catalog.Relation) *spec.RLS {
	rls := &spec.RLS{Enabled: pointerTo(r.RowSecurity)}
	if r.ForceRowSecurity || r.RowSecurity {
		rls.Forced = pointerTo(r.ForceRowSecurity)
	}
	if !r.RowSecurity && len(r.Policies) == 0 {
		return rls
	}
	rls.Policies = []*spec.Policy{}
	for _, p := range r.Policies {
		d := &spec.Policy{Name: p.Name, Command: p.Command, Roles: slices.Clone(p.Roles), Permissive: pointerTo(p.Permissive)}
		if d.Roles == nil {
			d.Roles = []string{}
		}
		if p.Using != nil {
			d.Using = pointerTo(*p.Using)
		}
		if p.WithCheck != nil {
			d.WithCheck = pointerTo(*p.WithCheck)
		}
		rls.Policies = append(rls.Policies, d)
	}
	slices.SortFunc(rls.Policies, func(a, b *spec.Policy) int { return cmp.Compare(a.Name, b.Name) })
	return rls
}

// heldPrivileges returns the privileges role holds on r through its own ACL
// entries, in the order of [spec.Privileges].
func heldPrivileges(r *catalog.Relation, role string) []string {
	held := map[string]bool{}
	for _, p := range r.Privileges {
		if sameGrantee(role, p.Grantee) {
			held[p.Privilege] = true
		}
	}
	out := []string{}
	for _, p := range spec.Privileges {
		if held[p] {
			out = append(out, p)
		}
	}
	return out
}

// sameGrantee reports whether a role named in the model is the grantee of an
// ACL entry: names are exact, except PUBLIC, which is written in any case.
func sameGrantee(role, grantee string) bool {
	if grantee == "PUBLIC" {
		return strings.EqualFold(role, "PUBLIC")
	}
	return role == grantee
}

func pointerTo[T any](v T) *T { return &v }
