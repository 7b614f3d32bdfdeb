package reference

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/afero"
	"google.golang.org/protobuf/proto"

	"github.com/circc/circc/compiler"
	"github.com/circc/circc/compiler/expand"
	"github.com/circc/circc/compiler/experiment"
	"github.com/circc/circc/datasets"
	"github.com/circc/circc/diag"
	"github.com/circc/circc/onnx"
	pb "github.com/circc/circc/onnx/onnxpb"
	ort "github.com/circc/circc/runtime"
)

// Prefix starts the name of every tensor, node and initializer an
// injection adds to a reference model.
const Prefix = "circc/"

// Edit is one injection statement as applied.
type Edit struct {
	Kind     string    `json:"kind"` // set, replace or ablate
	Pos      string    `json:"pos"`
	Layer    string    `json:"layer"`
	Tensor   string    `json:"tensor"`
	Channels []int     `json:"channels"`
	Units    []string  `json:"units,omitempty"`   // the hand-made units, channel by channel
	Scales   []float64 `json:"scales,omitempty"`  // replace: calibrated scale of each unit
	Weights  string    `json:"weights,omitempty"` // set: the convolution weights written
}

// InjectOptions control Inject.
type InjectOptions struct {
	// Kinds selects the statements applied ("set", "replace", "ablate");
	// nil applies all.
	Kinds map[string]bool
	// Calibration photos scale replacement units to the natural units'
	// activations.
	Calibration []datasets.Item
	Runtime     ort.Options
	// Matched returns the natural channels matched to a hand-made family
	// ("mixed3b.curve"), in the order of its units: how matched(…) in a
	// selector is resolved (circc fills it with verify's matching).
	Matched func(family string) ([]int, error)
}

type injector struct {
	n      *Net
	fs     afero.Fs
	res    *compiler.Result
	m      *onnx.Model
	shapes map[string][]int64
	edits  []Edit
	// allowed records, per initializer, the first-axis slices an edit may change.
	allowed map[string]map[int]bool
	opt     InjectOptions
	spliced bool // the circuit's own subgraph is already in the model
	// latest maps a natural tensor to its newest edited version, so that
	// edits of one tensor apply in source order.
	latest map[string]string
}

// current is the newest version of a natural tensor.
func (in *injector) current(tensor string) string {
	if t, ok := in.latest[tensor]; ok {
		return t
	}
	return tensor
}

// Inject applies the circuit's set, replace and ablate statements to a copy
// of the reference model. It checks that the graph changed where intended
// and nowhere else, and that the output on the model's test image differs
// from the unmodified model's. An error that is the circuit's fault is a
// diag.List.
func (n *Net) Inject(fs afero.Fs, res *compiler.Result, opt InjectOptions) (*onnx.Model, []Edit, error) {
	in := &injector{n: n, fs: fs, res: res, m: n.Model.Clone(), allowed: map[string]map[int]bool{}, opt: opt, latest: map[string]string{}}
	h, w := n.Manifest.Input.Size[0], n.Manifest.Input.Size[1]
	shapes, err := in.m.Shapes([]int64{1, int64(len(n.Manifest.Input.Channels)), int64(h), int64(w)})
	if err != nil {
		return nil, nil, err
	}
	in.shapes = shapes
	var ds diag.List
	for _, e := range res.Experiments.Edits {
		if !in.want(string(e.Kind)) {
			continue
		}
		var err error
		var dg *diag.Diagnostic
		switch e.Kind {
		case experiment.Ablate:
			err = in.ablate(e)
		case experiment.Set:
			err = in.set(e)
		case experiment.Replace:
			err = in.replace(e)
		}
		if errors.As(err, &dg) {
			ds = append(ds, dg)
			continue
		}
		if err != nil {
			return nil, nil, err
		}
	}
	if ds.HasErrors() {
		return nil, nil, ds
	}
	if len(in.edits) == 0 {
		return nil, nil, fmt.Errorf("%s has no %s statement for %s", res.Source, kindList(opt.Kinds), n.Manifest.Name)
	}
	in.m.DropDeadNodes() // the circuit's layers past those replacing units
	if err := in.changedOnlyWhereIntended(); err != nil {
		return nil, nil, fmt.Errorf("internal check failed: %w", err)
	}
	if err := in.outputChanged(); err != nil {
		return nil, nil, err
	}
	return in.m, in.edits, nil
}

func kindList(k map[string]bool) string {
	if k == nil {
		return "set, replace or ablate"
	}
	var out []string
	for _, x := range []string{"set", "replace", "ablate"} {
		if k[x] {
			out = append(out, x)
		}
	}
	return strings.Join(out, " or ")
}

func (in *injector) want(kind string) bool { return in.opt.Kinds == nil || in.opt.Kinds[kind] }

// target resolves MODEL.LAYER[selector] to the model's tensor and channels.
// With keepUnmatched, a unit matched(…) found no partner for stays as −1
// (replace pairs channels with units by position); else it is dropped.
func (in *injector) target(nr experiment.Natural, keepUnmatched bool) (layer, tensor string, channels []int, err error) {
	if nr.Model != in.n.Manifest.Name {
		return "", "", nil, diag.At(nr.Start, nr.End, diag.CodeInject, "this statement edits another model than %s", in.n.Manifest.Name)
	}
	l, ok := in.n.Manifest.Layer(nr.Layer)
	if !ok {
		return "", "", nil, diag.At(nr.Start, nr.End, diag.CodeInject, "model %s has no layer %q", in.n.Manifest.Name, nr.Layer)
	}
	for _, it := range nr.Items {
		if it.Matched == "" {
			channels = append(channels, it.Channels...)
			continue
		}
		if in.opt.Matched == nil {
			return "", "", nil, diag.At(it.Start, it.End, diag.CodeInject, "the natural units matched to %s are found by circc verify's matching, which is not available here; list the channels instead", it.Matched)
		}
		got, err := in.opt.Matched(it.Matched)
		if err != nil {
			return "", "", nil, diag.At(it.Start, it.End, diag.CodeInject, "matching %s: %v", it.Matched, err)
		}
		channels = append(channels, got...)
	}
	channels = slices.DeleteFunc(channels, func(c int) bool { return c < 0 && !keepUnmatched })
	for _, c := range channels {
		if c >= l.Channels {
			return "", "", nil, diag.At(nr.SelectorSpan.Start, nr.SelectorSpan.End, diag.CodeSelector, "channel %d is out of range: %s has %d", c, l.Name, l.Channels)
		}
	}
	return l.Name, l.Tensor, channels, nil
}

// ablate zeroes channels: T' = T · mask, read by everything that read T.
func (in *injector) ablate(a *experiment.Edit) error {
	layer, tensor, chans, err := in.target(a.Target, false)
	if err != nil {
		return err
	}
	mask := in.mask(tensor, chans)
	out := fmt.Sprintf("%sablate/%d/%s", Prefix, len(in.edits), tensor)
	src := in.current(tensor)
	node := &pb.NodeProto{Name: proto.String(out), OpType: proto.String(onnx.OpMul), Input: []string{src, mask.GetName()}, Output: []string{out}}
	if err := in.m.Splice([]*pb.NodeProto{node}, []*pb.TensorProto{mask}); err != nil {
		return err
	}
	if err := in.m.Rewire(src, out, node); err != nil {
		return err
	}
	in.latest[tensor] = out
	in.edits = append(in.edits, Edit{Kind: "ablate", Pos: a.String(), Layer: layer, Tensor: tensor, Channels: chans})
	return nil
}

// mask is a [1, C, 1, 1] constant: 1, but 0 at the given channels.
func (in *injector) mask(tensor string, chans []int) *pb.TensorProto {
	c := int(in.shapes[tensor][1])
	v := make([]float32, c)
	for i := range v {
		v[i] = 1
	}
	for _, ch := range chans {
		v[ch] = 0
	}
	return onnx.FloatTensor(fmt.Sprintf("%smask/%d/%s", Prefix, len(in.edits), tensor), "channels removed by circc", []int{1, c, 1, 1}, v)
}

// convOf finds the convolution that makes channel ch of tensor, through
// channelwise activations and Concat nodes; local is the channel in the convolution's output.
func (in *injector) convOf(tensor string, ch int) (*pb.NodeProto, int, error) {
	for {
		p := in.m.Producer(tensor)
		if p == nil {
			return nil, 0, fmt.Errorf("nothing makes %s", tensor)
		}
		switch op := p.GetOpType(); {
		case onnx.Ops[op].Channelwise:
			tensor = p.GetInput()[0]
		case op == onnx.OpConv:
			return p, ch, nil
		case op == onnx.OpConcat:
			found := false
			for _, x := range p.GetInput() {
				c := int(in.shapes[x][1])
				if ch < c {
					tensor, found = x, true
					break
				}
				ch -= c
			}
			if !found {
				return nil, 0, fmt.Errorf("channel out of range of %s", p.GetOutput()[0])
			}
		default:
			return nil, 0, fmt.Errorf("channel %d of %s is made by %s, not by a convolution", ch, tensor, p.GetOpType())
		}
	}
}

// set writes hand-made kernels and biases into output channels of the
// model's own convolution, which keeps reading its natural inputs.
func (in *injector) set(st *experiment.Edit) error {
	ev := in.res.Evaluator
	layer, tensor, chans, err := in.target(st.Target, false)
	if err != nil {
		return err
	}
	f := st.NaturalFamily
	var conv *pb.NodeProto
	locals := make([]int, len(chans))
	for i, c := range chans {
		cv, local, err := in.convOf(tensor, c)
		if err != nil {
			return diag.At(st.Target.Start, st.Target.End, diag.CodeInject, "%v", err)
		}
		if conv != nil && cv != conv {
			return diag.At(st.Target.Start, st.Target.End, diag.CodeInject, "the channels come from different convolutions (%s and %s); set them in separate statements", conv.GetOutput()[0], cv.GetOutput()[0])
		}
		conv, locals[i] = cv, local
	}
	wname, bname := conv.GetInput()[1], ""
	if len(conv.GetInput()) > 2 {
		bname = conv.GetInput()[2]
	}
	w, err := in.m.ReadWeight(wname)
	if err != nil {
		return err
	}
	inC, k := int(w.Dims[1]), int(w.Dims[2])
	// Every connection must read this convolution's input.
	for _, r := range st.Reads {
		read := r.Layer
		if sl, ok := in.n.Manifest.Layer(r.Layer); ok {
			read = sl.Tensor
		}
		if read != conv.GetInput()[0] {
			return diag.At(r.Start, r.End, diag.CodeInject, "the convolution behind %s reads %s, not %s", layer, conv.GetInput()[0], read)
		}
	}
	units, ds := expand.Natural(in.res.Program, ev, f, inC, k)
	if len(ds) > 0 {
		return ds[0]
	}
	if len(units) != len(chans) {
		return diag.At(st.Start, st.End, diag.CodeInject, "%d channels for the %d units of %s", len(chans), len(units), f.Name)
	}
	wv := make([][]float32, len(units))
	bv := make([][]float32, len(units))
	var names []string
	for i, u := range units {
		flat := make([]float32, 0, inC*k*k)
		for _, kern := range u.Kernels {
			for _, x := range kern {
				flat = append(flat, float32(x))
			}
		}
		wv[i], bv[i] = flat, []float32{float32(u.Bias)}
		names = append(names, u.Name)
	}
	if err := in.m.SetSlices(wname, locals, wv); err != nil {
		return err
	}
	in.allow(wname, locals)
	if bname != "" {
		if err := in.m.SetSlices(bname, locals, bv); err != nil {
			return err
		}
		in.allow(bname, locals)
	}
	in.edits = append(in.edits, Edit{Kind: "set", Pos: st.String(), Layer: layer, Tensor: tensor, Channels: chans, Units: names, Weights: wname})
	return nil
}

func (in *injector) allow(name string, slices []int) {
	if in.allowed[name] == nil {
		in.allowed[name] = map[int]bool{}
	}
	for _, s := range slices {
		in.allowed[name][s] = true
	}
}

// changedOnlyWhereIntended compares the edited model with the original:
// every original initializer is unchanged but for the slices an edit
// allowed, every original node is there with the same operator and
// attributes, reading the same tensors or the edits' replacements, and
// every new node and initializer is circc's.
func (in *injector) changedOnlyWhereIntended() error {
	orig := in.n.Model.P.GetGraph()
	got := in.m.P.GetGraph()
	for _, t := range orig.GetInitializer() {
		e := onnx.Initializer(in.m.P, t.GetName())
		if e == nil {
			return fmt.Errorf("initializer %s disappeared", t.GetName())
		}
		a, _ := onnx.Floats(t)
		b, _ := onnx.Floats(e)
		if len(a) != len(b) {
			return fmt.Errorf("initializer %s changed size", t.GetName())
		}
		per := len(a) / int(max(t.GetDims()[0], 1))
		for i := range a {
			if a[i] != b[i] && !in.allowed[t.GetName()][i/per] {
				return fmt.Errorf("initializer %s changed at %d, outside the edited channels", t.GetName(), i)
			}
		}
	}
	byOut := map[string]*pb.NodeProto{}
	for _, n := range got.GetNode() {
		byOut[strings.Join(n.GetOutput(), ",")] = n
	}
	for _, n := range orig.GetNode() {
		e := byOut[strings.Join(n.GetOutput(), ",")]
		if e == nil {
			return fmt.Errorf("node making %v disappeared", n.GetOutput())
		}
		if e.GetOpType() != n.GetOpType() || !proto.Equal(&pb.NodeProto{Attribute: e.GetAttribute()}, &pb.NodeProto{Attribute: n.GetAttribute()}) {
			return fmt.Errorf("node making %v changed", n.GetOutput())
		}
		for i, x := range n.GetInput() {
			if y := e.GetInput()[i]; y != x && !strings.HasPrefix(y, Prefix) {
				return fmt.Errorf("node making %v now reads %s instead of %s", n.GetOutput(), y, x)
			}
		}
	}
	for _, n := range got.GetNode() {
		if _, ok := onnxNodeIn(orig, n); !ok && !strings.HasPrefix(n.GetOutput()[0], Prefix) {
			return fmt.Errorf("unexpected new node making %v", n.GetOutput())
		}
	}
	for _, t := range got.GetInitializer() {
		if onnx.Initializer(in.n.Model.P, t.GetName()) == nil && !strings.HasPrefix(t.GetName(), Prefix) {
			return fmt.Errorf("unexpected new initializer %s", t.GetName())
		}
	}
	return nil
}

func onnxNodeIn(g *pb.GraphProto, n *pb.NodeProto) (*pb.NodeProto, bool) {
	key := strings.Join(n.GetOutput(), ",")
	for _, x := range g.GetNode() {
		if strings.Join(x.GetOutput(), ",") == key {
			return x, true
		}
	}
	return nil, false
}

// outputChanged runs the model's test image through the original and the
// edited model: an edit that changes nothing is an error.
func (in *injector) outputChanged() error {
	sums, err := readSums(in.fs, in.n.Dir)
	if err != nil {
		return fmt.Errorf("the test image: %w", err)
	}
	_, input, err := readTensor(in.fs, filepath.Join(in.n.Dir, "test_data_set_0", "input_0.pb"), sums)
	if err != nil {
		return fmt.Errorf("the test image: %w", err)
	}
	out := in.n.Model.P.GetGraph().GetOutput()[0].GetName()
	run := func(m *onnx.Model) ([]float32, error) {
		b, err := m.Bytes()
		if err != nil {
			return nil, err
		}
		s, err := ort.NewSessionFromBytes(b, m.Input().GetName(), []string{out}, in.opt.Runtime)
		if err != nil {
			return nil, err
		}
		defer s.Close()
		h, w := in.n.Manifest.Input.Size[0], in.n.Manifest.Input.Size[1]
		r, err := s.Run(input, []int64{1, int64(len(in.n.Manifest.Input.Channels)), int64(h), int64(w)})
		if err != nil {
			return nil, err
		}
		return r[0].Data, nil
	}
	a, err := run(in.n.Model)
	if err != nil {
		return err
	}
	b, err := run(in.m)
	if err != nil {
		return fmt.Errorf("the edited model does not run: %w", err)
	}
	diff := 0.0
	for i := range a {
		diff = math.Max(diff, math.Abs(float64(a[i]-b[i])))
	}
	if diff == 0 {
		return fmt.Errorf("the edits leave the model's output on its test image unchanged; nothing was injected")
	}
	return nil
}
