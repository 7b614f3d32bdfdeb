// Package atlas builds an atlas of a network: for every unit of chosen
// layers, its feature visualizations (neuron, channel, negative and a
// diverse set of four), its top and most negative photos as receptive-
// field crops, its strongest expanded-weight inputs and outputs to the
// neighbouring layers, its tuning over the standard stimulus sets and
// the family kinds whose membership tests it passes; then a static site
// with one stable page per unit (MODEL/LAYER/CH.html).
//
// It reads a reference model (package reference), the photos (package
// datasets) and, for the site, circuits that name the model. Work is
// planned once (Plan, written to the atlas folder as atlas.json) as
// tasks of up to Settings.Chunk units of one layer, the units optimised
// together, and split into shards of balanced estimated cost; a shard is
// run by any process that sees the folder, with no coordinator.
//
// Guarantees:
//   - a unit's result is keyed by the model's sha256, the unit, its task,
//     the settings, the photos and circc's version (Key), and written
//     atomically (a folder renamed into place): a rerun computes only
//     what is missing or stale, and an interrupted one loses at most the
//     tasks in flight;
//   - a task's result does not depend on the shard or worker that ran
//     it: the same plan gives the same bytes from a laptop or a cluster;
//   - the site is a function of the plan and the stored results.
package atlas
