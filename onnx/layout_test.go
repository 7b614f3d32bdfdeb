package onnx

import (
	"slices"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	pb "github.com/circc/circc/onnx/onnxpb"
)

// nhwcGraph is tf2onnx's shape of a first layer: an NHWC image turned to
// NCHW by a Transpose of the given order, SAME padding written as a Pad,
// then a strided 3×3 convolution.
func nhwcGraph(perm ...int64) *Model {
	node := func(op string, in []string, out string, attrs ...*pb.AttributeProto) *pb.NodeProto {
		return &pb.NodeProto{OpType: proto.String(op), Input: in, Output: []string{out}, Name: proto.String(out), Attribute: attrs}
	}
	w := make([]float32, 4*3*3*3)
	g := &pb.GraphProto{
		Node: []*pb.NodeProto{
			node(OpTranspose, []string{"x"}, "t", AttrInts("perm", perm...)),
			node(OpPad, []string{"t", "pads"}, "p"),
			node(OpConv, []string{"p", "w"}, "y", AttrInts("strides", 2, 2)),
		},
		Initializer: []*pb.TensorProto{
			FloatTensor("w", "", []int{4, 3, 3, 3}, w),
			{Name: proto.String("pads"), Dims: []int64{8}, DataType: proto.Int32(int32(pb.TensorProto_INT64)), Int64Data: []int64{0, 0, 1, 1, 0, 0, 2, 2}},
		},
		Input:  []*pb.ValueInfoProto{{Name: proto.String("x")}},
		Output: []*pb.ValueInfoProto{{Name: proto.String("y")}},
	}
	return &Model{P: &pb.ModelProto{IrVersion: proto.Int64(8), Graph: g, OpsetImport: []*pb.OperatorSetIdProto{{Domain: proto.String(""), Version: proto.Int64(17)}}}}
}

// TestLayoutAndPadding: the Transpose from NHWC keeps positions, so the
// convolution's field is the one a convolution with the same pads would
// have (3×3 cells about the cell's centre at stride 2, one pad before);
// the shapes follow the order and the pads; a Transpose that moves a
// spatial axis elsewhere ends the field.
func TestLayoutAndPadding(t *testing.T) {
	m := nhwcGraph(0, 3, 1, 2)
	shapes, err := m.Shapes([]int64{1, 16, 16, 3})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(shapes["t"], []int64{1, 3, 16, 16}) || !slices.Equal(shapes["p"], []int64{1, 3, 19, 19}) || !slices.Equal(shapes["y"], []int64{1, 4, 9, 9}) {
		t.Errorf("shapes t %v p %v y %v", shapes["t"], shapes["p"], shapes["y"])
	}
	fields, err := m.ReceptiveFields()
	if err != nil {
		t.Fatal(err)
	}
	if f, ok := fields["y"]; !ok || f != (Field{Jump: [2]int{2, 2}, Lo: [2]int{-1, -1}, Hi: [2]int{1, 1}}) {
		t.Errorf("field of y: %+v (ok %v)", f, ok)
	}
	odd := nhwcGraph(0, 3, 2, 1) // rows and columns swapped: still positions, but not NCHW from NHWC
	if _, err := odd.Shapes([]int64{1, 16, 16, 3}); err != nil {
		t.Fatal(err)
	}
	if fields, err := odd.ReceptiveFields(); err != nil {
		t.Fatal(err)
	} else if _, ok := fields["y"]; ok {
		t.Errorf("a field through a Transpose that swaps rows and columns")
	}
	if _, err := nhwcGraph(0, 3, 1, 1).Shapes([]int64{1, 16, 16, 3}); err == nil {
		t.Error("a perm that repeats an axis is accepted")
	}
}

// TestSqueezeShapes: axes from the input or the attribute, counted from
// the end when negative; Squeeze without axes drops every axis of 1;
// squeezing an axis that is not 1 is an error naming the node.
func TestSqueezeShapes(t *testing.T) {
	for _, tc := range []struct {
		op     string
		axes   []int64
		in     []int64
		want   []int64
		failed bool
	}{
		{OpSqueeze, []int64{-1, -2}, []int64{2, 5, 1, 1}, []int64{2, 5}, false},
		{OpSqueeze, nil, []int64{1, 5, 1, 3}, []int64{5, 3}, false},
		{OpSqueeze, []int64{1}, []int64{2, 5}, nil, true},
		{OpUnsqueeze, []int64{0, -1}, []int64{5, 3}, []int64{1, 5, 3, 1}, false},
		{OpUnsqueeze, []int64{1, 1}, []int64{5}, nil, true},
	} {
		n := &pb.NodeProto{OpType: proto.String(tc.op), Name: proto.String("head"), Input: []string{"x"}, Output: []string{"y"}}
		g := &pb.GraphProto{Node: []*pb.NodeProto{n}, Input: []*pb.ValueInfoProto{{Name: proto.String("x")}}, Output: []*pb.ValueInfoProto{{Name: proto.String("y")}}}
		if tc.axes != nil {
			n.Input = append(n.Input, "axes")
			g.Initializer = []*pb.TensorProto{{Name: proto.String("axes"), Dims: []int64{int64(len(tc.axes))}, DataType: proto.Int32(int32(pb.TensorProto_INT64)), Int64Data: tc.axes}}
		}
		m := &Model{P: &pb.ModelProto{IrVersion: proto.Int64(8), Graph: g, OpsetImport: []*pb.OperatorSetIdProto{{Domain: proto.String(""), Version: proto.Int64(17)}}}}
		shapes, err := m.Shapes(tc.in)
		switch {
		case tc.failed && (err == nil || !strings.Contains(err.Error(), "node head")):
			t.Errorf("%s %v of %v: %v, want an error naming the node", tc.op, tc.axes, tc.in, err)
		case !tc.failed && (err != nil || !slices.Equal(shapes["y"], tc.want)):
			t.Errorf("%s %v of %v: %v (%v), want %v", tc.op, tc.axes, tc.in, shapes["y"], err, tc.want)
		}
	}
}

// TestReadableNames: Caffe's tensor names and the TorchScript exporter's
// scope paths both become names a circuit can write.
func TestReadableNames(t *testing.T) {
	for tensor, want := range map[string]string{
		"inception_3b/output_1": "inception_3b",
		"fire6/concat_1":        "fire6",
		"conv1/7x7_s2_2":        "conv1_7x7_s2",
		"/features/features.1/block/block.0/block.0.2/Relu_output_0": "features_1_block_0_2",
		"/layer1/layer1.0/relu/Relu_output_0":                        "layer1_0_relu",
		"/features/features.2/Add_output_0":                          "features_2",
		"/Flatten_output_0":                                          "Flatten_output",
	} {
		if got := ReadableName(tensor); got != want {
			t.Errorf("%s: %s, want %s", tensor, got, want)
		}
	}
}
