package drift_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/rbacdrift/rbacdrift/drift"
)

// TestREADMEListsEveryCode keeps the manual's findings table complete.
func TestREADMEListsEveryCode(t *testing.T) {
	readme := readFile(t, "../README.md")
	for _, c := range drift.Codes {
		if !strings.Contains(readme, "| `"+string(c.Code)+"` |") {
			t.Errorf("README.md has no row for finding code %s", c.Code)
			continue
		}
		// The row says what the registry says: severity, why, summary, fix.
		row := fmt.Sprintf("| `%s` | %s | %s | %s | %s |\n", c.Code, c.Severity, c.Why, c.Summary, c.Fix)
		if !strings.Contains(readme, row) {
			t.Errorf("README.md row for %s differs from drift.Codes; want\n%s", c.Code, row)
		}
		if c.Why == "" {
			t.Errorf("code %s has no Why for its severity", c.Code)
		}
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
