package spec

import (
	"path"
	"strings"
)

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
