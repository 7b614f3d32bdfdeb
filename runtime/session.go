package runtime

import (
	"fmt"

	ort "github.com/yalue/onnxruntime_go"
	"gorgonia.org/tensor"
)

// CPU is the name of onnxruntime's CPU execution provider.
const CPU = "CPUExecutionProvider"

// Options configure a session.
type Options struct {
	// Threads is the number of intra-op threads (0: onnxruntime's default).
	Threads int
	// Device is "cpu" (or "") or "cuda".
	Device string
	// TF32 lets CUDA run float32 convolutions and matrix products in
	// TensorFloat-32 (10-bit mantissa; about 1e-3 relative error), which
	// onnxruntime does by default. circc turns it off unless asked: its
	// results are compared with the CPU's and with stored activations to
	// about 1e-6.
	TF32 bool
	// Batch is the number of images a caller runs at once (0: the
	// device's default, DefaultBatch).
	Batch int
}

// DefaultBatch is the batch size per device: 16 images keep the CPU's
// cores busy with small memory; a GPU needs many more to be fed
// (InceptionV1 on an H200 runs 5× more images per second at 256 than
// at 16).
var DefaultBatch = map[string]int{"cpu": 16, "cuda": 256}

// BatchSize is the number of images to run at once on the options' device.
func (o Options) BatchSize() int {
	if o.Batch > 0 {
		return o.Batch
	}
	return DefaultBatch[o.device()]
}

// device is the options' device, "cpu" when none is named.
func (o Options) device() string {
	if o.Device == "" {
		return "cpu"
	}
	return o.Device
}

// Session runs one model with one float32 input and chosen outputs.
type Session struct {
	s       *ort.DynamicAdvancedSession
	inputs  []string
	outputs []string
	// Provider is the execution provider that runs the session.
	Provider string
}

// Output is one output tensor of a run.
type Output struct {
	Name  string
	Shape []int64
	Data  []float32
}

// sessionOptions initialises onnxruntime for the device and builds the
// options of a session; the caller destroys them.
func sessionOptions(opt Options) (*ort.SessionOptions, string, error) {
	device := opt.device()
	if err := initFor(device); err != nil {
		return nil, "", err
	}
	so, err := ort.NewSessionOptions()
	if err != nil {
		return nil, "", err
	}
	if opt.Threads > 0 {
		if err := so.SetIntraOpNumThreads(opt.Threads); err != nil {
			so.Destroy()
			return nil, "", err
		}
	}
	if device != "cuda" {
		return so, CPU, nil
	}
	cuda, err := ort.NewCUDAProviderOptions()
	if err == nil {
		defer cuda.Destroy()
		tf32 := "0"
		if opt.TF32 {
			tf32 = "1"
		}
		// cuDNN tries every convolution algorithm for each new input
		// shape and keeps the fastest (EXHAUSTIVE, onnxruntime's default,
		// named here so that it is a choice): the search costs the first
		// run of a shape a second or so, and circc's callers run one
		// shape per session (they pad the last batch), so it is paid
		// once, and warmed-up benchmarks leave it out.
		if err = cuda.Update(map[string]string{"use_tf32": tf32, "cudnn_conv_algo_search": "EXHAUSTIVE"}); err == nil {
			err = so.AppendExecutionProviderCUDA(cuda)
		}
	}
	if err == nil {
		// A node that CUDA cannot run would otherwise go to the CPU
		// without a word; refuse the session instead, so that the
		// provider a result names is the one that ran every node.
		err = so.AddSessionConfigEntry("session.disable_cpu_ep_fallback", "1")
	}
	if err != nil {
		so.Destroy()
		return nil, "", fmt.Errorf("onnxruntime cannot use CUDA: %w (run circc doctor)", err)
	}
	return so, CUDA, nil
}

// Input is one input tensor of a run: data in row-major order of shape.
type Input struct {
	Data  []float32
	Shape []int64
}

// Run feeds one input tensor (data in row-major order of shape) and returns
// the outputs in the order they were asked for.
func (s *Session) Run(data []float32, shape []int64) ([]Output, error) {
	return s.RunInputs(Input{data, shape})
}

// RunInputs feeds one tensor per input of the session, in the order they
// were named, and returns the outputs in the order they were asked for.
func (s *Session) RunInputs(inputs ...Input) ([]Output, error) {
	if len(inputs) != len(s.inputs) {
		return nil, fmt.Errorf("%d input tensors for %d inputs", len(inputs), len(s.inputs))
	}
	ins := make([]ort.Value, len(inputs))
	for i, x := range inputs {
		t, err := ort.NewTensor(ort.NewShape(x.Shape...), x.Data)
		if err != nil {
			return nil, fmt.Errorf("input %s: %w", s.inputs[i], err)
		}
		defer t.Destroy()
		ins[i] = t
	}
	outs := make([]ort.Value, len(s.outputs))
	if err := s.s.Run(ins, outs); err != nil {
		return nil, fmt.Errorf("onnxruntime run: %w", err)
	}
	res := make([]Output, len(outs))
	for i, v := range outs {
		t, ok := v.(*ort.Tensor[float32])
		if !ok {
			v.Destroy()
			return nil, fmt.Errorf("output %s is not a float32 tensor", s.outputs[i])
		}
		res[i] = Output{Name: s.outputs[i], Shape: append([]int64(nil), t.GetShape()...), Data: append([]float32(nil), t.GetData()...)}
		t.Destroy()
	}
	return res, nil
}

// Close releases the session.
func (s *Session) Close() error { return s.s.Destroy() }

// NewSessionFromBytes opens a model held in memory, reading outputs by
// name.
func NewSessionFromBytes(model []byte, input string, outputs []string, opt Options) (*Session, error) {
	return NewSessionInputs(model, []string{input}, outputs, opt)
}

// NewSessionInputs opens a model held in memory that takes several
// inputs (a gradient graph takes the image and the objective's seed).
func NewSessionInputs(model []byte, inputs, outputs []string, opt Options) (*Session, error) {
	so, provider, err := sessionOptions(opt)
	if err != nil {
		return nil, err
	}
	defer so.Destroy()
	s, err := ort.NewDynamicAdvancedSessionWithONNXData(model, inputs, outputs, so)
	if err != nil {
		return nil, fmt.Errorf("onnxruntime cannot load the model: %w", err)
	}
	return &Session{s: s, inputs: inputs, outputs: outputs, Provider: provider}, nil
}

// RunDense runs the session on a gorgonia tensor and writes the outputs
// into the given gorgonia tensors, sharing their memory with onnxruntime
// (no copies). Each output tensor must already have its output's shape.
func (s *Session) RunDense(in *tensor.Dense, outs []*tensor.Dense) error {
	if len(outs) != len(s.outputs) {
		return fmt.Errorf("%d output tensors for %d outputs", len(outs), len(s.outputs))
	}
	it, err := denseValue(in)
	if err != nil {
		return err
	}
	defer it.Destroy()
	ov := make([]ort.Value, len(outs))
	for i, o := range outs {
		v, err := denseValue(o)
		if err != nil {
			return err
		}
		defer v.Destroy()
		ov[i] = v
	}
	return s.s.Run([]ort.Value{it}, ov)
}

// denseValue wraps a float32 gorgonia tensor's backing array as an
// onnxruntime tensor, without copying.
func denseValue(d *tensor.Dense) (*ort.Tensor[float32], error) {
	data, ok := d.Data().([]float32)
	if !ok {
		return nil, fmt.Errorf("tensor of %v, not float32", d.Dtype())
	}
	shape := make([]int64, len(d.Shape()))
	for i, x := range d.Shape() {
		shape[i] = int64(x)
	}
	return ort.NewTensor(ort.NewShape(shape...), data)
}

// CheckShapes runs a model once on zeros of shape inDims and checks that
// each output has the shape its caller declared.
func CheckShapes(model []byte, input string, inDims []int64, outputs []string, want [][]int64, opt Options) error {
	s, err := NewSessionFromBytes(model, input, outputs, opt)
	if err != nil {
		return err
	}
	defer s.Close()
	n := int64(1)
	for _, d := range inDims {
		n *= d
	}
	got, err := s.Run(make([]float32, n), inDims)
	if err != nil {
		return err
	}
	for i, name := range outputs {
		if fmt.Sprint(got[i].Shape) != fmt.Sprint(want[i]) {
			return fmt.Errorf("onnxruntime gives %s the shape %v, the model declares %v", name, got[i].Shape, want[i])
		}
	}
	return nil
}
