package vis

import (
	"flag"
	"math/rand"
	"path/filepath"
	"testing"

	"github.com/spf13/afero"

	"github.com/circc/circc/reference"
	ort "github.com/circc/circc/runtime"
)

var benchDevices = flag.String("device", "cpu", "devices the benchmarks run on: cpu, cuda, or cpu,cuda")

// BenchmarkOptimise measures, on each -device, feature visualization of 8
// InceptionV1 mixed3b units at 128×128: optimisation steps per second
// (per image: parametrization, transforms, forward, backward, Adam)
// against, in the same run, onnxruntime's forward-only images per second
// on the graph the optimisation runs (cut at mixed3b, on the window the
// centre cells' fields cover), warmed up. It reports the step's cost as a
// multiple of the forward pass.
func BenchmarkOptimise(b *testing.B) {
	devices, err := ort.ParseDevices(*benchDevices)
	if err != nil {
		b.Fatal(err)
	}
	models, _ := filepath.Abs("../../shared/models")
	net, err := reference.Open(afero.NewOsFs(), "inceptionv1", models)
	if err != nil {
		b.Fatal(err)
	}
	in, err := ModelInput(net.Manifest)
	if err != nil {
		b.Fatal(err)
	}
	const tensor, size, batch, steps = "inception_3b/output_1", 128, 8, 32
	channels := []int{379, 385, 360, 206, 336, 368, 298, 66}
	for _, dev := range devices {
		var forward float64
		b.Run(dev.Device+"/forward", func(b *testing.B) {
			m := net.Model.Clone()
			if err := m.SetInputShape(size, size); err != nil {
				b.Fatal(err)
			}
			side := size
			if w, ok := m.CentreCrop([]string{tensor}, 3, size); ok {
				side = w.Size
			}
			s, err := net.Session(side, side, []string{tensor}, dev)
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			x := make([]float32, batch*3*side*side)
			rng := rand.New(rand.NewSource(1))
			for i := range x {
				x[i] = float32(rng.NormFloat64() * 40)
			}
			shape := []int64{batch, 3, int64(side), int64(side)}
			s.Run(x, shape)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := s.Run(x, shape); err != nil {
					b.Fatal(err)
				}
			}
			forward = float64(b.N*batch) / b.Elapsed().Seconds()
			b.ReportMetric(forward, "images/s")
		})
		b.Run(dev.Device+"/optimise", func(b *testing.B) {
			opt := Options{Size: size, Steps: 2, Seed: 1, Runtime: dev}
			if _, err := Visualize(net.Model, in, tensor, channels, opt); err != nil {
				b.Fatal(err) // warm-up
			}
			opt.Steps = steps
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := Visualize(net.Model, in, tensor, channels, opt); err != nil {
					b.Fatal(err)
				}
			}
			rate := float64(b.N*batch*steps) / b.Elapsed().Seconds()
			b.ReportMetric(rate, "image-steps/s")
			if forward > 0 {
				b.ReportMetric(forward/rate, "step/forward")
			}
		})
	}
}
