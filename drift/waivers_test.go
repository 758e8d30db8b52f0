package drift

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rbacdrift/rbacdrift/spec"
)

func TestApplyWaivers(t *testing.T) {
	today := time.Date(2025, 3, 10, 23, 30, 0, 0, time.UTC)
	at := func(line int) spec.Pos { return spec.Pos{File: "rbacdrift.yaml", Line: line, Column: 5} }
	finding := func(code Code, object string, line int) *Finding {
		return &Finding{Code: code, Severity: Info(code).Severity, Object: object, Subject: "public.role_permissions",
			Message: "m", File: "rbacdrift.yaml", Line: line, Column: 7}
	}
	// view is what the test compares: code, object, and the waiver reason
	// that suppresses the finding ("" when none).
	type view struct{ Code, Object, Waived string }
	tests := []struct {
		name     string
		findings []*Finding
		waivers  []*spec.Waiver
		want     []view
	}{
		{
			name:     "no waivers",
			findings: []*Finding{finding("missing-index", "public.role_permissions", 10)},
			want:     []view{{"missing-index", "public.role_permissions", ""}},
		},
		{
			name:     "active without until",
			findings: []*Finding{finding("missing-index", "public.role_permissions", 10)},
			waivers:  []*spec.Waiver{{Code: "missing-index", Object: "public.role_permissions", Reason: "RBAC-142", Pos: at(60)}},
			want:     []view{{"missing-index", "public.role_permissions", "RBAC-142"}},
		},
		{
			name:     "until today is still active",
			findings: []*Finding{finding("missing-index", "public.role_permissions", 10)},
			waivers:  []*spec.Waiver{{Code: "missing-index", Object: "public.role_permissions", Reason: "last day", Until: "2025-03-10", Pos: at(60)}},
			want:     []view{{"missing-index", "public.role_permissions", "last day"}},
		},
		{
			name: "glob and star code",
			findings: []*Finding{
				finding("forbidden-column", "public.role_permissions.resource", 10),
				finding("missing-column", "public.role_permissions.scope", 11),
				finding("missing-table", "public.users", 12),
			},
			waivers: []*spec.Waiver{{Code: "*", Object: "public.role_permissions.*", Reason: "legacy", Pos: at(60)}},
			want: []view{
				{"forbidden-column", "public.role_permissions.resource", "legacy"},
				{"missing-column", "public.role_permissions.scope", "legacy"},
				{"missing-table", "public.users", ""},
			},
		},
		{
			name:     "first matching waiver wins",
			findings: []*Finding{finding("missing-index", "public.role_permissions", 10)},
			waivers: []*spec.Waiver{
				{Code: "missing-unique", Object: "*", Reason: "other code", Pos: at(60)},
				{Code: "missing-index", Object: "public.*", Reason: "first", Pos: at(63)},
				{Code: "*", Object: "*", Reason: "second", Pos: at(66)},
			},
			want: []view{{"missing-index", "public.role_permissions", "first"}},
		},
		{
			name: "expired: a warning at the waiver, and the finding is back",
			findings: []*Finding{
				finding("forbidden-column", "public.role_permissions.resource", 10),
				finding("forbidden-column", "public.role_permissions.permission", 11),
			},
			waivers: []*spec.Waiver{
				{Code: "missing-index", Object: "x", Reason: "active, unused", Pos: at(60)},
				{Code: "forbidden-column", Object: "public.role_permissions.*", Reason: "rollback window", Until: "2025-03-09", Pos: at(63)},
			},
			want: []view{
				{"forbidden-column", "public.role_permissions.resource", ""},
				{"forbidden-column", "public.role_permissions.permission", ""},
				{"expired-waiver", "ignore[1]", ""},
			},
		},
		{
			name:     "an expired waiver does not stop a later active one",
			findings: []*Finding{finding("missing-index", "public.role_permissions", 10)},
			waivers: []*spec.Waiver{
				{Code: "missing-index", Object: "*", Reason: "old", Until: "2024-12-31", Pos: at(60)},
				{Code: "missing-index", Object: "*", Reason: "renewed", Until: "2025-12-31", Pos: at(63)},
			},
			want: []view{
				{"missing-index", "public.role_permissions", "renewed"},
				{"expired-waiver", "ignore[0]", ""},
			},
		},
		{
			name:     "an expired-waiver finding cannot be waived",
			findings: nil,
			waivers: []*spec.Waiver{
				{Code: "*", Object: "*", Reason: "everything", Until: "2020-01-01", Pos: at(60)},
				{Code: "expired-waiver", Object: "ignore[*]", Reason: "hide it", Pos: at(63)},
			},
			want: []view{{"expired-waiver", "ignore[0]", ""}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ApplyWaivers(tt.findings, tt.waivers, today)
			var views []view
			for _, f := range got {
				v := view{Code: string(f.Code), Object: f.Object}
				if f.Suppressed != nil {
					v.Waived = f.Suppressed.Reason
				}
				views = append(views, v)
			}
			if diff := cmp.Diff(tt.want, views); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
}

func TestExpiredWaiverFinding(t *testing.T) {
	w := &spec.Waiver{Code: "forbidden-column", Object: "public.role_permissions.*", Reason: "rollback window", Until: "2025-03-09",
		Pos: spec.Pos{File: "rbacdrift.yaml", Line: 63, Column: 5}}
	fs := []*Finding{{Code: "forbidden-column", Severity: Error, Object: "public.role_permissions.resource", Subject: "public.role_permissions",
		File: "rbacdrift.yaml", Line: 10}}
	got := ApplyWaivers(fs, []*spec.Waiver{w}, time.Date(2025, 3, 10, 0, 0, 0, 0, time.UTC))
	want := &Finding{Code: "expired-waiver", Severity: Warning, Object: "ignore[0]", Subject: WaiverSubject,
		Expected: "until on or after 2025-03-10", Actual: "until 2025-03-09",
		Message: "waiver ignore[0] (forbidden-column on public.role_permissions.*) expired on 2025-03-09; the 1 finding it matches is reported again",
		Hint:    "fix what it waives, or set a later until if its reason still holds: rollback window",
		File:    "rbacdrift.yaml", Line: 63, Column: 5}
	if len(got) != 2 {
		t.Fatalf("got %d findings, want the finding and the expired waiver", len(got))
	}
	if diff := cmp.Diff(want, got[1]); diff != "" {
		t.Errorf("expired-waiver finding (-want +got):\n%s", diff)
	}
	if s := Summarize(got); s != (Summary{Errors: 1, Warnings: 1}) {
		t.Errorf("summary %+v: the expired waiver is a warning and suppresses nothing", s)
	}
}
