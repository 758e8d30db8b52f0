package spec

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"path"
	"path/filepath"
)

// LoadFS reads and parses the model file name inside fsys (an embed.FS, so
// that a service can compile its model in, or an os.DirFS), then the query
// files it names, relative to the model file's folder inside fsys. name and
// every path the model holds are slash-separated paths of fsys (see
// [fs.ValidPath]); the model's File is name, and its FS is fsys, so that its
// migrations folder is read from fsys too.
func LoadFS(fsys fs.FS, name string) (*Model, error) {
	src := fsFiles{fsys}
	data, err := src.read(name)
	if err != nil {
		return nil, err
	}
	m, err := Parse(name, data)
	if err != nil {
		return nil, err
	}
	m.FS = fsys
	if err := m.loadQueryFilesFrom(src, path.Dir(name)); err != nil {
		return nil, err
	}
	return m, nil
}

// files is where a model's query files are read from: the operating
// system's file system ([Load]) or an fs.FS ([LoadFS]).
type files interface {
	// join returns pattern relative to dir, the model file's folder.
	join(dir, pattern string) string
	glob(pattern string) ([]string, error)
	// read returns the file's content, or [Errors] naming it.
	read(name string) ([]byte, error)
}

type osFiles struct{}

func (osFiles) join(dir, pattern string) string {
	if filepath.IsAbs(pattern) {
		return pattern
	}
	return filepath.Join(dir, pattern)
}

func (osFiles) glob(pattern string) ([]string, error) { return filepath.Glob(pattern) }
func (osFiles) read(name string) ([]byte, error)      { return readFile(name) }

type fsFiles struct{ fsys fs.FS }

func (fsFiles) join(dir, pattern string) string { return path.Join(dir, pattern) }

func (f fsFiles) glob(pattern string) ([]string, error) { return fs.Glob(f.fsys, pattern) }

// read reads a regular file of at most [MaxFileSize] bytes.
func (f fsFiles) read(name string) ([]byte, error) {
	fail := func(msg string) ([]byte, error) { return nil, Errors{{Pos: Pos{File: name}, Msg: msg}} }
	file, err := f.fsys.Open(name)
	if err != nil {
		return fail("cannot read: " + describeOSError(err))
	}
	defer file.Close()
	st, err := file.Stat()
	switch {
	case err != nil:
		return fail("cannot read: " + describeOSError(err))
	case st.IsDir():
		return fail("is a directory, not a model file")
	case !st.Mode().IsRegular():
		return fail("is not a regular file")
	}
	var buf bytes.Buffer
	n, err := buf.ReadFrom(io.LimitReader(file, MaxFileSize+1))
	if err != nil {
		return fail("cannot read: " + describeOSError(err))
	}
	if n > MaxFileSize {
		return fail(fmt.Sprintf("file is larger than %d MiB; a model file is a few kilobytes (is this the right file?)", MaxFileSize>>20))
	}
	return buf.Bytes(), nil
}
