package dryrun

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestGenericText(t *testing.T) {
	for _, tc := range []struct {
		sql, want string
		oids      []uint32
	}{
		{"SELECT 1 FROM t WHERE id = ANY(ARRAY[$1 /*, ... */])", "SELECT 1 FROM t WHERE id = ANY(      $1            )", []uint32{0}},
		{"SELECT 1 FROM t WHERE id = ANY(ARRAY[$1,$2,$3]) AND x = $4", "SELECT 1 FROM t WHERE id = ANY(      $1       ) AND x = $4", []uint32{0, 25, 25, 0}},
		{"SELECT 1 FROM t WHERE id IN ($1 /*, ... */)", "SELECT 1 FROM t WHERE id IN ($1 /*, ... */)", nil},
		{"SELECT ARRAY[$1, 2]", "SELECT ARRAY[$1, 2]", nil},
	} {
		got, oids := genericText(tc.sql, tokens(tc.sql), nil)
		if got != tc.want || !cmp.Equal(oids, tc.oids) {
			t.Errorf("genericText(%q) = %q %v, want %q %v", tc.sql, got, oids, tc.want, tc.oids)
		}
	}
	if got, _ := genericText("SELECT ARRAY[$1]", tokens("SELECT ARRAY[$1]"), []uint32{23}); got != "SELECT ARRAY[$1]" {
		t.Errorf("declared params: the text changed to %q", got)
	}
}
