package main

import (
	"bytes"
	"io"
)

// scrubWriter replaces the connection password with xxxxx in everything
// written through it: a last line of defence, whatever an error quotes.
func scrubWriter(w io.Writer, password string) io.Writer {
	if len(password) < 2 {
		return w
	}
	return &scrubber{w: w, secret: []byte(password)}
}

type scrubber struct {
	w      io.Writer
	secret []byte
}

func (s *scrubber) Write(p []byte) (int, error) {
	if _, err := s.w.Write(bytes.ReplaceAll(p, s.secret, []byte("xxxxx"))); err != nil {
		return 0, err
	}
	return len(p), nil
}
