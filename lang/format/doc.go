// Package format prints circ syntax trees in canonical layout (circc fmt).
//
// It reads a parsed file and the text it came from, and produces the same
// declarations with canonical spacing: one declaration per line, two-space
// indentation inside bodies and multi-line blocks, single spaces around
// binary operators. It keeps what an author means by layout: every comment
// (doc, standalone and trailing), a single blank line where the source had
// one or more between declarations or statements, and the line breaks
// between items of bracketed lists, tables, kernels and calls.
//
// Guarantees: Source never returns text that parses to a different syntax
// tree or has fewer comments (it checks, and refuses otherwise); formatting
// is idempotent; a file with syntax errors is not formatted.
package format
