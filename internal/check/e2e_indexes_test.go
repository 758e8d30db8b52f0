package check_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rbacdrift/rbacdrift/internal/testutil/pgtest"
)

// TestIndexFacts: a declared index is matched on everything that changes
// what it does, with what the model leaves out taken as the default, and a
// model written before those facts existed keeps its meaning.
func TestIndexFacts(t *testing.T) {
	const setup = `
CREATE TABLE orgs (id bigint PRIMARY KEY);
CREATE TABLE keys (
    id bigint PRIMARY KEY,
    org_id bigint REFERENCES orgs (id) DEFERRABLE INITIALLY DEFERRED,
    api_key varchar(64) NOT NULL,
    label text COLLATE "C",
    created timestamptz,
    CONSTRAINT keys_label_key UNIQUE (org_id, label) DEFERRABLE
);
CREATE INDEX keys_api_key ON keys (api_key);
CREATE INDEX keys_api_key_like ON keys (api_key varchar_pattern_ops);
CREATE INDEX keys_created ON keys (created DESC) INCLUDE (label);
CREATE INDEX keys_label ON keys (label);
CREATE INDEX keys_label_hash ON keys USING hash (label);`
	pdb := pgtest.NewDB(t)
	pdb.Exec(t, setup)
	db := pdb.URL
	tests := []struct {
		name  string
		table string // the table's facts in the model
		want  []string
	}{
		{"a model of columns alone, as before", `
    indexes: [{ columns: [api_key] }, { columns: [org_id, label], unique: true }]
    unique: [[org_id, label]]
    foreign_keys: [{ columns: [org_id], references: { table: orgs } }]`, nil},
		{"both of Django's indexes", `
    indexes: [{ columns: [api_key] }, { columns: [{ column: api_key, opclass: varchar_pattern_ops }] }]`, nil},
		{"the default operator class named", `
    indexes: [{ method: btree, columns: [{ column: api_key, opclass: text_ops, order: asc, nulls: last }] }]`, nil},
		{"another operator class", `
    indexes: [{ columns: [{ column: api_key, opclass: text_pattern_ops }] }]`,
			[]string{"index-mismatch: index keys_api_key on keys(api_key) differs: it compares api_key with text_ops, not text_pattern_ops"}},
		{"order, INCLUDE and collation", `
    indexes: [{ columns: [created], include: [label] }, { columns: [{ column: created, order: desc }] }, { columns: [label] }]`,
			[]string{
				"index-mismatch: index keys_created on keys(created) differs: it orders created DESC NULLS FIRST, not ASC NULLS LAST",
				"index-mismatch: index keys_created on keys(created) differs: it includes (label), not nothing",
			}},
		{"the method", `
    indexes: [{ method: gin, columns: [label] }]`,
			[]string{"index-mismatch: index keys_label on keys(label) differs: it uses btree, not gin"}},
		{"deferral of keys", `
    unique: [{ columns: [org_id, label], deferrable: false }]
    foreign_keys: [{ columns: [org_id], references: { table: orgs }, deferrable: true, initially_deferred: false }]`,
			[]string{
				"missing-unique: no unique key on keys(org_id, label) as declared: it is DEFERRABLE, the model says NOT DEFERRABLE",
				"foreign-key-mismatch: foreign key keys_org_id_fkey on keys(org_id) INITIALLY DEFERRED, not INITIALLY IMMEDIATE",
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := checkURL(t, db, "version: 1\nextra_columns: ignore\ntables:\n  orgs:\n  keys:"+tt.table+"\n")
			var got []string
			for _, f := range fs {
				got = append(got, string(f.Code)+": "+f.Message)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
}
