// Command circc checks, formats and (in coming releases) compiles and
// verifies circ circuits.
//
//	circc check [--json] FILE...    parse and check; report every problem
//	circc fmt [-w] [--check] FILE...  canonical layout
//	circc grammar                   the grammar (EBNF)
//	circc version
//
// Exit status: 0 success, 1 diagnostics (or files to format), 2 usage or
// unreadable input. Files are read and written through an afero.Fs; -w
// replaces a file atomically (temporary file and rename).
package main
