// Package circuits holds the example circuits: curves.circ, the Curve
// Circuits hand-built network, and highlow.circ, a hand-built high-low
// frequency detector family. The package's tests check both and assert the
// network shapes they declare.
package circuits
