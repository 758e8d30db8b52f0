package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/rbacdrift/rbacdrift/drift"
)

// A Decoded is a JSON report read back: the report of one target ([JSON])
// or of a fleet ([FleetJSON]), as the targets of a fleet. A one-target
// report becomes one [FleetTarget] with an empty Name: the caller names it.
type Decoded struct {
	Model   string
	Fleet   bool // the document was a fleet report
	Targets []*FleetTarget
}

// DecodeJSON reads one report that [JSON] or [FleetJSON] wrote. It refuses
// a document of another format version, unknown fields, and trailing data:
// a report joined from misread parts would be worse than none.
func DecodeJSON(r io.Reader) (*Decoded, error) {
	raw, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	var shape struct {
		Version *int            `json:"version"`
		Targets json.RawMessage `json:"targets"`
		Target  json.RawMessage `json:"target"`
	}
	if err := json.Unmarshal(raw, &shape); err != nil {
		return nil, fmt.Errorf("not a JSON report: %w", err)
	}
	switch {
	case shape.Version == nil:
		return nil, errors.New("not an rbacdrift JSON report: no version")
	case *shape.Version != Version:
		return nil, fmt.Errorf("report format version %d, this rbacdrift reads version %d", *shape.Version, Version)
	case shape.Targets != nil && shape.Target != nil:
		return nil, errors.New("not an rbacdrift JSON report: both target and targets")
	case shape.Targets == nil && shape.Target == nil:
		return nil, errors.New("not an rbacdrift JSON report: neither target nor targets")
	}
	if shape.Targets != nil {
		var f Fleet
		if err := strict(raw, &f); err != nil {
			return nil, err
		}
		d := &Decoded{Model: f.Model, Fleet: true}
		for i, t := range f.Targets {
			if t == nil || t.Name == "" {
				return nil, fmt.Errorf("targets[%d] has no name", i)
			}
			if t.Error != "" {
				d.Targets = append(d.Targets, UnreachableTarget(t.Name, t.Target, t.Error))
				continue
			}
			var c Checked
			if t.Checked != nil {
				c = *t.Checked
			}
			d.Targets = append(d.Targets, CheckedTarget(t.Name, New(f.Model, t.Target, c, nonNil(t.Findings))))
		}
		return d, nil
	}
	var rep Report
	if err := strict(raw, &rep); err != nil {
		return nil, err
	}
	return &Decoded{Model: rep.Model, Targets: []*FleetTarget{
		CheckedTarget("", New(rep.Model, rep.Target, rep.Checked, nonNil(rep.Findings)))}}, nil
}

// strict decodes raw into v, refusing unknown fields (json.Unmarshal has
// refused trailing data already).
func strict(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("reading the report: %w", err)
	}
	return nil
}

func nonNil(fs []*drift.Finding) []*drift.Finding {
	out := fs[:0:0]
	for _, f := range fs {
		if f != nil {
			out = append(out, f)
		}
	}
	return out
}

// Named returns t under another name; the report is shared.
func (t *FleetTarget) Named(name string) *FleetTarget {
	c := *t
	c.Name = name
	return &c
}

// SetFailOn sets the fail level of the target's report, by which
// [NewFleet] counts it as failed or clean: a report read back carries none.
func (t *FleetTarget) SetFailOn(l FailLevel) { t.reportAt(l) }
