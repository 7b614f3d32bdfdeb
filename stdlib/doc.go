// Package stdlib embeds circ's standard library, written in circ itself.
//
// Each module is one file NAME.circ headed "library NAME"; circuits bring
// it in with "import NAME". The modules are:
//
//   - filters: the kernel shapes of the Curve Circuits hand-built network
//     (Gabor, edge and surround, arc), as functions of kernel coordinates.
//   - tables: the coefficient tables and connection rules of that network
//     (edge→edge, curve→curve tangent rule, edge→curve).
//
// The package guarantees that every module parses and checks cleanly (tests
// run the checker on each); it does no evaluation itself.
package stdlib
