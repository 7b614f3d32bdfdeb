package compiler

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"

	"github.com/circc/circc/compiler/check"
	"github.com/circc/circc/compiler/emit"
	"github.com/circc/circc/compiler/eval"
	"github.com/circc/circc/compiler/lower"
	"github.com/circc/circc/onnx"
)

// UnitsManifest is OUT.units.json: what a built model contains, for tools
// and people.
type UnitsManifest struct {
	Source       string          `json:"source"`
	SourceSHA256 string          `json:"source_sha256"`
	Compiler     string          `json:"compiler"`
	Model        string          `json:"model"`
	ModelSHA256  string          `json:"model_sha256"` // of the model file written beside it: a reader checks the pair
	Input        ManifestInput   `json:"input"`
	Weights      int             `json:"weights"`
	Layers       []ManifestLayer `json:"layers"`
}

// ManifestInput describes the model input.
type ManifestInput struct {
	Name     string     `json:"name"`
	Shape    []any      `json:"shape"` // ["batch", C, H, W]
	Channels []string   `json:"channels"`
	Range    [2]float64 `json:"range"`
}

// ManifestLayer describes one layer and its units.
type ManifestLayer struct {
	Name   string         `json:"name"`
	Op     check.LayerOp  `json:"op"`
	Relu   bool           `json:"relu"`
	Output string         `json:"output"`
	Shape  []any          `json:"shape"`
	Weight string         `json:"weight,omitempty"`
	Bias   string         `json:"bias,omitempty"`
	Kernel []int          `json:"kernel,omitempty"`
	Stride int            `json:"stride,omitempty"`
	Pads   []int          `json:"pads,omitempty"`
	Pos    string         `json:"pos"`
	Units  []ManifestUnit `json:"units,omitempty"`
}

// ManifestUnit describes one unit. Angle parameters are in degrees, lengths
// in pixels.
type ManifestUnit struct {
	Index             int            `json:"index"`
	Name              string         `json:"name"`
	Family            string         `json:"family"`
	Params            map[string]any `json:"params"`
	Pos               string         `json:"pos"`
	EquivarianceError *float64       `json:"equivariance_error,omitempty"`
}

// paramJSON is a parameter value as JSON: numbers in display units.
func paramJSON(v eval.Value) any {
	switch v := v.(type) {
	case eval.Num:
		if v.Dim == (eval.Dim{Angle: 1}) {
			return round9(v.S)
		}
		return round9(v.S)
	case eval.Bool:
		return v.B
	case eval.Str:
		return string(v)
	}
	return eval.Format(v)
}

// round9 removes the noise of unit conversion (15deg is 15, not 15.000000000000002).
func round9(x float64) float64 { return math.Round(x*1e9) / 1e9 }

// Manifest builds the units manifest of a compiled circuit written to model.
func (r *Result) Manifest(model string) *UnitsManifest {
	n := r.Network
	sum := sha256.Sum256(r.ONNX)
	m := &UnitsManifest{Source: r.Source, SourceSHA256: r.SHA256, Compiler: "circc " + Version, Model: model, ModelSHA256: hex.EncodeToString(sum[:]),
		Input:   ManifestInput{Name: n.Input.Name, Shape: []any{onnx.BatchDim, n.Input.C, n.Input.H, n.Input.W}, Channels: n.Input.Channels, Range: [2]float64{n.Input.Lo, n.Input.Hi}},
		Weights: n.NumWeights()}
	for _, l := range n.Layers {
		ml := ManifestLayer{Name: l.Name, Op: l.Op, Relu: l.Relu || l.Op == check.LayerRelu, Output: l.Name,
			Shape: []any{onnx.BatchDim, l.OutC, l.OutH, l.OutW}, Pos: l.Pos}
		if l.Kernel > 0 {
			ml.Kernel, ml.Stride, ml.Pads = []int{l.Kernel, l.Kernel}, l.Stride, l.Pads[:]
		}
		if l.Op == check.LayerConv {
			ml.Weight, ml.Bias = emit.WeightName(l.Name), emit.BiasName(l.Name)
		}
		for _, u := range l.Units {
			mu := ManifestUnit{Index: u.Index, Name: u.Name, Family: u.Family, Params: map[string]any{}, Pos: u.Pos}
			for _, p := range u.Params {
				mu.Params[p.Name] = paramJSON(p.Value)
			}
			if !math.IsNaN(u.EquivarianceError) {
				e := u.EquivarianceError
				mu.EquivarianceError = &e
			}
			ml.Units = append(ml.Units, mu)
		}
		m.Layers = append(m.Layers, ml)
	}
	return m
}

// JSON encodes the manifest with stable indentation.
func (m *UnitsManifest) JSON() ([]byte, error) {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encoding the units manifest: %w", err)
	}
	return append(b, '\n'), nil
}

// CheckEncoded decodes an encoded model (the bytes of a written file) and
// checks that every weight and bias initializer holds, bit for bit, what
// the compiler lowered.
func (r *Result) CheckEncoded(data []byte) error {
	m, err := onnx.Unmarshal(data)
	if err != nil {
		return err
	}
	for _, c := range r.Lowered.Convs {
		for _, t := range []struct {
			name string
			want []float32
		}{{emit.WeightName(c.Layer.Name), lower.Float32s(c.Weight)}, {emit.BiasName(c.Layer.Name), lower.Float32s(c.Bias)}} {
			init := onnx.Initializer(m, t.name)
			if init == nil {
				return fmt.Errorf("the written model lacks %s", t.name)
			}
			got, err := onnx.Floats(init)
			if err != nil {
				return err
			}
			if len(got) != len(t.want) {
				return fmt.Errorf("%s has %d values, want %d", t.name, len(got), len(t.want))
			}
			for i := range got {
				if math.Float32bits(got[i]) != math.Float32bits(t.want[i]) {
					return fmt.Errorf("%s[%d] reads back as %g, want %g", t.name, i, got[i], t.want[i])
				}
			}
		}
	}
	return nil
}

// Shapes gives the built model's input and every layer's output, in layer
// order, with their NCHW shapes for one image.
func (r *Result) Shapes() (input string, inDims []int64, outputs []string, outDims [][]int64) {
	n := r.Network
	for _, l := range n.Layers {
		outputs = append(outputs, l.Name)
		outDims = append(outDims, []int64{1, int64(l.OutC), int64(l.OutH), int64(l.OutW)})
	}
	return n.Input.Name, []int64{1, int64(n.Input.C), int64(n.Input.H), int64(n.Input.W)}, outputs, outDims
}
