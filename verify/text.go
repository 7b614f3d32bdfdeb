package verify

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/circc/circc/diag"
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
	fmt.Fprintf(w, "%s against %s (%s): %s, %s, %.1f s\n", r.Source, r.Against, r.Provider, diag.Count(r.Stimuli, "stimulus/stimuli"), diag.Count(r.Photos, "photo"), r.Seconds)
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
			fmt.Fprintf(w, "  rotation transfer of the natural portraits (turns of %d°): median error %s; %d of the natural partners fail it (error > %g°, or half-turn response > %g)\n",
				TransferStepDeg, deg(v.TransferErrorDeg), v.TransferFails, MaxTransferErrorDeg, MaxHalfTurnResponse)
		}
		fmt.Fprintf(w, "  members of the %s kind in %s: %d (tests: %s)\n", f.Kind, f.NaturalLayer, f.Members, f.Rules)
		if un := unpairedStrongest(f, 10); len(un) > 0 {
			fmt.Fprintf(w, "  of the 10 strongest members, not paired: %s\n", strings.Join(un, ", "))
		}
		if len(f.Layers) > 0 {
			writeEvidence(w, f)
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
	if c.Skipped != "" {
		fmt.Fprintf(w, "\nweights %s -> %s: not compared: %s\n", c.From, c.To, c.Skipped)
		return
	}
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
	if t := c.TileEquivariance; t != nil {
		fmt.Fprintf(w, "  natural tile equivariance %s against %s ± %s with the partners shuffled (%d times): p %s, %s\n", fixed3(t.Score), fixed3(t.NullMean), fixed3(t.NullSD), t.Permutations, pText(t.P), t.Verdict)
	}
	if o := c.OrientationRule; o != nil {
		fmt.Fprintf(w, "  orientation rule: the difference of preferred orientations explains η² %s of the net natural weights (orientations shuffled: %s; p %s, %d times): %s\n", fixed3(o.Eta2), fixed3(o.NullMean), pText(o.P), o.Permutations, o.Verdict)
		fmt.Fprintf(w, "    mean net weight by difference (%g° bins from 0°):", o.BinDeg)
		for _, v := range o.Profile {
			fmt.Fprintf(w, " %s", f3(v))
		}
		fmt.Fprintln(w)
	}
}

// writeEvidence writes a family's layers against their nulls, ordered by
// excess, and the verdict.
func writeEvidence(w io.Writer, f *Family) {
	holds := f.Layers[0].Holds != nil
	fmt.Fprintf(w, "  members by layer against the layer-only null (its own weights shuffled, %d seeds), by excess:\n", f.Layers[0].Seeds)
	if holds {
		fmt.Fprintf(w, "  and against the network null (every convolution shuffled, %d seeds):\n", f.Layers[0].Holds.Seeds)
	}
	fmt.Fprintf(w, "    %-20s %7s %15s %6s %8s %22s  %-5s", "layer", "members", "null mean ± sd", "z", "p", "excess [95% CI]", "found")
	if holds {
		fmt.Fprintf(w, " %15s %8s  %s", "network null", "p", "holds")
	}
	fmt.Fprintln(w)
	for _, e := range f.Layers {
		line := fmt.Sprintf("    %-20s %7d %15s %6s %8s %22s  %-5s", e.Layer, e.Members, "-", "-", "-", "-", "no")
		if e.NoNull == "" {
			line = fmt.Sprintf("    %-20s %7d %15s %6s %8s %22s  %-5s", e.Layer, e.Members, fmt.Sprintf("%.1f ± %.1f", float64(e.NullMean), float64(e.NullSD)),
				fmt.Sprintf("%.1f", float64(e.Z)), pText(e.P), fmt.Sprintf("%.1f [%.1f, %.1f]", float64(e.Excess), float64(e.CI[0]), float64(e.CI[1])), yesNo(e.Found))
		}
		if h := e.Holds; h != nil {
			line += fmt.Sprintf(" %15s %8s  %s", fmt.Sprintf("%.1f ± %.1f", float64(h.NullMean), float64(h.NullSD)), pText(h.P), yesNo(h.Holds))
		}
		if e.NoNull != "" {
			line += "  (no layer-only null: " + e.NoNull + ")"
		}
		fmt.Fprintln(w, line)
	}
	fmt.Fprintf(w, "  verdict: %s\n", verdict(f))
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// verdict says in words where a family is found, from its evidence: every
// layer found, whether the best two are told apart, and, with the network
// null, every layer that holds a population.
func verdict(f *Family) string {
	var found, holds []string
	for _, e := range f.Layers {
		if e.Found {
			found = append(found, e.Layer)
		}
		if e.Holds != nil && e.Holds.Holds {
			holds = append(holds, e.Layer)
		}
	}
	held := ""
	if len(f.Layers) > 0 && f.Layers[0].Holds != nil {
		if len(holds) == 0 {
			held = fmt.Sprintf("; no layer holds more %s members than the shuffled network", f.Kind)
		} else {
			held = "; populations held in " + strings.Join(holds, ", ")
		}
	}
	if len(found) == 0 {
		if len(f.Layers) == 1 {
			return fmt.Sprintf("%s does not build a significant %s population against its layer-only null (p ≤ %g, ≥ %d members)%s", f.NaturalLayer, f.Kind, FoundP, MinMembers, held)
		}
		return fmt.Sprintf("NOT FOUND: no layer builds a significant %s population%s", f.Kind, held)
	}
	out := "found in " + strings.Join(found, ", ")
	if v := f.Versus; v != nil && len(f.Layers) > 1 {
		if !slices.Contains(found, v.Best) {
			out += fmt.Sprintf("; by excess, %s (not found: its count is within its null's range) leads %s by %.1f [%.1f, %.1f]", v.Best, v.Next, float64(v.Diff), float64(v.CI[0]), float64(v.CI[1]))
		} else if v.Tie {
			out += fmt.Sprintf("; %s and %s are a tie (difference in excess %.1f [%.1f, %.1f])", v.Best, v.Next, float64(v.Diff), float64(v.CI[0]), float64(v.CI[1]))
		} else {
			out += fmt.Sprintf("; %s leads %s by %.1f members [%.1f, %.1f]", v.Best, v.Next, float64(v.Diff), float64(v.CI[0]), float64(v.CI[1]))
		}
	}
	return out + held
}

// pText writes a p-value, "< 0.001" below that.
func pText(p Float) string {
	if float64(p) < 0.001 {
		return "< 0.001"
	}
	return f3(p)
}

// unpairedStrongest lists the members among the n strongest that no pair
// took, with their strength and preferred orientation.
func unpairedStrongest(f *Family, n int) []string {
	if len(f.MemberList) == 0 || math.IsNaN(float64(f.MemberList[0].Strength)) {
		return nil // without photos there is no strength to rank by
	}
	paired := map[int]bool{}
	for _, p := range f.Pairs {
		paired[p.Channel] = true
	}
	var out []string
	for i, m := range f.MemberList {
		if i >= n {
			break
		}
		if !paired[m.Channel] {
			out = append(out, fmt.Sprintf("%s (strength %.2f, %s)", m.Unit, float64(m.Strength), deg(m.PreferredDeg)))
		}
	}
	return out
}
