package reference

import (
	"flag"
	"testing"

	"github.com/circc/circc/runtime"
)

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
