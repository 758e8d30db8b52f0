// Package safefile reads the files rbacdrift is pointed at (models, query
// files, targets files, drizzle-kit snapshots, Prisma schemas, migrations)
// without trusting what they claim to be.
//
// # What it refuses
//
// A path that is not a regular file once its links are resolved: a folder, a
// FIFO (whose open would block until a writer comes), a device such as
// /dev/zero (which never ends), a socket. The type is asked with stat before
// the file is opened, and the open itself never blocks (O_NONBLOCK), so a
// FIFO swapped in between is refused too. A file larger than the limit the
// caller gives is refused after reading at most limit+1 bytes. [ReadFileIn]
// also refuses a name that leads out of its folder, by "..", an absolute
// path, or a link whose target lies outside.
//
// Every refusal is an [*Error] that names the path; errors.Is tells the kind
// ([ErrNotRegular], [ErrTooLarge], [ErrOutside]).
//
// It never writes, and never follows a link to decide what to refuse.
package safefile
