package spec

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// MaxFileSize is the largest model or query file read. A model that size is
// far beyond any RBAC schema; the limit keeps memory bounded on a wrong file.
const MaxFileSize = 4 << 20

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

func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, Errors{{Pos: Pos{File: path}, Msg: "cannot read: " + describeOSError(err)}}
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return nil, Errors{{Pos: Pos{File: path}, Msg: "is a directory, not a model file"}}
	}
	var buf bytes.Buffer
	n, err := buf.ReadFrom(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, Errors{{Pos: Pos{File: path}, Msg: "cannot read: " + describeOSError(err)}}
	}
	if n > MaxFileSize {
		return nil, Errors{{Pos: Pos{File: path}, Msg: fmt.Sprintf("file is larger than %d MiB; a model file is a few kilobytes (is this the right file?)", MaxFileSize>>20)}}
	}
	return buf.Bytes(), nil
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
