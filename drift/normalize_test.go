package drift

import "testing"

// TestSameExpr: the server's casts, case and spacing do not count; what an
// expression says does.
func TestSameExpr(t *testing.T) {
	tests := []struct {
		declared, live string
		same           bool
	}{
		{"'global'", "'global'::text", true},
		{"'global'::permission_scope", "'global'::permission_scope", true},
		// A tenant schema not on the search_path: the server qualifies the cast.
		{"'global'::permission_scope", "'global'::tenant_017.permission_scope", true},
		{"'global'", `'global'::"Tenant 1".permission_scope`, true},
		{"now()", "NOW()", true},
		{"nextval('users_id_seq')", "nextval('users_id_seq'::regclass)", true},
		{"(a = 1)", "a = 1", true},
		{"'Global'", "'global'::text", false},
		{"'global'", "'org'::tenant_017.permission_scope", false},
		{"a + 1", "a - 1", false},
	}
	for _, tt := range tests {
		if got := sameExpr(tt.declared, tt.live); got != tt.same {
			t.Errorf("sameExpr(%q, %q) = %v, want %v", tt.declared, tt.live, got, tt.same)
		}
	}
}
