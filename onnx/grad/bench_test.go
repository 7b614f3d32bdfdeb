package grad

import (
	"flag"
	"math/rand"
	"path/filepath"
	"testing"

	"github.com/spf13/afero"

	"github.com/circc/circc/onnx"
	"github.com/circc/circc/onnx/eval64"
	"github.com/circc/circc/runtime"
)

var benchDevices = flag.String("device", "cpu", "devices the benchmarks run on (cpu, cuda, or cpu,cuda); the tests run their gradient graphs on the first")

// BenchmarkBackward measures, on each -device, InceptionV1 cut at mixed3b
// on 128×128 images, batches of 8: forward only, then forward and
// backward (the gradient graph, as feature visualization runs it), in the
// same run, warmed up; it reports images/s and the backward's cost as a
// multiple of the forward's.
func BenchmarkBackward(b *testing.B) {
	devices, err := runtime.ParseDevices(*benchDevices)
	if err != nil {
		b.Fatal(err)
	}
	m, err := onnx.Read(afero.NewOsFs(), filepath.Join(sharedModels, "inceptionv1", "model.onnx"))
	if err != nil {
		b.Fatal(err)
	}
	const side, batch, target = 128, 8, "inception_3b/output_1"
	if err := m.SetInputShape(side, side); err != nil {
		b.Fatal(err)
	}
	shape := []int64{batch, 3, side, side}
	fwd := m.Clone()
	if err := fwd.SetOutputs([]int64{1, 3, side, side}, target); err != nil {
		b.Fatal(err)
	}
	gm, err := Build(m, []int64{1, 3, side, side}, target, Options{RedirectRelu: true})
	if err != nil {
		b.Fatal(err)
	}
	shapes, _ := fwd.Shapes([]int64{batch, 3, side, side})
	ts := shapes[target]
	x := random(batch*3*side*side, 40, rand.New(rand.NewSource(1)))
	seed := make([]float32, eval64.Size(ts))
	seed[0] = 1
	for _, dev := range devices {
		var fwdRate float64
		b.Run(dev.Device+"/forward", func(b *testing.B) {
			data, _ := fwd.Bytes()
			s, err := runtime.NewSessionFromBytes(data, "data_0", []string{target}, dev)
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			for i := 0; i < 2; i++ {
				s.Run(x, shape)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := s.Run(x, shape); err != nil {
					b.Fatal(err)
				}
			}
			fwdRate = float64(b.N*batch) / b.Elapsed().Seconds()
			b.ReportMetric(fwdRate, "images/s")
		})
		b.Run(dev.Device+"/forward+backward", func(b *testing.B) {
			data, _ := gm.Bytes()
			s, err := runtime.NewSessionInputs(data, []string{"data_0", Seed}, []string{target, Image}, dev)
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			run := func() {
				if _, err := s.RunInputs(runtime.Input{Data: x, Shape: shape}, runtime.Input{Data: seed, Shape: ts}); err != nil {
					b.Fatal(err)
				}
			}
			run()
			run()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				run()
			}
			rate := float64(b.N*batch) / b.Elapsed().Seconds()
			b.ReportMetric(rate, "images/s")
			if fwdRate > 0 {
				b.ReportMetric(fwdRate/rate-1, "backward/forward")
			}
		})
	}
}
