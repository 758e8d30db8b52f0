package main

import (
	"bytes"
	"io"
)

// scrubWriter replaces the connection passwords with xxxxx in everything
// written through it: a last line of defence, whatever an error quotes.
func scrubWriter(w io.Writer, passwords ...string) io.Writer {
	for _, p := range passwords {
		if len(p) >= 2 {
			w = &scrubber{w: w, secret: []byte(p)}
		}
	}
	return w
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
