package vis

import (
	"path/filepath"
	"testing"

	"github.com/spf13/afero"

	"github.com/circc/circc/reference"
)

// TestBatchesAreChunks: units optimised in batches of Batch give, batch by
// batch, exactly the images and responses of separate runs on each batch,
// in order; so the memory one run needs is bounded by Batch, and a run in
// one batch is what it always was.
func TestBatchesAreChunks(t *testing.T) {
	net, in := squeezeNet(t)
	const tensor = "fire2/concat_1"
	opt := Options{Size: 48, Steps: 3, Seed: 5}
	var steps []int
	batched := opt
	batched.Batch = 2
	batched.Progress = func(s, total int) { steps = append(steps, s, total) }
	got, err := Visualize(net.Model, in, tensor, []int{3, 7, 11}, batched)
	if err != nil {
		t.Fatal(err)
	}
	first, err := Visualize(net.Model, in, tensor, []int{3, 7}, opt)
	if err != nil {
		t.Fatal(err)
	}
	second, err := Visualize(net.Model, in, tensor, []int{11}, opt)
	if err != nil {
		t.Fatal(err)
	}
	want := append(first.Images, second.Images...)
	resp := append(first.Response, second.Response...)
	if len(got.Images) != 3 || len(got.Response) != 3 {
		t.Fatalf("%d images, %d responses", len(got.Images), len(got.Response))
	}
	for i := range want {
		if got.Response[i] != resp[i] {
			t.Errorf("unit %d: response %g, separately %g", i, got.Response[i], resp[i])
		}
		for j, v := range want[i].Pix {
			if got.Images[i].Pix[j] != v {
				t.Fatalf("unit %d: pixel %d differs", i, j)
			}
		}
	}
	// Progress counts unit-steps over the whole run and ends at its total.
	if n := len(steps); n == 0 || steps[n-2] != 9 || steps[n-1] != 9 {
		t.Errorf("progress %v", steps)
	}
}

// squeezeNet opens the shipped SqueezeNet and its input.
func squeezeNet(t testing.TB) (*reference.Net, Input) {
	t.Helper()
	models, _ := filepath.Abs("../../shared/models")
	net, err := reference.Open(afero.NewOsFs(), "squeezenet1.0", models)
	if err != nil {
		t.Fatal(err)
	}
	in, err := ModelInput(net.Manifest)
	if err != nil {
		t.Fatal(err)
	}
	return net, in
}
