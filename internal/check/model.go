package check

import (
	"io/fs"

	"github.com/rbacdrift/rbacdrift/internal/migrations"
	"github.com/rbacdrift/rbacdrift/spec"
)

// LoadModel reads a model file as the command and the Go API both do: the
// spec package parses it, and the packages that own the facts check what
// spec leaves to them (that migrations.tool names a known tool).
func LoadModel(path string) (*spec.Model, error) {
	m, err := spec.Load(path)
	if err != nil {
		return nil, err
	}
	return m, migrations.CheckModel(m)
}

// LoadModelFS is [LoadModel] for a model inside fsys.
func LoadModelFS(fsys fs.FS, path string) (*spec.Model, error) {
	m, err := spec.LoadFS(fsys, path)
	if err != nil {
		return nil, err
	}
	return m, migrations.CheckModel(m)
}
