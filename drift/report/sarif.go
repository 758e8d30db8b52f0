package report

import (
	"encoding/json"
	"io"
	"net/url"
	"path/filepath"
	"slices"
	"strings"

	"github.com/rbacdrift/rbacdrift/drift"
)

// SARIF 2.1.0 identifiers.
const (
	sarifVersion = "2.1.0"
	sarifSchema  = "https://json.schemastore.org/sarif-2.1.0.json"
	// sarifSrcRoot is the base of relative artifact locations: the directory
	// rbacdrift ran in, normally the repository root in CI.
	sarifSrcRoot = "%SRCROOT%"
	// InformationURI is where the SARIF rules point for documentation.
	InformationURI = "https://github.com/rbacdrift/rbacdrift"
)

// The subset of SARIF 2.1.0 that rbacdrift writes. Field names follow the
// specification (OASIS SARIF v2.1.0, section 3).
type (
	sarifLog struct {
		Schema  string     `json:"$schema"`
		Version string     `json:"version"`
		Runs    []sarifRun `json:"runs"`
	}
	sarifRun struct {
		Tool              sarifTool               `json:"tool"`
		AutomationDetails *sarifAutomationDetails `json:"automationDetails,omitempty"`
		Results           []sarifResult           `json:"results"`
		ColumnKind        string                  `json:"columnKind"`
		Properties        map[string]any          `json:"properties,omitempty"`
	}
	// sarifAutomationDetails tells the runs of one log apart: one per
	// target of a fleet.
	sarifAutomationDetails struct {
		ID string `json:"id"`
	}
	sarifTool struct {
		Driver sarifDriver `json:"driver"`
	}
	sarifDriver struct {
		Name           string      `json:"name"`
		InformationURI string      `json:"informationUri"`
		Rules          []sarifRule `json:"rules"`
	}
	sarifRule struct {
		ID                   string             `json:"id"`
		ShortDescription     sarifText          `json:"shortDescription"`
		FullDescription      sarifText          `json:"fullDescription"`
		Help                 sarifText          `json:"help"`
		HelpURI              string             `json:"helpUri"`
		DefaultConfiguration sarifConfiguration `json:"defaultConfiguration"`
		Properties           map[string]any     `json:"properties,omitempty"`
	}
	sarifConfiguration struct {
		Level string `json:"level"`
	}
	sarifText struct {
		Text     string `json:"text"`
		Markdown string `json:"markdown,omitempty"`
	}
	sarifResult struct {
		RuleID              string             `json:"ruleId"`
		RuleIndex           int                `json:"ruleIndex"`
		Level               string             `json:"level"`
		Message             sarifText          `json:"message"`
		Locations           []sarifLocation    `json:"locations,omitempty"`
		PartialFingerprints map[string]string  `json:"partialFingerprints"`
		Suppressions        []sarifSuppression `json:"suppressions,omitempty"`
		Properties          map[string]any     `json:"properties,omitempty"`
	}
	sarifLocation struct {
		PhysicalLocation *sarifPhysical `json:"physicalLocation,omitempty"`
		LogicalLocations []sarifLogical `json:"logicalLocations,omitempty"`
	}
	sarifPhysical struct {
		ArtifactLocation sarifArtifactLoc `json:"artifactLocation"`
		Region           *sarifRegion     `json:"region,omitempty"`
	}
	sarifArtifactLoc struct {
		URI       string `json:"uri"`
		URIBaseID string `json:"uriBaseId,omitempty"`
	}
	sarifRegion struct {
		StartLine   int `json:"startLine"`
		StartColumn int `json:"startColumn,omitempty"`
	}
	sarifLogical struct {
		FullyQualifiedName string `json:"fullyQualifiedName"`
	}
	sarifSuppression struct {
		Kind          string         `json:"kind"`
		Status        string         `json:"status"`
		Justification string         `json:"justification"`
		Location      *sarifLocation `json:"location,omitempty"`
	}
)

// SARIF writes r as a SARIF 2.1.0 log, for code scanning (GitHub's
// upload-sarif action, GitLab, Azure DevOps).
//
// Each finding code that occurs is one rule, with its summary and fix from
// [drift.Codes]. Each finding is one result, located at its position in the
// model file, or in the query file for a query from one, with the object as
// a logical location. A waived finding carries an "inSource" suppression
// whose justification is the waiver's reason, so code scanning shows it as
// dismissed rather than dropping it. Paths are kept relative, against
// %SRCROOT%, so that a report written at the repository root lines up with
// the repository.
func SARIF(w io.Writer, r *Report) error {
	return writeSARIF(w, []sarifRun{sarifRunOf(r)})
}

// writeSARIF writes the runs as one SARIF log.
func writeSARIF(w io.Writer, runs []sarifRun) error {
	log := sarifLog{Schema: sarifSchema, Version: sarifVersion, Runs: runs}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(log)
}

// sarifRunOf is the SARIF run of one target's report.
func sarifRunOf(r *Report) sarifRun {
	var codes []drift.Code
	for _, f := range r.Findings {
		if !slices.Contains(codes, f.Code) {
			codes = append(codes, f.Code)
		}
	}
	slices.SortStableFunc(codes, func(a, b drift.Code) int { return codeIndex(a) - codeIndex(b) })
	rules := make([]sarifRule, len(codes))
	for i, c := range codes {
		info := drift.Info(c)
		rules[i] = sarifRule{
			ID:                   string(c),
			ShortDescription:     sarifText{Text: info.Summary},
			FullDescription:      sarifText{Text: info.Summary},
			Help:                 sarifText{Text: "Fix: " + info.Fix, Markdown: "**Fix:** " + info.Fix},
			HelpURI:              InformationURI + "#findings",
			DefaultConfiguration: sarifConfiguration{Level: sarifLevel(info.Severity)},
			Properties:           map[string]any{"tags": []string{"postgresql", "rbac", "schema-drift"}},
		}
	}
	results := make([]sarifResult, 0, len(r.Findings))
	for _, f := range r.Findings {
		text := f.Message
		if f.Hint != "" {
			text += "\nhint: " + f.Hint
		}
		res := sarifResult{
			RuleID:              string(f.Code),
			RuleIndex:           slices.Index(codes, f.Code),
			Level:               sarifLevel(f.Severity),
			Message:             sarifText{Text: text},
			Locations:           []sarifLocation{sarifLoc(f.File, f.Line, f.Column, f.Object)},
			PartialFingerprints: map[string]string{"rbacdrift/v1": string(f.Code) + ":" + f.Object},
			Properties:          findingProperties(f),
		}
		if s := f.Suppressed; s != nil {
			sup := sarifSuppression{Kind: "inSource", Status: "accepted", Justification: s.Reason + until(s.Until)}
			if s.File != "" {
				loc := sarifLoc(s.File, s.Line, 0, "")
				sup.Location = &loc
			}
			res.Suppressions = []sarifSuppression{sup}
		}
		results = append(results, res)
	}
	return sarifRun{
		Tool:       sarifTool{Driver: sarifDriver{Name: "rbacdrift", InformationURI: InformationURI, Rules: rules}},
		Results:    results,
		ColumnKind: "unicodeCodePoints",
		Properties: map[string]any{
			"model":         r.Model,
			"target":        r.Target.String(),
			"serverVersion": r.Target.ServerVersion,
		},
	}
}

// codeIndex is the position of code in [drift.Codes], unknown codes last.
func codeIndex(code drift.Code) int {
	if i := slices.IndexFunc(drift.Codes, func(c drift.CodeInfo) bool { return c.Code == code }); i >= 0 {
		return i
	}
	return len(drift.Codes)
}

func sarifLevel(s drift.Severity) string {
	if s == drift.Error {
		return "error"
	}
	return "warning"
}

// sarifLoc locates a file position and, when object is given, the object.
func sarifLoc(file string, line, col int, object string) sarifLocation {
	var loc sarifLocation
	if file != "" {
		p := &sarifPhysical{ArtifactLocation: artifact(file)}
		if line > 0 {
			p.Region = &sarifRegion{StartLine: line, StartColumn: col}
		}
		loc.PhysicalLocation = p
	}
	if object != "" {
		loc.LogicalLocations = []sarifLogical{{FullyQualifiedName: object}}
	}
	return loc
}

// artifact turns a file path into a SARIF artifact location: a relative URI
// against %SRCROOT%, or a file: URI for an absolute path.
func artifact(file string) sarifArtifactLoc {
	uri := filepath.ToSlash(filepath.Clean(file))
	if filepath.IsAbs(file) {
		if !strings.HasPrefix(uri, "/") {
			uri = "/" + uri // a Windows drive: file:///C:/...
		}
		return sarifArtifactLoc{URI: (&url.URL{Scheme: "file", Path: uri}).String()}
	}
	return sarifArtifactLoc{URI: (&url.URL{Path: uri}).EscapedPath(), URIBaseID: sarifSrcRoot}
}

// findingProperties carries what SARIF has no field for.
func findingProperties(f *drift.Finding) map[string]any {
	p := map[string]any{"object": f.Object, "subject": f.Subject}
	if f.Expected != "" {
		p["expected"] = f.Expected
	}
	if f.Actual != "" {
		p["actual"] = f.Actual
	}
	if f.SQLState != "" {
		p["sqlstate"] = f.SQLState
	}
	return p
}
