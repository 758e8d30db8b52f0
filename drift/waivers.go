package drift

import (
	"fmt"
	"time"

	"github.com/rbacdrift/rbacdrift/spec"
)

// WaiverSubject is the [Finding.Subject] of the findings about the model's
// waivers themselves (expired-waiver).
const WaiverSubject = "waivers"

// ApplyWaivers marks the findings that an active waiver of ws covers as
// suppressed, and returns fs with one expired-waiver warning appended for
// each waiver whose until date is before today, sorted with [Sort].
//
// A waiver is active through its until date (inclusive) and when it has
// none. The first active waiver in model order that matches a finding's code
// and object (see [spec.Waiver.Matches]) suppresses it: the finding stays in
// the list, with [Finding.Suppressed] set, so that reports still show it, and
// [Summarize] counts it apart. An expired waiver suppresses nothing, and its
// warning says how many findings it would have covered. Findings that are
// already suppressed, and expired-waiver findings, are left alone: a waiver
// cannot hide the news that another waiver expired.
//
// today is a parameter so that tests can fix the date; only its calendar
// date, in its own location, counts.
func ApplyWaivers(fs []*Finding, ws []*spec.Waiver, today time.Time) []*Finding {
	date := today.Format(time.DateOnly)
	var expired []*Finding
	for i, w := range ws {
		if w.Until == "" || w.Until >= date { // YYYY-MM-DD compares as text
			continue
		}
		covered := 0
		for _, f := range fs {
			if f.Suppressed == nil && f.Code != ExpiredWaiver && w.Matches(string(f.Code), f.Object) {
				covered++
			}
		}
		name := WaiverName(i)
		f := &Finding{Code: ExpiredWaiver, Severity: Info(ExpiredWaiver).Severity, Object: name, Subject: WaiverSubject,
			Expected: "until on or after " + date, Actual: "until " + w.Until,
			Message: fmt.Sprintf("waiver %s (%s on %s) expired on %s; %s", name, w.Code, w.Object, w.Until, coveredWords(covered)),
			Hint:    "fix what it waives, or set a later until if its reason still holds: " + w.Reason}
		expired = append(expired, f.At(w.Pos))
	}
	for _, f := range fs {
		if f.Suppressed != nil || f.Code == ExpiredWaiver {
			continue
		}
		for _, w := range ws {
			if w.Until != "" && w.Until < date {
				continue
			}
			if w.Matches(string(f.Code), f.Object) {
				f.Suppressed = &Suppression{Reason: w.Reason, Until: w.Until, File: w.Pos.File, Line: w.Pos.Line}
				break
			}
		}
	}
	out := append(fs[:len(fs):len(fs)], expired...)
	Sort(out)
	return out
}

// WaiverName names the i-th waiver (0-based) as the model writes it: ignore[i].
func WaiverName(i int) string { return fmt.Sprintf("ignore[%d]", i) }

func coveredWords(n int) string {
	switch n {
	case 0:
		return "it matches no finding today"
	case 1:
		return "the 1 finding it matches is reported again"
	}
	return fmt.Sprintf("the %d findings it matches are reported again", n)
}
