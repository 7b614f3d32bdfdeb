package onnxpb

import (
	"os"
	"testing"

	"google.golang.org/protobuf/proto"
)

// TestDecodesReferenceModel reads the real InceptionV1 file with the
// generated types: the facts its README states must hold.
func TestDecodesReferenceModel(t *testing.T) {
	data, err := os.ReadFile("../../../shared/models/inceptionv1/model.onnx")
	if err != nil {
		t.Fatal(err)
	}
	m := &ModelProto{}
	if err := proto.Unmarshal(data, m); err != nil {
		t.Fatal(err)
	}
	g := m.GetGraph()
	if m.GetIrVersion() != 7 || len(g.GetNode()) != 143 || len(g.GetInitializer()) != 116 {
		t.Errorf("IR %d, %d nodes, %d initializers", m.GetIrVersion(), len(g.GetNode()), len(g.GetInitializer()))
	}
	params := 0
	for _, init := range g.GetInitializer() {
		n := 1
		for _, d := range init.GetDims() {
			n *= int(d)
		}
		params += n
	}
	if params != 6998552 {
		t.Errorf("%d parameters, want 6,998,552", params)
	}
	if in := g.GetInput()[0].GetName(); in != "data_0" {
		t.Errorf("input %s", in)
	}
}
