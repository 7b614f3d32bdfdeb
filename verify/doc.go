// Package verify compares a circuit's hand-made units with the learned
// units of a reference network (circc verify).
//
// It reads a compiled circuit (package compiler) and its match and expect
// statements, and a reference model (package reference). It builds one
// graph — the reference model cut after the tensors the matches name, with
// the compiled circuit spliced beside it — and sweeps it with synthetic
// stimuli (package stimuli) in batches, rendering ahead of the network,
// reading each unit at the centre cell of its map. It pairs each hand-made
// unit with a distinct natural unit (the channels the match lists, or the
// best one-to-one assignment of response-map correlations), measures
// tuning (preferred orientation, width, echo, curve preference), response
// similarity, family coverage and spacing, and the overlap of top dataset
// photos, and checks the expect claims. It classes each pair a genuine
// counterpart or not by criteria on the natural unit (GenuineMaxEcho…). A
// match to MODEL.* (or a network no match names) searches every layer in
// the same pass, reports the best one with each layer's score, and runs
// the search again on a control, the network with its convolution weights
// shuffled. It produces a Report per network, as terminal tables, JSON, a
// self-contained HTML page and figure files.
//
// Guarantees: the same circuit, model and options give the same report
// (stimuli and readout are deterministic); a claim holds only when every
// value it speaks of is defined and satisfies it.
package verify
