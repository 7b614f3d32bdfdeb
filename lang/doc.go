// Package lang is the home of the circ language: its reference is spec.md at
// the repository root, and this package's test keeps that document honest
// (the grammar section equals the parser's, and every example checks).
//
// The front end is split by stage, each a package of its own, in dependency
// order:
//
//   - ast: the syntax tree, whose struct tags are the grammar;
//   - parser: text to tree, with positions, comments and one diagnostic per
//     broken declaration;
//   - format: tree back to canonical text (circc fmt).
//
// Name resolution and checking live in compiler/check.
package lang
