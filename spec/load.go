package spec

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/rbacdrift/rbacdrift/internal/safefile"
)

// MaxFileSize is the largest model or query file read. A model that size is
// far beyond any RBAC schema; the limit keeps memory bounded on a wrong file.
const MaxFileSize = safefile.MaxModel

// maxErrors is how many problems one parse reports before it stops.
const maxErrors = 50

// Load reads and parses the model file at path, then reads the query files it
// names (relative to the model file's folder).
func Load(path string) (*Model, error) {
	data, err := readFile(path)
	if err != nil {
		return nil, err
	}
	m, err := Parse(path, data)
	if err != nil {
		return nil, err
	}
	if err := m.loadQueryFiles(filepath.Dir(path)); err != nil {
		return nil, err
	}
	return m, nil
}

// readFile reads a model, targets or query file through safefile: only a
// regular file (links resolved; never a FIFO, a device or a folder), at most
// MaxFileSize bytes.
func readFile(path string) ([]byte, error) {
	data, err := safefile.ReadFile(path, MaxFileSize, "a model file")
	if err != nil {
		var se *safefile.Error
		if errors.As(err, &se) {
			if errors.Is(err, safefile.ErrNotRegular) && isDir(path) {
				return nil, Errors{{Pos: Pos{File: path}, Msg: "is a directory, not a model file"}}
			}
			if se.Kind == safefile.ErrTooLarge {
				return nil, Errors{{Pos: Pos{File: path}, Msg: fmt.Sprintf("file is larger than %d MiB; a model file is a few kilobytes (is this the right file?)", MaxFileSize>>20)}}
			}
			if se.Kind != nil {
				return nil, Errors{{Pos: Pos{File: path}, Msg: se.What}}
			}
		}
		if se != nil && se.Err != nil {
			err = se.Err
		}
		return nil, Errors{{Pos: Pos{File: path}, Msg: "cannot read: " + describeOSError(err)}}
	}
	return data, nil
}

func isDir(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}

func describeOSError(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// Parse decodes a model from data; file names it in positions.
func Parse(file string, data []byte) (*Model, error) {
	d := &decoder{file: file}
	m := d.model(data)
	if len(d.errs) > 0 {
		return nil, d.errs
	}
	return m, nil
}

type decoder struct {
	file string
	errs Errors
}
