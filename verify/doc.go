// Package verify compares a circuit's hand-made units with the learned
// units of a reference network (circc verify).
//
// It reads a compiled circuit (package compiler) and its match and expect
// statements, and a reference model (package reference). It builds one
// graph — the reference model cut after the tensors the matches name, with
// the compiled circuit spliced beside it — and sweeps it with synthetic
// stimuli (package stimuli) in batches, rendering ahead of the network,
// reading each unit as the largest value over the block of cells nearest
// the stimulus centre (readWindows). A natural unit is a member of a
// family's kind when it passes the kind's tests on its own responses
// (kinds, each threshold anchored to a named reference); each layer's
// count of members is compared with the counts under its layer-only null,
// the network with only that layer's own weights shuffled, run on the
// layer's input read once (layers.go), and a layer is found by a stated
// rule (FoundP…), and, with NetworkSeeds, which layers hold a population
// against the whole network shuffled (network.go). Hand-made units are
// paired one to one with members within one step of their orientation,
// the strongest first (pairAmong); a unit without a member says so. It
// measures tuning, resemblance, coverage, spacing and the overlap of top
// photos,
// tests the natural circuit between matched families against relabelling
// nulls (the orientation rule, tile equivariance), turns portraits to test
// rotation transfer (--vis), and checks the expect claims. It produces a
// Report per network, as terminal tables, JSON, a self-contained HTML page
// and figure files.
//
// Guarantees: the same circuit, model and options give the same report
// (stimuli, readout, shuffles and relabellings are deterministic); a claim
// holds only when every value it speaks of is defined and satisfies it;
// every verdict is a statistic against a stated null.
package verify
