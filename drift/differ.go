package drift

// A Pair is a declared item and the live item it matched.
type Pair[D, L any] struct {
	Declared D
	Live     L
}

// Match pairs declared and live items by a canonical key: the one differ
// behind every list comparison (columns, foreign keys, uniques, indexes,
// grants, policies, enum labels, the dry run's result columns). missing
// holds the declared items with no live match, extra the live items nothing
// declared, both in input order.
//
// A key that two live items share pairs the first, and the second is extra:
// it is never dropped. A key that two declared items share is a model the
// parser refuses (spec names the duplicate); a model built another way (a
// schema read from an ORM) gets the second paired with the same live item,
// so that a duplicate never reads as missing.
func Match[D, L any](declared []D, live []L, dkey func(D) string, lkey func(L) string) (pairs []Pair[D, L], missing []D, extra []L) {
	byKey := make(map[string]int, len(live))
	for i, l := range live {
		if _, dup := byKey[lkey(l)]; !dup {
			byKey[lkey(l)] = i
		}
	}
	used := make([]bool, len(live))
	seen := make(map[string]bool, len(declared))
	for _, d := range declared {
		k := dkey(d)
		i, ok := byKey[k]
		switch {
		case ok && !used[i]:
			used[i] = true
			pairs = append(pairs, Pair[D, L]{d, live[i]})
		case ok && seen[k]:
			pairs = append(pairs, Pair[D, L]{d, live[i]})
		default:
			missing = append(missing, d)
		}
		seen[k] = true
	}
	for i, l := range live {
		if !used[i] {
			extra = append(extra, l)
		}
	}
	return pairs, missing, extra
}

// match is [Match] for this package.
func match[D, L any](declared []D, live []L, dkey func(D) string, lkey func(L) string) ([]Pair[D, L], []D, []L) {
	return Match(declared, live, dkey, lkey)
}

func identity[T any](v T) T { return v }
