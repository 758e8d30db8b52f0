package drift

import (
	"testing"

	"github.com/rbacdrift/rbacdrift/introspect/catalog"
)

// TestQuoteKeys: an expression key is written as an expression in the
// CREATE INDEX a hint gives, not quoted as if it were a column's name.
func TestQuoteKeys(t *testing.T) {
	r := &catalog.Relation{Columns: []*catalog.Column{{Name: "email"}, {Name: "Order"}}}
	got := quoteKeys(r, []string{"email", "Order", "lower(email)", "(a || b)", "(a) || (b)"})
	if want := `(email, "Order", (lower(email)), (a || b), ((a) || (b)))`; got != want {
		t.Errorf("quoteKeys = %s, want %s", got, want)
	}
}
