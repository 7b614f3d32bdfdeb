package reference

import (
	"flag"
	"testing"

	"github.com/spf13/afero"

	"github.com/circc/circc/datasets"
	"github.com/circc/circc/runtime"
)

// warmUp is how many batches a benchmark runs before it starts timing.
const warmUp = 3

var benchDevices = flag.String("device", "cpu", "devices the benchmarks run on: cpu, cuda, or cpu,cuda")

// raw times onnxruntime alone on a session: batches of the device's size
// of fixed input, warmed up first; it reports and returns images/s.
func raw(b *testing.B, s *runtime.Session, batch int) float64 {
	in := make([]float32, batch*3*224*224)
	for i := range in {
		in[i] = float32(i%251) - 125
	}
	shape := []int64{int64(batch), 3, 224, 224}
	// The first runs pay for allocation and, on CUDA, cuDNN's search for
	// convolution algorithms.
	for i := 0; i < warmUp; i++ {
		if _, err := s.Run(in, shape); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.Run(in, shape); err != nil {
			b.Fatal(err)
		}
	}
	rate := float64(b.N*batch) / b.Elapsed().Seconds()
	b.ReportMetric(rate, "images/s")
	return rate
}

// BenchmarkImagesPerSecond runs batches of the device's size, on each
// -device, through the reference model cut after mixed3b and through the
// whole model, in the same run; compare their images/s.
func BenchmarkImagesPerSecond(b *testing.B) {
	devices, err := runtime.ParseDevices(*benchDevices)
	if err != nil {
		b.Fatal(err)
	}
	n := open(b)
	for _, dev := range devices {
		for _, c := range []struct{ name, tensor string }{{"cut=mixed3b", "inception_3b/output_1"}, {"whole", "prob_1"}} {
			b.Run(dev.Device+"/"+c.name, func(b *testing.B) {
				s, err := n.Session(224, 224, []string{c.tensor}, dev)
				if err != nil {
					b.Fatal(err)
				}
				defer s.Close()
				raw(b, s, dev.BatchSize())
			})
		}
	}
}

// BenchmarkEvaluate measures, on each -device, onnxruntime's raw
// throughput on the whole model and, in the same run, Evaluate over
// imagenet-sample photos (reading, decoding, cropping, preprocessing,
// running, ranking), and reports the evaluation's share of the raw rate:
// how much decoding costs the network.
func BenchmarkEvaluate(b *testing.B) {
	devices, err := runtime.ParseDevices(*benchDevices)
	if err != nil {
		b.Fatal(err)
	}
	n := open(b)
	fs := afero.NewOsFs()
	items, err := datasets.ImageNetSample(fs, datasets.Dir(fs, sharedData, "imagenet-sample"))
	if err != nil {
		b.Fatal(err)
	}
	for _, dev := range devices {
		batch := dev.BatchSize()
		photos := items[:min(len(items), 10*batch)]
		var rawRate float64
		b.Run(dev.Device+"/raw", func(b *testing.B) {
			s, err := n.Session(224, 224, []string{"prob_1"}, dev)
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			rawRate = raw(b, s, batch)
		})
		b.Run(dev.Device+"/evaluate", func(b *testing.B) {
			if _, err := n.Evaluate(fs, "warm-up", n.Model, "prob_1", photos[:batch], dev, nil); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := n.Evaluate(fs, "bench", n.Model, "prob_1", photos, dev, nil); err != nil {
					b.Fatal(err)
				}
			}
			rate := float64(b.N*len(photos)) / b.Elapsed().Seconds()
			b.ReportMetric(rate, "photos/s")
			if rawRate > 0 {
				b.ReportMetric(100*rate/rawRate, "%_of_raw")
			}
		})
	}
}
