package grad

import (
	"encoding/binary"
	"math"

	"google.golang.org/protobuf/proto"

	"github.com/circc/circc/onnx"
	pb "github.com/circc/circc/onnx/onnxpb"
)

// toDouble is m computing in float64: every float32 initializer, input
// and output becomes float64, so that finite differences of the forward
// pass can take tiny steps without drowning in float32 rounding.
func toDouble(m *onnx.Model) *onnx.Model {
	c := m.Clone()
	g := c.P.GetGraph()
	for i, t := range g.GetInitializer() {
		if t.GetDataType() != int32(pb.TensorProto_FLOAT) {
			continue
		}
		v, _ := onnx.Floats(t)
		raw := make([]byte, 8*len(v))
		for k, x := range v {
			binary.LittleEndian.PutUint64(raw[8*k:], math.Float64bits(float64(x)))
		}
		g.Initializer[i] = &pb.TensorProto{Name: t.Name, Dims: t.Dims, DataType: proto.Int32(int32(pb.TensorProto_DOUBLE)), RawData: raw}
	}
	for _, vi := range append(append([]*pb.ValueInfoProto(nil), g.GetInput()...), g.GetOutput()...) {
		if tt := vi.GetType().GetTensorType(); tt != nil && tt.GetElemType() == int32(pb.TensorProto_FLOAT) {
			tt.ElemType = proto.Int32(int32(pb.TensorProto_DOUBLE))
		}
	}
	g.ValueInfo = nil
	return c
}
