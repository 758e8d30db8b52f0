package report

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rbacdrift/rbacdrift/drift"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// sarifSchemaFile is the OASIS SARIF 2.1.0 JSON Schema (errata 01, id
// https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json).
// It was copied from the Go module github.com/securego/gosec/v2@v2.30.0
// (report/sarif/testdata/sarif-schema-2.1.0.json, sha256
// c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e), which
// vendors it for the same purpose; the network is not needed to run the test.
const sarifSchemaFile = "testdata/sarif-schema-2.1.0.json"

// validateSARIF validates doc against the SARIF 2.1.0 schema with
// github.com/santhosh-tekuri/jsonschema/v6, a complete and maintained
// validator that supports draft-04, the draft the SARIF schema is written in.
func validateSARIF(t testing.TB, doc []byte) error {
	t.Helper()
	f, err := os.Open(sarifSchemaFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	schemaDoc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatalf("reading %s: %v", sarifSchemaFile, err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	const id = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
	if err := c.AddResource(id, schemaDoc); err != nil {
		t.Fatal(err)
	}
	schema, err := c.Compile(id)
	if err != nil {
		t.Fatalf("compiling the SARIF schema: %v", err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		t.Fatalf("the SARIF output is not JSON: %v", err)
	}
	return schema.Validate(v)
}

func TestSARIFSchema(t *testing.T) {
	ref := referenceReport(t)
	query := &drift.Finding{Code: "query-error", Severity: drift.Error, Object: "query:resolve_user_permissions",
		Subject: "query:resolve_user_permissions", Message: `column rp.permission_id does not exist`, Hint: "run the migration",
		File: "queries/rbac.sql", Line: 12, Column: 8, SQLState: "42703"}
	tests := []struct {
		name string
		r    *Report
	}{
		{"reference", ref},
		{"empty", New("rbacdrift.yaml", Target{}, Checked{}, nil)},
		{"query finding, absolute path, unknown code", New("/srv/app/rbacdrift.yaml", Target{}, Checked{}, []*drift.Finding{
			query,
			{Code: "no-such-code", Severity: drift.Warning, Object: "x", Subject: "x", Message: "m", File: "/srv/app/my model.yaml", Line: 1},
			{Code: "missing-table", Severity: drift.Error, Object: "public.t", Subject: "public.t", Message: "no position",
				Suppressed: &drift.Suppression{Reason: "accepted"}},
		})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := validateSARIF(t, render(t, "sarif", tt.r)); err != nil {
				t.Errorf("the SARIF output does not validate against SARIF 2.1.0:\n%v", err)
			}
		})
	}
	// The validator does reject what breaks the schema.
	broken := bytes.Replace(render(t, "sarif", ref), []byte(`"kind": "inSource"`), []byte(`"kind": "inCode"`), 1)
	if err := validateSARIF(t, broken); err == nil {
		t.Errorf("a suppression of kind inCode validates; the schema check checks nothing")
	}
}

// sarifView is the part of a SARIF result that code scanning shows.
type sarifView struct {
	RuleID, Level, URI string
	Line, Column       int
	Suppression        string // kind: justification
}

func TestSARIFResults(t *testing.T) {
	query := &drift.Finding{Code: "query-error", Severity: drift.Error, Object: "query:q", Subject: "query:q",
		Message: "m", File: "queries/rbac.sql", Line: 12, Column: 8}
	waived := &drift.Finding{Code: "missing-index", Severity: drift.Warning, Object: "public.t", Subject: "public.t",
		Message: "m", File: "rbacdrift.yaml", Line: 40, Column: 9,
		Suppressed: &drift.Suppression{Reason: "lands with RBAC-142", Until: "2030-01-01", File: "rbacdrift.yaml", Line: 60}}
	abs := &drift.Finding{Code: "missing-table", Severity: drift.Error, Object: "public.u", Subject: "public.u",
		Message: "m", File: "/srv/my app/rbacdrift.yaml", Line: 3, Column: 3}
	r := New("rbacdrift.yaml", Target{}, Checked{}, []*drift.Finding{query, waived, abs})
	var log struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Rules []struct {
						ID   string
						Help struct{ Text string }
					}
				}
			}
			Results []struct {
				RuleID    string
				RuleIndex int
				Level     string
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string }
						Region           struct{ StartLine, StartColumn int }
					}
				}
				Suppressions []struct{ Kind, Justification string }
			}
		}
	}
	if err := json.Unmarshal(render(t, "sarif", r), &log); err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	var got []sarifView
	for _, res := range run.Results {
		loc := res.Locations[0].PhysicalLocation
		v := sarifView{RuleID: res.RuleID, Level: res.Level, URI: loc.ArtifactLocation.URI, Line: loc.Region.StartLine, Column: loc.Region.StartColumn}
		for _, s := range res.Suppressions {
			v.Suppression = s.Kind + ": " + s.Justification
		}
		if rule := run.Tool.Driver.Rules[res.RuleIndex]; rule.ID != res.RuleID || rule.Help.Text != "Fix: "+drift.Info(drift.Code(res.RuleID)).Fix {
			t.Errorf("result %s points at rule %s with help %q", res.RuleID, rule.ID, rule.Help.Text)
		}
		got = append(got, v)
	}
	want := []sarifView{
		{"query-error", "error", "queries/rbac.sql", 12, 8, ""},
		{"missing-index", "warning", "rbacdrift.yaml", 40, 9, "inSource: lands with RBAC-142 (until 2030-01-01)"},
		{"missing-table", "error", "file:///srv/my%20app/rbacdrift.yaml", 3, 3, ""},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
	// Rules come once per code, in the order of drift.Codes.
	var rules []string
	for _, rule := range run.Tool.Driver.Rules {
		rules = append(rules, rule.ID)
	}
	if diff := cmp.Diff([]string{"missing-table", "missing-index", "query-error"}, rules); diff != "" {
		t.Errorf("rules (-want +got):\n%s", diff)
	}
}
