package drift

// A pair is a declared item and the live item it matched.
type pair[D, L any] struct {
	Declared D
	Live     L
}

// match pairs declared and live items by a canonical key: the one differ
// behind every list comparison. missing holds declared items with no live
// match, extra the live items nothing declared, both in input order.
func match[D, L any](declared []D, live []L, dkey func(D) string, lkey func(L) string) (pairs []pair[D, L], missing []D, extra []L) {
	byKey := make(map[string]int, len(live))
	for i, l := range live {
		if _, dup := byKey[lkey(l)]; !dup {
			byKey[lkey(l)] = i
		}
	}
	used := make([]bool, len(live))
	for _, d := range declared {
		if i, ok := byKey[dkey(d)]; ok && !used[i] {
			used[i] = true
			pairs = append(pairs, pair[D, L]{d, live[i]})
			continue
		}
		missing = append(missing, d)
	}
	for i, l := range live {
		if !used[i] {
			extra = append(extra, l)
		}
	}
	return pairs, missing, extra
}

func identity[T any](v T) T { return v }
