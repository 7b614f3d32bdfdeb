package reference

import (
	"flag"
	"testing"

	"github.com/circc/circc/runtime"
)

// warmUp is how many batches a benchmark runs before it starts timing.
const warmUp = 3

var benchDevices = flag.String("device", "cpu", "devices the benchmarks run on: cpu, cuda, or cpu,cuda")

// BenchmarkImagesPerSecond runs batches of 16 images, on each -device,
// through the reference model cut after mixed3b and through the whole
// model, in the same run; compare their images/s.
func BenchmarkImagesPerSecond(b *testing.B) {
	devices, err := runtime.ParseDevices(*benchDevices)
	if err != nil {
		b.Fatal(err)
	}
	n := open(b)
	in := make([]float32, BatchSize*3*224*224)
	for i := range in {
		in[i] = float32(i%251) - 125
	}
	for _, dev := range devices {
		for _, c := range []struct{ name, tensor string }{{"cut=mixed3b", "inception_3b/output_1"}, {"whole", "prob_1"}} {
			b.Run(dev.Device+"/"+c.name, func(b *testing.B) {
				s, err := n.Session(224, 224, []string{c.tensor}, dev)
				if err != nil {
					b.Fatal(err)
				}
				defer s.Close()
				// Warm up: the first runs pay for allocation and, on CUDA,
				// cuDNN's search for convolution algorithms.
				for i := 0; i < warmUp; i++ {
					if _, err := s.Run(in, []int64{BatchSize, 3, 224, 224}); err != nil {
						b.Fatal(err)
					}
				}
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if _, err := s.Run(in, []int64{BatchSize, 3, 224, 224}); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N*BatchSize)/b.Elapsed().Seconds(), "images/s")
			})
		}
	}
}
