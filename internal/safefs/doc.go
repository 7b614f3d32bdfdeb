// Package safefs is circc's one way of reading input files and replacing
// output files, through an afero.Fs.
//
// Reading (ReadFile, Open) takes regular files only, up to a size limit,
// so that a FIFO, a device or /dev/zero named as an input is an error and
// not a hang or an exhausted memory. A run is a Session (an afero.Fs):
// every file read through it is remembered as an input of that run, and
// nothing is kept per process.
//
// Writing (WriteFiles) replaces a group of files together: each is written
// to a temporary file beside its destination, synced, optionally checked
// by the caller, and only then renamed into place, under a lock on the
// directory, so that two runs writing the same pair never leave one run's
// file beside the other's, and a failed rename puts back what was there.
// It guarantees:
//   - a destination that is an input of the run is refused;
//   - a symbolic link is followed: its target is replaced, the link stays;
//   - a destination that exists and is not a regular file is refused, and
//     so is one without write permission for its owner (read-only);
//   - a replaced file keeps its mode and its owner;
//   - temporary files are removed on error, by Session.RemoveTemps (which
//     cmd/circc calls on SIGINT, SIGTERM and SIGHUP), and a later run
//     removes those that a killed run left behind;
//   - the group's rollback works on any afero.Fs (a backup is a hard link
//     on the real file system, a copy elsewhere), so it is testable in
//     memory; locks between processes (flock) exist on the real one only.
package safefs
