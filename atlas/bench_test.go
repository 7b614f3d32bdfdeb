package atlas

import (
	"flag"
	"math/rand"
	"testing"
	"time"

	"github.com/spf13/afero"

	ort "github.com/circc/circc/runtime"
	"github.com/circc/circc/vis"
)

var benchDevices = flag.String("device", "cpu", "devices the benchmarks run on: cpu, cuda, or cpu,cuda")

// BenchmarkMixed3bAtlas measures, on each -device, the two halves of an
// atlas of InceptionV1's mixed3b with one neuron portrait per unit and
// top photos (the GPU target: all 480 units, 256 steps at 128 px, the
// 1000 shipped photos): visualization image-steps per second, in tasks
// of Chunk units, and the data-set pass's photos per second, beside
// onnxruntime's raw forward images per second on the same graph (cut at
// mixed3b, 224 px), warmed up, in the same run, and the time the photo
// crops of all the layer's units take. It reports the projected time of
// the whole layer's atlas.
func BenchmarkMixed3bAtlas(b *testing.B) {
	devices, err := ort.ParseDevices(*benchDevices)
	if err != nil {
		b.Fatal(err)
	}
	net := openNet(b, "inceptionv1")
	in, err := vis.ModelInput(net.Manifest)
	if err != nil {
		b.Fatal(err)
	}
	items := photos(b)
	const tensor, units, steps = "inception_3b/output_1", 480, 256
	st := DefaultSettings()
	st.Objectives, st.Photos, st.Weights = []string{"neuron"}, 1000, 0
	p, err := NewPlan(net, PlanOptions{Layers: []string{"mixed3b"}, Settings: st, Shards: 1, Version: "bench", Photos: items})
	if err != nil {
		b.Fatal(err)
	}
	layer := p.Layer("mixed3b")
	for _, dev := range devices {
		chunk := dev.BatchSize()
		if dev.Device == "cuda" {
			chunk = 240 // two tasks of 240 units fill an H200 at 128 px
		}
		var forward, photoRate, cropSeconds, stepRate float64
		b.Run(dev.Device+"/forward", func(b *testing.B) {
			s, err := net.Session(224, 224, []string{tensor}, dev)
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			batch := dev.BatchSize()
			x := make([]float32, batch*3*224*224)
			rng := rand.New(rand.NewSource(1))
			for i := range x {
				x[i] = float32(rng.NormFloat64() * 40)
			}
			shape := []int64{int64(batch), 3, 224, 224}
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
		b.Run(dev.Device+"/photos", func(b *testing.B) {
			chans := make([]int, layer.Channels)
			for i := range chans {
				chans[i] = i
			}
			pics := PickPhotos(items, 64)
			ld := func() *layerData {
				return &layerData{best: map[int]float64{}, top: map[int][]Photo{}, bottom: map[int][]Photo{}, files: map[int]map[string][]byte{}, preModel: net.Model, preTensor: tensor}
			}
			opt := RunOptions{Runtime: dev}
			// The pass itself (no crops), then the crops of every unit's
			// top and bottom photos, which do not grow with the photos.
			bare := *p
			bare.Settings.Top = 0
			if err := bare.photoPass(afero.NewOsFs(), net, layer, chans, pics[:8], ld(), opt); err != nil {
				b.Fatal(err) // warm-up
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := bare.photoPass(afero.NewOsFs(), net, layer, chans, pics, ld(), opt); err != nil {
					b.Fatal(err)
				}
			}
			photoRate = float64(b.N*len(pics)) / b.Elapsed().Seconds()
			b.StopTimer()
			start := time.Now()
			if err := p.photoPass(afero.NewOsFs(), net, layer, chans, pics, ld(), opt); err != nil {
				b.Fatal(err)
			}
			cropSeconds = max(0, time.Since(start).Seconds()-float64(len(pics))/photoRate)
			b.ReportMetric(photoRate, "photos/s")
			b.ReportMetric(cropSeconds, "crops-s")
			if forward > 0 {
				b.ReportMetric(photoRate/forward, "of-raw")
			}
		})
		b.Run(dev.Device+"/vis", func(b *testing.B) {
			chans := make([]int, min(chunk, units))
			for i := range chans {
				chans[i] = i
			}
			const benchSteps = 8
			opt := vis.Options{Size: 128, Steps: 1, Runtime: dev, Batch: len(chans)}
			if _, err := vis.Visualize(net.Model, in, tensor, chans, opt); err != nil {
				b.Fatal(err) // warm-up
			}
			opt.Steps = benchSteps
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := vis.Visualize(net.Model, in, tensor, chans, opt); err != nil {
					b.Fatal(err)
				}
			}
			stepRate = float64(b.N*len(chans)*benchSteps) / b.Elapsed().Seconds()
			b.ReportMetric(stepRate, "image-steps/s")
			if photoRate > 0 {
				b.ReportMetric(units*steps/stepRate+1000/photoRate+cropSeconds, "atlas-s")
			}
		})
	}
}
