package onnx

import (
	"errors"
	"fmt"

	pb "github.com/circc/circc/onnx/onnxpb"
)

// Limits on what a model may declare, so that a small file cannot make
// circc allocate without bound (spec.md §9).
const (
	// MaxSide is the largest side of an image input, whether the graph
	// declares it or a flag gives it.
	MaxSide = 4096
	// MaxTensorValues is the most values one tensor of a graph may hold,
	// declared or inferred: 2³¹, 8 GiB of float32.
	MaxTensorValues = 1 << 31
)

// ErrUnsafe is the cause of a refusal to read a model whose content could
// make circc or onnxruntime read outside the model's bytes.
var ErrUnsafe = errors.New("unsafe model")

// ErrMalformed is the cause of a refusal of a model whose declared sizes
// do not hold together.
var ErrMalformed = errors.New("malformed model")

// validate walks every tensor the model holds (initializers, sparse
// initializers, node attributes, tensor lists, subgraphs, functions and
// training graphs) and refuses any whose data lives outside the model's
// bytes, any sparse tensor, and any whose declared size does not match
// the data it carries. onnxruntime is handed the model as bytes, so an
// external location would be resolved against the working directory:
// refusing it outright is the one safe rule.
func (m *Model) validate() error {
	p := m.P
	for _, g := range []*pb.GraphProto{p.GetGraph()} {
		if err := validateGraph(g, "graph"); err != nil {
			return err
		}
	}
	for _, f := range p.GetFunctions() {
		if err := validateNodes(f.GetNode(), "function "+f.GetName()); err != nil {
			return err
		}
	}
	for i, ti := range p.GetTrainingInfo() {
		for _, g := range []*pb.GraphProto{ti.GetInitialization(), ti.GetAlgorithm()} {
			if err := validateGraph(g, fmt.Sprintf("training info %d", i)); err != nil {
				return err
			}
		}
	}
	return nil
}

func validateGraph(g *pb.GraphProto, where string) error {
	if g == nil {
		return nil
	}
	for _, t := range g.GetInitializer() {
		if err := validateTensor(t, where+" initializer"); err != nil {
			return err
		}
	}
	if s := g.GetSparseInitializer(); len(s) > 0 {
		return fmt.Errorf("%w: %s: sparse initializer %s: sparse tensors are not supported", ErrUnsafe, where, s[0].GetValues().GetName())
	}
	return validateNodes(g.GetNode(), where)
}

func validateNodes(nodes []*pb.NodeProto, where string) error {
	for _, n := range nodes {
		at := fmt.Sprintf("%s: node %s (%s)", where, nodeName(n.GetName(), n.GetOutput()), n.GetOpType())
		for _, a := range n.GetAttribute() {
			here := at + " attribute " + a.GetName()
			if a.GetSparseTensor() != nil || len(a.GetSparseTensors()) > 0 {
				return fmt.Errorf("%w: %s: sparse tensors are not supported", ErrUnsafe, here)
			}
			if t := a.GetT(); t != nil {
				if err := validateTensor(t, here); err != nil {
					return err
				}
			}
			for _, t := range a.GetTensors() {
				if err := validateTensor(t, here); err != nil {
					return err
				}
			}
			if err := validateGraph(a.GetG(), here); err != nil {
				return err
			}
			for _, g := range a.GetGraphs() {
				if err := validateGraph(g, here); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// validateTensor refuses external data and a declared shape that the
// tensor's data does not fill exactly.
func validateTensor(t *pb.TensorProto, where string) error {
	if t.GetDataLocation() == pb.TensorProto_EXTERNAL || len(t.GetExternalData()) > 0 {
		loc := ""
		for _, kv := range t.GetExternalData() {
			if kv.GetKey() == "location" {
				loc = kv.GetValue()
			}
		}
		return fmt.Errorf("%w: %s: tensor %s keeps its data in an external file %q; circc reads only self-contained models "+
			"(save it with its data inside, e.g. onnx.save_model(model, path, save_as_external_data=False))", ErrUnsafe, where, t.GetName(), loc)
	}
	if t.GetSegment() != nil {
		return fmt.Errorf("%w: %s: tensor %s is a segment of a larger tensor, which is not supported", ErrMalformed, where, t.GetName())
	}
	n, err := Count(t.GetDims())
	if err != nil {
		return fmt.Errorf("%w: %s: tensor %s: %v", ErrMalformed, where, t.GetName(), err)
	}
	have, size := int64(-1), elemSize(pb.TensorProto_DataType(t.GetDataType()))
	switch raw := t.GetRawData(); {
	case len(raw) > 0:
		if size == 0 {
			return fmt.Errorf("%w: %s: tensor %s has raw data of type %d, which has no fixed size", ErrMalformed, where, t.GetName(), t.GetDataType())
		}
		if int64(len(raw))%size != 0 {
			return fmt.Errorf("%w: %s: tensor %s has %d raw bytes, not a whole number of %d-byte values", ErrMalformed, where, t.GetName(), len(raw), size)
		}
		have = int64(len(raw)) / size
	default:
		have = int64(len(t.GetFloatData()) + len(t.GetInt32Data()) + len(t.GetStringData()) + len(t.GetInt64Data()) + len(t.GetDoubleData()) + len(t.GetUint64Data()))
		switch pb.TensorProto_DataType(t.GetDataType()) {
		case pb.TensorProto_COMPLEX64, pb.TensorProto_COMPLEX128:
			have /= 2
		}
	}
	if have != n {
		return fmt.Errorf("%w: %s: tensor %s declares the shape %v (%d values) but holds %d", ErrMalformed, where, t.GetName(), t.GetDims(), n, have)
	}
	return nil
}

// Count is the number of values of a shape, refused when a dimension is
// negative or the count passes MaxTensorValues.
func Count(dims []int64) (int64, error) {
	n := int64(1)
	for _, d := range dims {
		if d < 0 {
			return 0, fmt.Errorf("a negative dimension in %v", dims)
		}
		if d > 0 && n > MaxTensorValues/d {
			return 0, fmt.Errorf("the shape %v holds more than %d values", dims, int64(MaxTensorValues))
		}
		n *= d
	}
	return n, nil
}

func elemSize(t pb.TensorProto_DataType) int64 {
	switch t {
	case pb.TensorProto_UINT8, pb.TensorProto_INT8, pb.TensorProto_BOOL:
		return 1
	case pb.TensorProto_UINT16, pb.TensorProto_INT16, pb.TensorProto_FLOAT16, pb.TensorProto_BFLOAT16:
		return 2
	case pb.TensorProto_FLOAT, pb.TensorProto_INT32, pb.TensorProto_UINT32:
		return 4
	case pb.TensorProto_INT64, pb.TensorProto_DOUBLE, pb.TensorProto_UINT64, pb.TensorProto_COMPLEX64:
		return 8
	case pb.TensorProto_COMPLEX128:
		return 16
	}
	return 0
}
