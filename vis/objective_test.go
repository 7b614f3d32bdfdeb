package vis

import (
	"math"
	"testing"

	"github.com/circc/circc/onnx"
	ort "github.com/circc/circc/runtime"
	"github.com/circc/circc/stimuli"
)

// TestObjectives: each objective climbs what it says. The channel image
// beats the neuron image on the channel's mean, the negative image drives
// the centre cell below the neuron image's, and the diverse images of a
// unit are less alike (Gram cosine of the target layer) than the same
// run with a vanishing penalty, while each answers at least a quarter of
// what the neuron image does.
func TestObjectives(t *testing.T) {
	net, in := squeezeNet(t)
	const tensor = "fire3/concat_1"
	units := []int{5, 40}
	opt := Options{Size: 64, Steps: 40, Seed: 2}
	run := func(o Options) *Result {
		t.Helper()
		r, err := Visualize(net.Model, in, tensor, units, o)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	neuron := run(opt)
	channel := opt
	channel.Objective = Channel
	ch := run(channel)
	negative := opt
	negative.Objective = Negative
	neg := run(negative)
	for i := range units {
		mean := channelMean(t, net.Model, in, tensor, units[i], neuron.Images[i])
		if !(ch.Response[i] > mean) {
			t.Errorf("unit %d: channel image's map mean %.3g, the neuron image's %.3g", units[i], ch.Response[i], mean)
		}
		if !(neg.Response[i] < neuron.Response[i]/4) {
			t.Errorf("unit %d: negative image's centre %.3g, the neuron image's %.3g", units[i], neg.Response[i], neuron.Response[i])
		}
	}
	// Respond reads, on its cropped window, the centre cell of the full
	// map.
	got, err := Respond(net.Model, in, tensor, units, neuron.Images, ort.Options{})
	if err != nil {
		t.Fatal(err)
	}
	maps, shape := targetMaps(t, net.Model, in, tensor, neuron.Images)
	C, h, w := int(shape[1]), int(shape[2]), int(shape[3])
	for b := range neuron.Images {
		for i, ch := range units {
			want := float64(maps[((b*C+ch)*h+(h-1)/2)*w+(w-1)/2])
			if math.Abs(got[b][i]-want) > 1e-4*math.Max(1, math.Abs(want)) {
				t.Errorf("image %d unit %d: Respond %g, the full map's centre %g", b, ch, got[b][i], want)
			}
		}
	}
	diverse := opt
	diverse.Objective = Diverse
	alike := func(weight float64) float64 {
		o := diverse
		o.Diversity = weight
		r := run(o)
		if len(r.Images) != 4*len(units) {
			t.Fatalf("%d diverse images for %d units", len(r.Images), len(units))
		}
		// Each image still excites its unit: the penalty steers, it does
		// not take over.
		for i, resp := range r.Response {
			if !(resp > neuron.Response[i/4]/4) {
				t.Errorf("weight %g: unit %d's diverse image %d answers %.3g, its neuron image %.3g", weight, units[i/4], i%4, resp, neuron.Response[i/4])
			}
		}
		return meanGramCosine(t, net.Model, in, tensor, r.Images)
	}
	free, penalised := alike(1e-9), alike(0.5)
	t.Logf("mean Gram cosine among a unit's images: %.4f without the penalty, %.4f with it", free, penalised)
	if !(penalised < free-0.01) {
		t.Errorf("diverse images as alike as free ones: %.4f against %.4f", penalised, free)
	}
}

// targetMaps runs images through the model and returns the target's
// whole maps and their shape.
func targetMaps(t *testing.T, m *onnx.Model, in Input, target string, ims []*stimuli.Image) ([]float32, []int64) {
	t.Helper()
	n := ims[0].W
	c := m.Clone()
	shape := []int64{1, int64(len(in.Src)), int64(n), int64(n)}
	if err := c.SetInputShape(n, n); err != nil {
		t.Fatal(err)
	}
	if err := c.SetOutputs(shape, target); err != nil {
		t.Fatal(err)
	}
	data, err := c.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	s, err := ort.NewSessionFromBytes(data, c.Input().GetName(), []string{target}, ort.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	nn := n * n
	batch := make([]float32, len(ims)*len(in.Src)*nn)
	for b, im := range ims {
		for i := range in.Src {
			for k, v := range im.Pix[in.Src[i]*nn : (in.Src[i]+1)*nn] {
				batch[(b*len(in.Src)+i)*nn+k] = float32(in.A[i]*float64(v) + in.B[i])
			}
		}
	}
	out, err := s.Run(batch, []int64{int64(len(ims)), int64(len(in.Src)), int64(n), int64(n)})
	if err != nil {
		t.Fatal(err)
	}
	return out[0].Data, out[0].Shape
}

// channelMean is the mean of a channel's map for one image.
func channelMean(t *testing.T, m *onnx.Model, in Input, target string, ch int, im *stimuli.Image) float64 {
	a, shape := targetMaps(t, m, in, target, []*stimuli.Image{im})
	plane := int(shape[2] * shape[3])
	sum := 0.0
	for _, v := range a[ch*plane : (ch+1)*plane] {
		sum += float64(v)
	}
	return sum / float64(plane)
}

// meanGramCosine is the mean, over groups of 4 consecutive images, of the
// cosine between their Gram matrices at the target.
func meanGramCosine(t *testing.T, m *onnx.Model, in Input, target string, ims []*stimuli.Image) float64 {
	a, shape := targetMaps(t, m, in, target, ims)
	C, P := int(shape[1]), int(shape[2]*shape[3])
	grams := make([][]float64, len(ims))
	for b := range ims {
		x := a[b*C*P : (b+1)*C*P]
		g := make([]float64, C*C)
		for i := 0; i < C; i++ {
			for j := 0; j < C; j++ {
				for p := 0; p < P; p++ {
					g[i*C+j] += float64(x[i*P+p]) * float64(x[j*P+p])
				}
			}
		}
		grams[b] = g
	}
	cos := func(x, y []float64) float64 {
		var d, nx, ny float64
		for i := range x {
			d, nx, ny = d+x[i]*y[i], nx+x[i]*x[i], ny+y[i]*y[i]
		}
		return d / math.Sqrt(nx*ny)
	}
	sum, n := 0.0, 0
	for g := 0; g+4 <= len(ims); g += 4 {
		for i := g; i < g+4; i++ {
			for j := i + 1; j < g+4; j++ {
				sum += cos(grams[i], grams[j])
				n++
			}
		}
	}
	return sum / float64(n)
}
