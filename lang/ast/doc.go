// Package ast defines the syntax tree of circ source files.
//
// The node types double as the grammar: their struct tags are participle
// grammar rules, read by package parser (see parser.Grammar for the EBNF
// they amount to). Every node records Pos, where it starts, and EndPos, where
// the next token starts (for the last node of a declaration: just past its
// last token). Comments are not grammar: the parser collects them into
// File.Comments and attaches "///" doc comments to the declarations and body
// statements that directly follow them.
//
// Nodes with alternatives (Decl, Stmt, Primary, Suffix…) have exactly one
// non-nil field. Equal compares two trees ignoring positions and comments.
package ast
