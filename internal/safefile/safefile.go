package safefile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Limits per kind of file: far beyond any real one of its kind, small enough
// that a wrong file cannot exhaust memory.
const (
	// MaxModel bounds a model file, a query file and a targets file.
	MaxModel = 4 << 20
	// MaxSchema bounds a drizzle-kit snapshot or journal and a Prisma schema.
	MaxSchema = 16 << 20
	// MaxMigration bounds one migration's SQL file.
	MaxMigration = 64 << 20
)

// Kinds of refusal, for errors.Is.
var (
	ErrNotRegular = errors.New("not a regular file")
	ErrTooLarge   = errors.New("file too large")
	ErrOutside    = errors.New("outside its folder")
)

// An Error is a file refused or not read: its path, and why.
type Error struct {
	Path  string
	Kind  error // ErrNotRegular, ErrTooLarge, ErrOutside, or nil for an I/O error
	What  string
	Limit int64 // for ErrTooLarge
	Err   error // the I/O error, if any
}

func (e *Error) Error() string {
	switch {
	case e.Kind == ErrTooLarge:
		return fmt.Sprintf("%s: file is larger than %s, the limit for %s", e.Path, size(e.Limit), e.what())
	case e.Kind != nil:
		return fmt.Sprintf("%s: %s", e.Path, e.What)
	}
	return fmt.Sprintf("%s: %v", e.Path, e.Err)
}

func (e *Error) what() string {
	if e.What == "" {
		return "this kind of file"
	}
	return e.What
}

// Is reports whether target is the error's kind.
func (e *Error) Is(target error) bool { return e.Kind != nil && target == e.Kind }

// Unwrap returns the I/O error.
func (e *Error) Unwrap() error { return e.Err }

func size(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// describe names a file mode for a message.
func describe(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO (named pipe)"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeIrregular != 0:
		return "an irregular file"
	}
	return "not a regular file"
}

// Check returns an error unless path, after its links are resolved, is a
// regular file. It opens nothing.
func Check(path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return &Error{Path: path, Err: unwrapPath(err)}
	}
	if !st.Mode().IsRegular() {
		return &Error{Path: path, Kind: ErrNotRegular, What: "is " + describe(st.Mode()) + ", not a regular file"}
	}
	return nil
}

// ReadFile reads the regular file at path, at most limit bytes; what the
// file is and its size are checked as the package doc says. what names the
// kind of file in the too-large message ("a model file").
func ReadFile(path string, limit int64, what string) ([]byte, error) {
	return read(path, path, limit, what)
}

// read reads real (a resolved path) and names shown in errors.
func read(shown, real string, limit int64, what string) ([]byte, error) {
	if err := Check(real); err != nil {
		err.(*Error).Path = shown
		return nil, err
	}
	f, err := os.OpenFile(real, os.O_RDONLY|openFlags, 0)
	if err != nil {
		return nil, &Error{Path: shown, Err: unwrapPath(err)}
	}
	defer f.Close()
	// The file may have been swapped between the stat and the open.
	st, err := f.Stat()
	if err != nil {
		return nil, &Error{Path: shown, Err: unwrapPath(err)}
	}
	if !st.Mode().IsRegular() {
		return nil, &Error{Path: shown, Kind: ErrNotRegular, What: "is " + describe(st.Mode()) + ", not a regular file"}
	}
	if st.Size() > limit {
		return nil, &Error{Path: shown, Kind: ErrTooLarge, Limit: limit, What: what}
	}
	var buf bytes.Buffer
	n, err := buf.ReadFrom(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, &Error{Path: shown, Err: unwrapPath(err)}
	}
	if n > limit {
		return nil, &Error{Path: shown, Kind: ErrTooLarge, Limit: limit, What: what}
	}
	return buf.Bytes(), nil
}

// ReadFileIn reads the file rel of the folder dir as [ReadFile] does, and
// refuses it unless it lies inside dir once every link is resolved. Errors
// name filepath.Join(dir, rel).
func ReadFileIn(dir, rel string, limit int64, what string) ([]byte, error) {
	real, err := Resolve(dir, rel)
	if err != nil {
		return nil, err
	}
	return read(filepath.Join(dir, rel), real, limit, what)
}

// Resolve returns the path of the file rel of the folder dir with every link
// resolved, or an [ErrOutside] error if rel leads out of dir.
func Resolve(dir, rel string) (string, error) {
	shown := filepath.Join(dir, rel)
	if filepath.IsAbs(rel) || !filepath.IsLocal(rel) {
		return "", &Error{Path: shown, Kind: ErrOutside, What: fmt.Sprintf("%q leads out of the folder %s", rel, dir)}
	}
	rdir, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return "", &Error{Path: dir, Err: unwrapPath(err)}
	}
	if rdir, err = filepath.Abs(rdir); err != nil {
		return "", &Error{Path: dir, Err: err}
	}
	real, err := filepath.EvalSymlinks(filepath.Join(rdir, rel))
	if err != nil {
		return "", &Error{Path: shown, Err: unwrapPath(err)}
	}
	if !Within(rdir, real) {
		return "", &Error{Path: shown, Kind: ErrOutside, What: fmt.Sprintf("is a link to %s, outside the folder %s", real, dir)}
	}
	return real, nil
}

// Within reports whether the absolute path p is dir or lies under it; both
// must be resolved and clean.
func Within(dir, p string) bool {
	r, err := filepath.Rel(dir, p)
	return err == nil && r != ".." && !strings.HasPrefix(r, ".."+string(filepath.Separator)) && !filepath.IsAbs(r)
}

// unwrapPath drops os.PathError's path, which the Error names already.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
