// Package safefs is circc's one way of reading input files and replacing
// output files, through an afero.Fs.
//
// Reading (ReadFile, Open) takes regular files only, up to a size limit,
// so that a FIFO, a device or /dev/zero named as an input is an error and
// not a hang or an exhausted memory. Every file read is remembered as an
// input of the run.
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
//   - temporary files are removed on error, on SIGINT, SIGTERM and SIGHUP
//     (RemoveTempsOnSignal), and a later run removes those that a killed
//     run left behind.
package safefs
