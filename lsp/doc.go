// Package lsp is circc's language server: circ files in an editor, with
// the checker's own diagnostics on every change, hover, go to definition,
// references, document symbols, completion, signature help and
// formatting, over the Language Server Protocol (through
// github.com/tliron/glsp, on stdin and stdout).
//
// It reads open documents (their unsaved text over the files on disk) and
// produces protocol messages; the problems are compiler/check's, the
// layout lang/format's: there is no second checker. Standard-library
// modules are shown read-only from a copy in the user's cache.
//
// Guarantees: no text makes it panic (the checker recovers, and the
// server answers every request from the last document it could read); a
// client that disconnects or sends garbage ends the server cleanly.
package lsp
