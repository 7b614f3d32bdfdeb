package reference

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/spf13/afero"
	"google.golang.org/protobuf/proto"

	"github.com/circc/circc/compiler"
	"github.com/circc/circc/compiler/expand"
	"github.com/circc/circc/compiler/experiment"
	"github.com/circc/circc/diag"
	"github.com/circc/circc/onnx"
	pb "github.com/circc/circc/onnx/onnxpb"
	ort "github.com/circc/circc/runtime"
)

// circuitName is the name a tensor of the compiled circuit gets inside the
// reference model.
func circuitName(name string) string { return Prefix + "circuit/" + name }

// spliceCircuit adds the compiled circuit beside the reference network,
// fed from the reference input through the circuit's own preprocessing:
// the circuit's channels picked from the model's (by name), the model's
// mean added back, and the pixel values mapped to the circuit's range.
func (in *injector) spliceCircuit(at experiment.Span) error {
	if in.spliced {
		return nil
	}
	net := in.res.Network
	man := in.n.Manifest
	if net.Input.H != man.Input.Size[0] || net.Input.W != man.Input.Size[1] {
		return diag.At(at.Start, at.Start, diag.CodeInject, "the circuit's input is %dx%d, the model's %dx%d", net.Input.W, net.Input.H, man.Input.Size[1], man.Input.Size[0])
	}
	idx := make([]int64, len(net.Input.Channels))
	mean := make([]float32, len(net.Input.Channels))
	std := make([]float32, len(net.Input.Channels))
	for i, c := range net.Input.Channels {
		j := -1
		for k, mc := range man.Input.Channels {
			if mc == c {
				j = k
			}
		}
		if j < 0 {
			return diag.At(at.Start, at.Start, diag.CodeInject, "the circuit's input channel %q is not one of the model's (%s)", c, strings.Join(man.Input.Channels, ", "))
		}
		idx[i], mean[i], std[i] = int64(j), float32(man.Input.Mean[j]), float32(man.Input.StdOf(j))
	}
	c := len(idx)
	pre := func(s string) string { return Prefix + "preprocess/" + s }
	inits := []*pb.TensorProto{
		{Name: proto.String(pre("channels")), Dims: []int64{int64(c)}, DataType: proto.Int32(int32(pb.TensorProto_INT64)), Int64Data: idx},
		onnx.FloatTensor(pre("std"), "the model's per-channel standard deviation", []int{1, c, 1, 1}, std),
		onnx.FloatTensor(pre("mean"), "the model's per-channel mean", []int{1, c, 1, 1}, mean),
		onnx.FloatTensor(pre("scale"), "model pixels to the circuit's range", []int{1}, []float32{float32((net.Input.Hi - net.Input.Lo) / man.Input.Scale)}),
		onnx.FloatTensor(pre("offset"), "the circuit's lowest input value", []int{1}, []float32{float32(net.Input.Lo)}),
	}
	data := in.m.Input().GetName()
	nodes := []*pb.NodeProto{
		{Name: proto.String(pre("pick")), OpType: proto.String(onnx.OpGather), Input: []string{data, pre("channels")}, Output: []string{pre("picked")},
			Attribute: []*pb.AttributeProto{{Name: proto.String("axis"), Type: pb.AttributeProto_INT.Enum(), I: proto.Int64(1)}}},
		{Name: proto.String(pre("unstd")), OpType: proto.String(onnx.OpMul), Input: []string{pre("picked"), pre("std")}, Output: []string{pre("centred")}},
		{Name: proto.String(pre("unmean")), OpType: proto.String(onnx.OpAdd), Input: []string{pre("centred"), pre("mean")}, Output: []string{pre("pixels")}},
		{Name: proto.String(pre("rescale")), OpType: proto.String(onnx.OpMul), Input: []string{pre("pixels"), pre("scale")}, Output: []string{pre("scaled")}},
		{Name: proto.String(pre("shift")), OpType: proto.String(onnx.OpAdd), Input: []string{pre("scaled"), pre("offset")}, Output: []string{circuitName(net.Input.Name)}},
	}
	g := in.res.Model.GetGraph()
	rename := func(names []string) []string {
		out := make([]string, len(names))
		for i, n := range names {
			out[i] = circuitName(n)
		}
		return out
	}
	for _, n := range g.GetNode() {
		cp := proto.Clone(n).(*pb.NodeProto)
		cp.Name = proto.String(circuitName(n.GetName()))
		cp.Input, cp.Output = rename(n.GetInput()), rename(n.GetOutput())
		nodes = append(nodes, cp)
	}
	for _, t := range g.GetInitializer() {
		cp := proto.Clone(t).(*pb.TensorProto)
		cp.Name = proto.String(circuitName(t.GetName()))
		inits = append(inits, cp)
	}
	if err := in.m.Splice(nodes, inits); err != nil {
		return diag.At(at.Start, at.Start, diag.CodeInject, "splicing the circuit: %v", err)
	}
	in.spliced = true
	return nil
}

// replace substitutes natural channels with hand-made units computed by the
// circuit from the same image, each scaled so that its activations match
// the natural channel's on the calibration photos (equal mean squares).
func (in *injector) replace(r *experiment.Edit) error {
	layer, tensor, chans, err := in.target(r.Target, true)
	if err != nil {
		return err
	}
	l, fam, units := r.Layer, r.Family, r.Units
	if len(units) != len(chans) {
		return diag.At(r.Start, r.End, diag.CodeInject, "%s for the %s of %s", diag.Count(len(chans), "natural channel"), diag.Count(len(units), "unit"), fam)
	}
	// A hand-made unit matching found no natural partner for (-1)
	// replaces nothing.
	var keptUnits []*expand.Unit
	var keptChans []int
	for j, c := range chans {
		if c >= 0 {
			keptUnits, keptChans = append(keptUnits, units[j]), append(keptChans, c)
		}
	}
	units, chans = keptUnits, keptChans
	shape := in.shapes[tensor]
	if int64(l.OutH) != shape[2] || int64(l.OutW) != shape[3] {
		return diag.At(r.Start, r.End, diag.CodeInject, "%s is %dx%d, the hand-made layer %s %dx%d: they cannot stand in for each other", layer, shape[3], shape[2], l.Name, l.OutW, l.OutH)
	}
	if err := in.spliceCircuit(r.Span); err != nil {
		return err
	}
	hand := circuitName(l.Name)
	scales, err := in.calibrate(r, tensor, chans, hand, units)
	if err != nil {
		return err
	}
	C, U := int(shape[1]), l.OutC
	w := make([]float32, C*U)
	for j, u := range units {
		w[chans[j]*U+u.Index] = float32(scales[j])
	}
	k := len(in.edits)
	name := func(s string) string { return fmt.Sprintf("%sreplace/%d/%s", Prefix, k, s) }
	place := onnx.FloatTensor(name("placement"), "hand-made units into natural channels, scaled", []int{C, U, 1, 1}, w)
	mask := in.mask(tensor, chans)
	src := in.current(tensor)
	keep := &pb.NodeProto{Name: proto.String(name("keep")), OpType: proto.String(onnx.OpMul), Input: []string{src, mask.GetName()}, Output: []string{name("kept")}}
	nodes := []*pb.NodeProto{
		keep,
		{Name: proto.String(name("place")), OpType: proto.String(onnx.OpConv), Input: []string{hand, place.GetName()}, Output: []string{name("placed")},
			Attribute: []*pb.AttributeProto{{Name: proto.String("kernel_shape"), Type: pb.AttributeProto_INTS.Enum(), Ints: []int64{1, 1}}}},
		{Name: proto.String(name("merge")), OpType: proto.String(onnx.OpAdd), Input: []string{name("kept"), name("placed")}, Output: []string{name(tensor)}},
	}
	if err := in.m.Splice(nodes, []*pb.TensorProto{place, mask}); err != nil {
		return err
	}
	if err := in.m.Rewire(src, name(tensor), keep); err != nil {
		return err
	}
	in.latest[tensor] = name(tensor)
	var names []string
	for _, u := range units {
		names = append(names, u.Name)
	}
	in.edits = append(in.edits, Edit{Kind: "replace", Pos: r.String(), Layer: layer, Tensor: tensor, Channels: chans, Units: names, Scales: scales})
	return nil
}

// calibrate runs the model with the circuit beside it on the calibration
// photos and returns, per replaced channel, sqrt(E[natural²] / E[hand²]).
func (in *injector) calibrate(r *experiment.Edit, tensor string, chans []int, hand string, units []*expand.Unit) ([]float64, error) {
	if len(in.opt.Calibration) == 0 {
		return nil, diag.At(r.Start, r.End, diag.CodeInject, "replace needs calibration photos to scale the hand-made units (--data)")
	}
	m := in.m.Clone()
	man := in.n.Manifest
	h, w := man.Input.Size[0], man.Input.Size[1]
	c := int64(len(man.Input.Channels))
	if err := m.SetInputShape(h, w); err != nil {
		return nil, err
	}
	if err := m.SetOutputs([]int64{1, c, int64(h), int64(w)}, tensor, hand); err != nil {
		return nil, err
	}
	data, err := m.Bytes()
	if err != nil {
		return nil, err
	}
	s, err := ort.NewSessionFromBytes(data, m.Input().GetName(), []string{tensor, hand}, in.opt.Runtime)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	nat := make([]float64, len(chans))
	hm := make([]float64, len(chans))
	feed := in.n.Photos(in.fs, in.opt.Calibration, in.opt.Runtime.BatchSize())
	defer feed.Close()
	for {
		b, ok := feed.Next()
		if !ok {
			break
		}
		res, err := s.Run(b.Data, []int64{int64(b.Size), c, int64(h), int64(w)})
		if err != nil {
			return nil, err
		}
		feed.Done(b)
		sumSq := func(o ort.Output, ch int) float64 {
			C, plane := int(o.Shape[1]), int(o.Shape[2]*o.Shape[3])
			t := 0.0
			for n := 0; n < b.K; n++ {
				for _, v := range o.Data[(n*C+ch)*plane : (n*C+ch+1)*plane] {
					t += float64(v) * float64(v)
				}
			}
			return t
		}
		for j := range chans {
			nat[j] += sumSq(res[0], chans[j])
			hm[j] += sumSq(res[1], units[j].Index)
		}
	}
	if err := feed.Err(); err != nil {
		return nil, err
	}
	scales := make([]float64, len(chans))
	for j := range chans {
		if hm[j] == 0 {
			return nil, diag.At(r.Start, r.End, diag.CodeInject, "the hand-made unit %s never responds on the %d calibration photos, so it cannot be scaled", units[j].Name, len(in.opt.Calibration))
		}
		scales[j] = math.Sqrt(nat[j] / hm[j])
		if f := float64(float32(scales[j])); math.IsInf(f, 0) || math.IsNaN(f) || f == 0 && nat[j] > 0 {
			return nil, diag.At(r.Start, r.End, diag.CodeInject, "the hand-made unit %s responds %.3g times as strongly as the natural channel %d on the calibration photos: no float32 scale matches them", units[j].Name, math.Sqrt(hm[j]/nat[j]), chans[j])
		}
	}
	return scales, nil
}

// Beside returns a copy of the reference model with the compiled circuit
// running beside it from the same input (the circuit's own preprocessing,
// as for replace), cut after the given natural tensors and the circuit's
// given layers, with a free batch. The circuit layer L is the output
// "circc/circuit/L". An error that is the circuit's fault is a diag.List.
func (n *Net) Beside(fs afero.Fs, res *compiler.Result, natural []string, circuitLayers []string) (*onnx.Model, []string, error) {
	in := &injector{n: n, fs: fs, res: res, m: n.Model.Clone(), allowed: map[string]map[int]bool{}, latest: map[string]string{}}
	var d *diag.Diagnostic
	if err := in.spliceCircuit(res.Experiments.File); errors.As(err, &d) {
		return nil, nil, diag.List{d}
	} else if err != nil {
		return nil, nil, err
	}
	outs := append([]string(nil), natural...)
	for _, l := range circuitLayers {
		outs = append(outs, circuitName(l))
	}
	h, w := n.Manifest.Input.Size[0], n.Manifest.Input.Size[1]
	if err := in.m.SetInputShape(h, w); err != nil {
		return nil, nil, err
	}
	if err := in.m.SetOutputs([]int64{1, int64(len(n.Manifest.Input.Channels)), int64(h), int64(w)}, outs...); err != nil {
		return nil, nil, err
	}
	return in.m, outs, nil
}
