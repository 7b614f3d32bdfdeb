// Package verify is where circc verify will live: running hand-made and
// reference networks side by side on synthetic stimuli and photos, matching
// hand-made units to natural ones, computing the metrics that expect claims
// name (spec.md §8) and reporting them. It holds no code yet.
package verify
