package verify

import (
	"fmt"
	"io"
	"math"

	"github.com/circc/circc/weights"
)

func f3[T ~float64](x T) string {
	if math.IsNaN(float64(x)) {
		return "-"
	}
	return fmt.Sprintf("%.3g", float64(x))
}

// fixed3 writes a fraction with three decimals, so a column of them lines
// up (echoes and overlaps, between 0 and 1); the page and the terminal
// show the same digits.
func fixed3[T ~float64](x T) string {
	if math.IsNaN(float64(x)) {
		return "-"
	}
	return fmt.Sprintf("%.3f", float64(x))
}

// overlap writes a pair's photo overlap, "-" when photos were not used.
func overlapText(x *float64) string {
	if x == nil {
		return "-"
	}
	return fixed3(*x)
}

// genuineText is a pair's class: yes, or no with the reason.
func genuineText(p *Pair) string {
	if p.Genuine {
		return "yes"
	}
	return "no: " + p.NotGenuine
}

func deg[T ~float64](x T) string {
	if math.IsNaN(float64(x)) {
		return "-"
	}
	return fmt.Sprintf("%.0f°", float64(x))
}

// WriteText writes the report as terminal tables.
func (r *Report) WriteText(w io.Writer) {
	fmt.Fprintf(w, "%s against %s (%s): %d stimuli, %d photos, %.1f s\n", r.Source, r.Against, r.Provider, r.Stimuli, r.Photos, r.Seconds)
	for _, f := range r.Families {
		fmt.Fprintf(w, "\n%s.%s ~ %s (%s matching on %s; %s)\n", f.Layer, f.Family, f.NaturalLayer, f.Matching, f.Stimuli, f.Pos)
		fmt.Fprintf(w, "  %-20s %-13s %7s %7s %7s %7s %7s %7s %7s %7s  %s\n", "unit", "natural", "r", "pref", "n.pref", "err", "width", "echo", "n.echo", "overlap", "counterpart")
		for _, p := range f.Pairs {
			fmt.Fprintf(w, "  %-20s %-13s %7s %7s %7s %7s %7s %7s %7s %7s  %s\n", p.Unit, p.Natural, f3(p.PearsonR), deg(p.Handmade.PreferredDeg),
				deg(p.NaturalTuning.PreferredDeg), deg(p.OrientationErrorDeg), deg(p.Handmade.WidthDeg), fixed3(p.Handmade.Echo), fixed3(p.NaturalTuning.Echo), overlapText(p.Overlap), genuineText(p))
		}
		fmt.Fprintf(w, "  genuine counterparts: %d of %d (mean r %s); %d hand-made units found none\n", f.Genuine, len(f.Pairs), f3(f.GenuineMeanR), len(f.Pairs)-f.Genuine)
		fmt.Fprintf(w, "  coverage %s; spacing error %s (hand-made), %s (natural)\n", f3(f.Coverage), deg(f.SpacingErrorDeg), deg(f.NaturalSpacingErrorDeg))
		if v := f.Portraits; v != nil {
			fmt.Fprintf(w, "  feature visualizations (%dx%d, %d steps): cross-activation natural on hand-made %s (unmatched %s), hand-made on natural %s (unmatched %s)\n",
				v.Size, v.Size, v.Steps, f3(v.NaturalOnHandmade), f3(v.NaturalOnHandmadeBaseline), f3(v.HandmadeOnNatural), f3(v.HandmadeOnNaturalBaseline))
		}
		if f.Found != nil {
			verdict := fmt.Sprintf("found in %s", f.NaturalLayer)
			if !*f.Found {
				verdict = fmt.Sprintf("NOT FOUND: no layer reaches mean r %.2f; the best is %s", FoundThreshold, f.NaturalLayer)
			}
			fmt.Fprintf(w, "  search over %d layers: %s\n  mean r by layer:", len(f.Profile), verdict)
			for _, l := range f.Profile {
				fmt.Fprintf(w, " %s %.2f", l.Layer, l.MeanR)
			}
			fmt.Fprintln(w)
			if c := f.Control; c != nil {
				fmt.Fprintf(w, "  control (weights shuffled): best %s %.2f, %s %.2f; the network scores %+.2f above it\n", c.Layer, c.MeanR, f.NaturalLayer, c.AtFound, c.Margin)
			}
		}
	}
	for _, c := range r.Connections {
		c.WriteText(w)
	}
	if len(r.Expects) > 0 {
		fmt.Fprintln(w)
	}
	for _, e := range r.Expects {
		mark := "ok  "
		if !e.OK {
			mark = "FAIL"
		}
		fmt.Fprintf(w, "%s %s = %s (%s)", mark, e.Claim, f3(e.Value), e.Pos)
		if e.Detail != "" {
			fmt.Fprintf(w, ": %s", e.Detail)
		}
		fmt.Fprintln(w)
	}
}

// WriteText writes a connection: the agreement of the two circuits, unit
// by unit, and their equivariance.
func (c *Connection) WriteText(w io.Writer) {
	fmt.Fprintf(w, "\nweights %s -> %s, hand-made %dx%d beside natural %s -> %s expanded %dx%d\n", c.From, c.To, c.HandmadeSize[0], c.HandmadeSize[1],
		c.NaturalFrom, c.NaturalTo, c.NaturalSize[0], c.NaturalSize[1])
	fmt.Fprintf(w, "  %-20s %-13s %7s %7s\n", "unit", "natural", "r", "signs")
	for _, row := range c.Rows {
		fmt.Fprintf(w, "  %-20s %-13s %7s %7s\n", row.Unit, row.Natural, f3(row.PearsonR), fixed3(row.SignAgreement))
	}
	fmt.Fprintf(w, "  all tiles: r %s, signs agree %s (taps of at least %.0f%% of the hand-made peak)\n", f3(c.Agreement.PearsonR), fixed3(c.Agreement.SignAgreement), 100*weights.SignTapShare)
	if h, n := c.HandmadeEquivariance, c.NaturalEquivariance; h != nil && n != nil {
		fmt.Fprintf(w, "  equivariance (%s, %d turns): hand-made %s (quarter turns %s), natural %s (quarter turns %s)\n", h.Kind, len(h.Turns),
			fixed3(h.Score), fixed3(h.QuarterTurns), fixed3(n.Score), fixed3(n.QuarterTurns))
	}
}
