// Package report renders a check's findings for people and for machines:
// text for a terminal, JSON for tools.
//
// # What it never does
//
// It never decides what is a finding or what fails a run; it renders what it
// is given. It never prints a password: the [Target] it renders holds none.
package report
