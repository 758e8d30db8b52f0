package report

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestDecodeJSONRoundTrip reads back the golden JSON reports, one target
// and fleets, and writes them again: what JSON and FleetJSON write,
// DecodeJSON reads whole.
func TestDecodeJSONRoundTrip(t *testing.T) {
	for _, file := range []string{"testdata/reference.json", "../../cmd/rbacdrift/testdata/golden/fleet.json", "../../cmd/rbacdrift/testdata/golden/tenants.json"} {
		t.Run(file, func(t *testing.T) {
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			d, err := DecodeJSON(bytes.NewReader(want))
			if err != nil {
				t.Fatalf("DecodeJSON: %v", err)
			}
			var got bytes.Buffer
			if d.Fleet {
				f := NewFleet(d.Model, FailOnError, d.Targets)
				err = FleetJSON(&got, f)
			} else {
				if len(d.Targets) != 1 || d.Targets[0].Name != "" {
					t.Fatalf("a one-target report decoded as %d targets", len(d.Targets))
				}
				err = JSON(&got, d.Targets[0].report)
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), got.String()); diff != "" {
				t.Errorf("round trip (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodeJSONRefuses(t *testing.T) {
	for _, tc := range []struct{ name, doc, want string }{
		{"not json", "<xml/>", "not a JSON report"},
		{"no version", `{"target": {}}`, "no version"},
		{"other version", `{"version": 2, "target": {}}`, "format version 2"},
		{"neither", `{"version": 1}`, "neither target nor targets"},
		{"both", `{"version": 1, "target": {}, "targets": []}`, "both target and targets"},
		{"unknown field", `{"version": 1, "target": {}, "findings": [], "extra": 1}`, `unknown field "extra"`},
		{"two documents", `{"version": 1, "target": {}, "findings": []} {}`, "after top-level value"},
		{"unnamed fleet target", `{"version": 1, "targets": [{"findings": []}]}`, "targets[0] has no name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodeJSON(strings.NewReader(tc.doc))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("DecodeJSON(%s) = %v, want an error with %q", tc.doc, err, tc.want)
			}
		})
	}
}
