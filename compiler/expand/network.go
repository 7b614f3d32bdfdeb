package expand

import (
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/circc/circc/compiler/check"
	"github.com/circc/circc/compiler/eval"
)

// Network is a circuit expanded into concrete units and dense weights.
type Network struct {
	Name   string // the circuit's name
	Source string // the main file, as given
	Input  Input
	Layers []*Layer
}

// Input is the network input.
type Input struct {
	Name     string
	Channels []string // display form of each channel value
	C, H, W  int
	Lo, Hi   float64
}

// Layer is one layer with its geometry and, for convolutions, its units,
// weights (OIHW, row-major) and biases.
type Layer struct {
	Name    string
	Op      check.LayerOp
	Kernel  int
	Stride  int
	Pads    [4]int // top, left, bottom, right
	Relu    bool
	InC     int
	InH     int
	InW     int
	OutC    int
	OutH    int
	OutW    int
	Units   []*Unit
	Weights []float64 // OutC × InC × Kernel × Kernel
	Bias    []float64 // OutC
	Pos     string    // where the layer is declared
	// Families lists the families placed on the layer with their source
	// positions: the provenance of the weights.
	Families []FamilyPos
}

// FamilyPos is a family's name and declaration position.
type FamilyPos struct{ Name, Pos string }

// Unit is one output channel.
type Unit struct {
	Index  int
	Name   string // "curve[a=30deg]"
	Family string
	Params []Param
	Pos    string // declaration of its family
	// EquivarianceError is, for a member of a motif family, the relative
	// L2 error of resampling its kernels (0 when exact; NaN otherwise).
	EquivarianceError float64
}

// Param is a unit's parameter value.
type Param struct {
	Name  string
	Value eval.Value
}

// NumWeights counts the network's convolution weights.
func (n *Network) NumWeights() int {
	t := 0
	for _, l := range n.Layers {
		t += len(l.Weights)
	}
	return t
}

// Layer returns the layer with the given name, or nil.
func (n *Network) Layer(name string) *Layer {
	for _, l := range n.Layers {
		if l.Name == name {
			return l
		}
	}
	return nil
}

// Kernel returns the K×K kernel from input channel i into unit o.
func (l *Layer) Kernel2D(o, i int) []float64 {
	kk := l.Kernel * l.Kernel
	off := (o*l.InC + i) * kk
	return l.Weights[off : off+kk]
}

// Dump writes the network as deterministic text: layers, geometry, units
// and, with weights, every nonzero kernel.
func (n *Network) Dump(w io.Writer, weights bool) {
	fmt.Fprintf(w, "network %s (%s)\n", n.Name, n.Source)
	fmt.Fprintf(w, "input %s %dx%dx%d channels [%s] range %s .. %s\n", n.Input.Name, n.Input.C, n.Input.H, n.Input.W,
		strings.Join(n.Input.Channels, ", "), g(n.Input.Lo), g(n.Input.Hi))
	for _, l := range n.Layers {
		relu := ""
		if l.Relu {
			relu = ", relu"
		}
		geom := ""
		if l.Kernel > 0 {
			geom = fmt.Sprintf(" %dx%d stride %d pads %v", l.Kernel, l.Kernel, l.Stride, l.Pads)
		}
		fmt.Fprintf(w, "layer %s = %s%s%s: %dx%dx%d -> %dx%dx%d\n", l.Name, l.Op, geom, relu, l.InC, l.InH, l.InW, l.OutC, l.OutH, l.OutW)
		for _, u := range l.Units {
			norm, nz := 0.0, 0
			for i := 0; i < l.InC; i++ {
				k := l.Kernel2D(u.Index, i)
				any := false
				for _, x := range k {
					norm += x * x
					any = any || x != 0
				}
				if any {
					nz++
				}
			}
			eq := ""
			if !math.IsNaN(u.EquivarianceError) {
				eq = " equivariance error " + g(u.EquivarianceError)
			}
			fmt.Fprintf(w, "  unit %d %s (%s) bias %s |w| %s from %d inputs%s\n", u.Index, u.Name, u.Pos, g(l.Bias[u.Index]), g(math.Sqrt(norm)), nz, eq)
			if !weights {
				continue
			}
			for i := 0; i < l.InC; i++ {
				k := l.Kernel2D(u.Index, i)
				zero := true
				for _, x := range k {
					zero = zero && x == 0
				}
				if zero {
					continue
				}
				fmt.Fprintf(w, "    from %d:", i)
				for r := 0; r < l.Kernel; r++ {
					if r > 0 {
						fmt.Fprint(w, " /")
					}
					for c := 0; c < l.Kernel; c++ {
						fmt.Fprintf(w, " %s", g(k[r*l.Kernel+c]))
					}
				}
				fmt.Fprintln(w)
			}
		}
	}
}

// g formats a number with 6 significant digits, never "-0".
func g(x float64) string { return eval.FormatQuantity(x, eval.Dim{}) }
