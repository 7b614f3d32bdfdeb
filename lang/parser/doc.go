// Package parser turns circ source text into syntax trees (package ast).
//
// It reads the bytes of one file and produces an *ast.File plus one
// diagnostic per syntax error. The lexer never stops early (an unexpected
// character becomes a diagnostic), and the token stream is cut before every
// top-level declaration keyword, so each declaration is parsed on its own:
// a syntax error spoils one declaration and the rest of the file is still
// parsed and reported. Comments are collected, and "///" doc comments are
// attached to the declarations and body statements that follow them.
//
// Grammar returns the EBNF of the grammar, as spec.md shows it.
package parser
