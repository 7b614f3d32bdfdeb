// Package stimuli renders the synthetic images circc verify probes units
// with: curves (arcs through the centre over orientation × radius, with
// polarity), edges and lines, Gabor patches, high-low frequency boundaries
// and rounded corners; and it turns photos into images of the same form.
//
// Images are planar RGB in [0, 1] at the model's input size, rendered in
// pure Go from implicit shapes, anti-aliased by 4×4 supersampling near the
// boundary, and deterministic: the same parameters give the same values.
// Orientations are the direction of a shape's normal in degrees, with x to
// the right and y downwards, as in circ.
package stimuli
