package onnx

import (
	"fmt"
	"regexp"
	"strings"

	pb "github.com/circc/circc/onnx/onnxpb"
)

// Probe is a tensor of a network worth reading a unit from: an activation
// map (after its non-linearity), a pool, a normalisation or a
// concatenation, with its channels and its map size for one image.
type Probe struct {
	Tensor   string
	Op       string // the op that makes it
	Channels int
	H, W     int
	Branches []ProbeBranch // a concatenation's inputs, in channel order
}

// ProbeBranch is the channel range [From, To) one input of a
// concatenation contributes, and the tensor it comes from.
type ProbeBranch struct {
	Tensor   string
	From, To int
}

// ProbePoints lists, in graph order, the tensors of an image network worth
// probing, for an input of the given NCHW shape: every 4-D map of more
// than one pixel made by a probe op, where a convolution (or batch
// normalisation) followed by its non-linearity counts once, after it. An
// op it does not know is an error that names the node, as is a graph
// whose shapes it cannot resolve.
func (m *Model) ProbePoints(input []int64) ([]Probe, error) {
	g := m.P.GetGraph()
	for _, n := range g.GetNode() {
		if Ops[n.GetOpType()].Probe == ProbeUnknown {
			return nil, fmt.Errorf("node %s: circc does not know the op %s", nodeName(n.GetName(), n.GetOutput()), n.GetOpType())
		}
	}
	shapes, err := m.Shapes(input)
	if err != nil {
		return nil, err
	}
	var out []Probe
	layouts := m.Layouts()      // [N, H, W, C] maps are not read as units
	inGate := map[string]bool{} // the activation inside a self-gate, x·f(x)
	for _, n := range g.GetNode() {
		if _, f, ok := m.SelfGate(n); ok {
			inGate[f] = true
		}
	}
	// A channel shuffle's output is the unit's map, as the module gives
	// it (torchvision's stage2.0); the map before it is not read.
	shuffled, shuffleOf := map[string]bool{}, map[string]bool{}
	for _, n := range g.GetNode() {
		if x, _, ok := m.ChannelShuffle(n, shapes); ok {
			shuffled[x], shuffleOf[n.GetOutput()[0]] = true, true
		}
	}
	for _, n := range g.GetNode() {
		info := Ops[n.GetOpType()]
		_, _, gate := m.SelfGate(n)
		if !gate && info.Probe != ProbeMap && !shuffleOf[n.GetOutput()[0]] || len(n.GetOutput()) == 0 || inGate[n.GetOutput()[0]] || shuffled[n.GetOutput()[0]] {
			continue
		}
		t := n.GetOutput()[0]
		s := shapes[t]
		if len(s) != 4 || s[2]*s[3] <= 1 || layouts[t] == LayoutNHWC {
			continue
		}
		// A map that only feeds its own activation is read after it.
		if info.ReadAfter && m.feedsOnlyActivation(t) {
			continue
		}
		p := Probe{Tensor: t, Op: n.GetOpType(), Channels: int(s[1]), H: int(s[2]), W: int(s[3])}
		if n.GetOpType() == OpConcat {
			at := 0
			for _, in := range n.GetInput() {
				c := int(shapes[in][1])
				p.Branches = append(p.Branches, ProbeBranch{Tensor: in, From: at, To: at + c})
				at += c
			}
		}
		out = append(out, p)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("the graph has no image maps to probe")
	}
	return out, nil
}

func nodeName(name string, outputs []string) string {
	if name != "" {
		return name
	}
	return "making " + strings.Join(outputs, ", ")
}

// torchOutput is a tensor as the TorchScript exporter names it:
// /features/features.1/block/block.0/block.0.2/Relu_output_0, or a
// scope's second Reshape, /stage2/stage2.0/Reshape_1_output_0.
var torchOutput = regexp.MustCompile(`^/(.+)/[A-Za-z]+(?:_\d+)?_output_\d+$`)

// torchModulePath reads the module path of a TorchScript exporter's
// tensor, each scope's local name folded into its parent's:
// "/features/features.1/block/block.0/block.0.2/Relu_output_0" →
// "features.1.block.0.2" (so the layer name is features_1_block_0_2).
func torchModulePath(tensor string) (string, bool) {
	m := torchOutput.FindStringSubmatch(tensor)
	if m == nil {
		return "", false
	}
	var path []string
	for _, seg := range strings.Split(m[1], "/") {
		if k := len(path) - 1; k >= 0 && strings.HasPrefix(seg, strings.SplitN(path[k], ".", 2)[0]+".") {
			path[k] = seg // block.0 extends block; block.0.2 extends block.0
			continue
		}
		path = append(path, seg)
	}
	return strings.Join(path, "."), true
}

var (
	tfOutput   = regexp.MustCompile(`:\d+$`) // TensorFlow's output index, model/conv1/Relu:0
	runSuffix  = regexp.MustCompile(`_\d+$`)
	notIdent   = regexp.MustCompile(`[^\pL\pN_]+`)
	blockParts = regexp.MustCompile(`[/.](concat|output|out)$`)
)

// ReadableName turns a tensor name into a layer name a circuit can write:
// "fire6/concat_1" → "fire6", "inception_3b/output_1" → "inception_3b",
// "conv1/7x7_s2_2" → "conv1_7x7_s2", "fire6/expand3x3_2" →
// "fire6_expand3x3", and a TorchScript export's
// "/layer1/layer1.0/relu/Relu_output_0" → "layer1_0_relu", and
// tf2onnx's "model/conv1/Relu:0" → "model_conv1_Relu".
func ReadableName(tensor string) string {
	s := tfOutput.ReplaceAllString(tensor, "")
	if path, ok := torchModulePath(tensor); ok {
		s = path // its _1 is the second call of a module (ResNet's relu_1), kept
	} else {
		s = runSuffix.ReplaceAllString(s, "")
	}
	s = blockParts.ReplaceAllString(s, "")
	s = strings.Trim(notIdent.ReplaceAllString(s, "_"), "_")
	if s == "" || s[0] >= '0' && s[0] <= '9' {
		s = "t" + s
	}
	return s
}

// SelfGate finds a product x·f(x) with f an elementwise activation read
// as the identity (SiLU as exporters write it, x·σ(x), or x·hardsigmoid(x)):
// an activation like the others, not a gate that one map sets on another.
// It returns x and f(x).
func (m *Model) SelfGate(n *pb.NodeProto) (x, fx string, ok bool) {
	ins := n.GetInput()
	if n.GetOpType() != OpMul || len(ins) != 2 {
		return "", "", false
	}
	for i := range 2 {
		for _, p := range m.Consumers(ins[1-i]) {
			info := Ops[p.GetOpType()]
			if info.Channelwise && info.Linear == LinearIdentity && len(p.GetOutput()) > 0 && p.GetOutput()[0] == ins[i] {
				return ins[1-i], ins[i], true
			}
		}
	}
	return "", "", false
}

// feedsOnlyActivation says whether t feeds nothing but one channelwise op
// or batch normalisation, or nothing but a self-gate x·f(x) and its f.
func (m *Model) feedsOnlyActivation(t string) bool {
	cs := m.Consumers(t)
	if len(cs) == 1 {
		return Ops[cs[0].GetOpType()].Channelwise || cs[0].GetOpType() == OpBatchNormalization
	}
	if len(cs) == 2 {
		for _, c := range cs {
			if x, _, ok := m.SelfGate(c); ok && x == t {
				return true
			}
		}
	}
	return false
}

// GELU recognises GELU as the TorchScript exporter writes it,
// x·(erf(x/√2) + 1)·½, at its last product, and returns x: an activation,
// read as the identity like the others.
func (m *Model) GELU(n *pb.NodeProto) (x string, ok bool) {
	ins := n.GetInput()
	if n.GetOpType() != OpMul || len(ins) != 2 {
		return "", false
	}
	for i := range 2 {
		if h, err := m.ReadWeight(ins[i]); err != nil || len(h.Data) != 1 || h.Data[0] != 0.5 {
			continue
		}
		p := m.Producer(ins[1-i])
		if p == nil || p.GetOpType() != OpMul || len(p.GetInput()) != 2 {
			return "", false
		}
		for j := range 2 {
			x := p.GetInput()[j]
			add := m.Producer(p.GetInput()[1-j])
			if add == nil || add.GetOpType() != OpAdd || len(add.GetInput()) != 2 {
				continue
			}
			for _, a := range add.GetInput() {
				erf := m.Producer(a)
				if erf == nil || erf.GetOpType() != OpErf {
					continue
				}
				if div := m.Producer(erf.GetInput()[0]); div != nil && div.GetOpType() == OpDiv && div.GetInput()[0] == x {
					return x, true
				}
			}
		}
	}
	return "", false
}
