package exporters

import (
	"encoding/json"
	"flag"
	"math/rand"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/spf13/afero"

	"github.com/circc/circc/compiler"
	"github.com/circc/circc/models"
	"github.com/circc/circc/onnx"
	"github.com/circc/circc/reference"
	"github.com/circc/circc/runtime"
	"github.com/circc/circc/verify"
	"github.com/circc/circc/vis"
)

var fullSteps = flag.Int("fullsize-steps", 512, "BenchmarkFullSize: vis steps (512 is circc vis's default)")

// BenchmarkFullSize runs the full-width, full-size graph of three
// families (ResNet-50, MobileNet-v3 large, ConvNeXt-T; weights seeded at
// random, which the times do not depend on) through what a researcher
// does first with a model: `models add` (import and describe), a layer
// search of curves.circ as `circc verify` runs it by default (128 photos,
// 20 shuffles in each layer's null), and vis of four units of a middle
// layer at circc vis's defaults (224 px, 512 steps). Each time is
// reported in seconds and in forward passes of one 224-pixel image
// through the whole network, measured warm in the same run. It is a
// benchmark, not a test: run it with -benchtime=1x, and GOMAXPROCS or
// taskset to choose the cores.
func BenchmarkFullSize(b *testing.B) {
	for _, build := range FullSize {
		g, err := build()
		if err != nil {
			b.Fatal(err)
		}
		var forward float64 // seconds per image
		report := func(b *testing.B, start time.Time) {
			s := time.Since(start).Seconds() / float64(b.N)
			b.ReportMetric(s, "s/op")
			if forward > 0 {
				b.ReportMetric(s/forward, "forwards/op")
			}
		}
		b.Run(g.Family+"/forward", func(b *testing.B) {
			m, err := onnx.FromBytes(g.Data)
			if err != nil {
				b.Fatal(err)
			}
			s, err := runtime.NewSessionFromBytes(g.Data, g.Input, []string{m.P.GetGraph().GetOutput()[0].GetName()}, runtime.Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			x := make([]float32, 3*224*224)
			rng := rand.New(rand.NewSource(1))
			for i := range x {
				x[i] = float32(rng.NormFloat64())
			}
			for range 2 { // warm up
				if _, err := s.Run(x, g.InputShape(1)); err != nil {
					b.Fatal(err)
				}
			}
			b.ResetTimer()
			start := time.Now()
			for range b.N {
				if _, err := s.Run(x, g.InputShape(1)); err != nil {
					b.Fatal(err)
				}
			}
			forward = time.Since(start).Seconds() / float64(b.N)
			b.ReportMetric(forward*1000, "ms/image")
		})
		dir := b.TempDir()
		var man *models.Manifest
		var data []byte
		b.Run(g.Family+"/models add", func(b *testing.B) {
			start := time.Now()
			for range b.N {
				var err error
				if data, _, err = reference.Import(g.Data); err != nil {
					b.Fatal(err)
				}
				in := models.Input{Channels: []string{"r", "g", "b"}, Scale: 1, Mean: []float64{0.485, 0.456, 0.406}, Std: []float64{0.229, 0.224, 0.225}}
				if man, err = reference.Describe(data, "full", "", in, 0); err != nil {
					b.Fatal(err)
				}
				js, _ := json.Marshal(man)
				os.MkdirAll(filepath.Join(dir, "full"), 0o755)
				os.WriteFile(filepath.Join(dir, "full", models.ManifestFile), js, 0o644)
				os.WriteFile(filepath.Join(dir, "full", man.File), data, 0o644)
			}
			report(b, start)
			b.Logf("%s: %d layers", g.Family, len(man.Layers))
		})
		b.Run(g.Family+"/layer search", func(b *testing.B) {
			src, err := os.ReadFile(filepath.Join("..", "..", "circuits", "curves.circ"))
			if err != nil {
				b.Fatal(err)
			}
			src = regexp.MustCompile(`(?m)^(match \S+ to) inceptionv1\.\S+( using \w+)$`).ReplaceAll(src, []byte("$1 full.*$2"))
			src = regexp.MustCompile(`(?m)^(expect|replace|ablate|set) .*$`).ReplaceAll(src, nil)
			file := filepath.Join(dir, "curves.circ")
			os.WriteFile(file, src, 0o644)
			fs := afero.NewOsFs()
			start := time.Now()
			for range b.N {
				r, err := compiler.Compile(fs, file, compiler.Options{Models: models.Registered(fs, dir)})
				if err != nil || r.Diags.HasErrors() {
					b.Fatal(err, r.Diags.Error())
				}
				rep, err := verify.Run(fs, r, verify.Options{Against: "full", ModelsDir: dir, DataDir: filepath.Join("..", "..", "..", "shared", "datasets"), Photos: 128})
				if err != nil {
					b.Fatal(err)
				}
				for _, f := range rep.Families {
					b.Logf("%s.%s: %d layers searched", f.Layer, f.Family, len(f.Layers))
				}
			}
			report(b, start)
		})
		b.Run(g.Family+"/vis of four units", func(b *testing.B) {
			m, err := onnx.FromBytes(data)
			if err != nil {
				b.Fatal(err)
			}
			in, err := vis.ModelInput(man)
			if err != nil {
				b.Fatal(err)
			}
			layer := man.Layers[len(man.Layers)/2]
			start := time.Now()
			for range b.N {
				if _, err := vis.Visualize(m, in, layer.Tensor, []int{0, 1, 2, 3}, vis.Options{Steps: *fullSteps, Seed: 1}); err != nil {
					b.Fatal(err)
				}
			}
			report(b, start)
			b.Logf("%s: vis of %s:0..3, %d steps", g.Family, layer.Name, *fullSteps)
		})
	}
}
