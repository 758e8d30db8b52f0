// Package derive holds the readers that derive a model from what an
// application already keeps in its repository, so that a team can check a
// database against what its code expects without writing the model by hand:
//
//   - [github.com/rbacdrift/rbacdrift/internal/derive/prisma] reads a Prisma
//     schema (schema.prisma);
//   - [github.com/rbacdrift/rbacdrift/internal/derive/drizzle] reads the
//     snapshots drizzle-kit writes beside its migrations.
//
// Each reader returns a *spec.Model that says what the format knows and no
// more: a fact the format cannot express (grants, FORCE ROW LEVEL SECURITY,
// policies for Prisma) is left out, which in a model means "not checked",
// and the reader's Header lists those facts in the YAML it heads.
//
// # What it never does
//
// It never runs Node, an ORM or a migration tool, never talks to a database
// or the network, and never executes the application's code: both formats are
// read as text.
package derive
