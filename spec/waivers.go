package spec

import (
	"path"
	"regexp"
	"strings"
)

const (
	identRE  = `(?:[A-Za-z_][A-Za-z0-9_$]*|"(?:[^"]|"")+")`
	typmodRE = `(?:\s*\(\s*\d+\s*(?:,\s*\d+\s*)?\))?`
)

var typeNameRE = regexp.MustCompile(`^` + identRE + typmodRE +
	`(?:(?:\s+|\s*\.\s*)` + identRE + typmodRE + `)*(?:\s*\[\s*\d*\s*\])*$`)

// ValidTypeName reports whether s has the shape of a PostgreSQL type name:
// words (possibly schema-qualified and double-quoted), at most numeric
// modifiers in parentheses, and array brackets. Nothing else passes, so a
// declared type can be handed to the server as CAST(NULL AS <type>) to be
// canonicalised without any risk of running something else.
func ValidTypeName(s string) bool {
	return len(s) <= 200 && typeNameRE.MatchString(s)
}

// matchGlob reports whether name matches the waiver glob pattern.
func matchGlob(pattern, name string) (bool, error) {
	return path.Match(pattern, name)
}

// Matches reports whether the waiver covers a finding with this code and object.
func (w *Waiver) Matches(code, object string) bool {
	if w.Code != "*" && w.Code != code {
		return false
	}
	ok, _ := matchGlob(w.Object, object)
	if !ok && strings.HasSuffix(w.Object, ".*") {
		// "public.t.*" also covers "public.t" itself.
		ok = strings.TrimSuffix(w.Object, ".*") == object
	}
	return ok
}
