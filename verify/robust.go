package verify

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spf13/afero"

	"github.com/circc/circc/compiler"
	"github.com/circc/circc/stimuli"
)

// Readout is one way of reading units: the block side (0: position-
// tolerant) and the stroke width of the stimuli.
type Readout struct {
	Window int     `json:"window"`
	Stroke float64 `json:"stroke_px"`
}

// Readouts are the readings a verdict must not depend on: the centre cell
// and blocks of 2 and 4 cells, and strokes of 2 and 4 px.
var Readouts = []Readout{{0, stimuli.StrokeWidth}, {1, stimuli.StrokeWidth}, {2, stimuli.StrokeWidth}, {4, stimuli.StrokeWidth}, {0, 4}}

// Verdict is where one family is found under one readout.
type Verdict struct {
	Readout
	Family string   `json:"family"`
	Found  []string `json:"found"`
	Best   string   `json:"best"` // the layer with the most excess, "" when none is found
	Tie    bool     `json:"tie"`  // the best two cannot be told apart
	// Lead compares the best two layers (nil with fewer than two).
	Lead *Comparison `json:"lead,omitempty"`
}

// Robustness is each family's verdict under every readout, and whether
// its verdict, the best layer found (none when none is), is the same under
// all. The other layers found and whether the best leads the next
// significantly are listed per readout: they may differ.
type Robustness struct {
	Verdicts []Verdict       `json:"verdicts"`
	Stable   map[string]bool `json:"stable"`
}

// CheckReadouts runs the verification under each of Readouts (opt's own
// Window and Stroke are replaced) and compares the verdicts: the layers
// found and the best of them. main, when not nil, is the report of opt
// itself, which stands for its readout instead of a run.
func CheckReadouts(fs afero.Fs, res *compiler.Result, opt Options, main *Report) (*Robustness, error) {
	out := &Robustness{Stable: map[string]bool{}}
	first := map[string]Verdict{}
	for _, ro := range Readouts {
		o := opt
		o.Window, o.Stroke, o.Vis, o.NetworkSeeds = ro.Window, ro.Stroke, nil, 0 // a readout's verdict needs neither portraits nor the network null
		if opt.Progress != nil {
			o.Progress = func(stage Stage, d, t int) {
				opt.Progress(Stage{fmt.Sprintf("readout %s: %s", ro, stage.Label), stage.Unit}, d, t)
			}
		}
		rep := main
		if main == nil || ro != (Readout{opt.Window, opt.stroke()}) {
			var err error
			if rep, err = Run(fs, res, o); err != nil {
				return nil, err
			}
		}
		for _, f := range rep.Families {
			v := Verdict{Readout: ro, Family: f.Layer + "." + f.Family}
			for _, e := range f.Layers {
				if e.Found {
					v.Found = append(v.Found, e.Layer)
				}
			}
			if len(v.Found) > 0 {
				v.Best = v.Found[0]
				if f.Versus != nil && f.Versus.Best == v.Best {
					v.Tie, v.Lead = f.Versus.Tie, f.Versus
				}
			}
			out.Verdicts = append(out.Verdicts, v)
			if w, ok := first[v.Family]; !ok {
				first[v.Family] = v
				out.Stable[v.Family] = true
			} else if w.Best != v.Best {
				out.Stable[v.Family] = false
			}
		}
	}
	return out, nil
}

func (r Readout) String() string {
	w := "position-tolerant"
	if r.Window > 0 {
		w = fmt.Sprintf("window %d", r.Window)
	}
	return fmt.Sprintf("%s, stroke %g px", w, r.Stroke)
}

// WriteText writes the verdicts by readout and whether each family's holds.
func (r *Robustness) WriteText(w io.Writer) {
	fmt.Fprintf(w, "\nverdicts by readout:\n")
	for _, v := range r.Verdicts {
		best := v.Best
		if v.Tie {
			best += " (tie)"
		}
		if best == "" {
			best = "none found"
		}
		lead := ""
		if l := v.Lead; l != nil {
			lead = fmt.Sprintf(", leading %s by %.1f [%.1f, %.1f]", l.Next, float64(l.Diff), float64(l.CI[0]), float64(l.CI[1]))
		}
		fmt.Fprintf(w, "  %-20s %-34s found in %s; best %s%s\n", v.Family, v.Readout.String(), strings.Join(v.Found, ", "), best, lead)
	}
	var fams []string
	for f := range r.Stable {
		fams = append(fams, f)
	}
	sort.Strings(fams)
	for _, f := range fams {
		if r.Stable[f] {
			fmt.Fprintf(w, "  %s: the same best layer found under every readout\n", f)
		} else {
			fmt.Fprintf(w, "  %s: THE BEST LAYER FOUND CHANGES WITH THE READOUT\n", f)
		}
	}
}
