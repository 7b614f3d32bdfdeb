package compiler_test

import (
	"bytes"
	"fmt"
	"math"
	"math/rand"
	goruntime "runtime"
	"testing"

	"github.com/spf13/afero"

	"github.com/circc/circc/compiler"
	"github.com/circc/circc/compiler/expand"
	"github.com/circc/circc/compiler/lower"
	"github.com/circc/circc/compiler/lower/direct"
	"github.com/circc/circc/runtime"
)

func compile(t testing.TB, file string) *compiler.Result {
	t.Helper()
	r, err := compiler.Compile(afero.NewOsFs(), file, compiler.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Diags) > 0 || r.Stopped != "emit" {
		var b bytes.Buffer
		r.Diags.WriteText(&b, r.Program.Source)
		t.Fatalf("compile %s stopped after %s:\n%s", file, r.Stopped, b.String())
	}
	return r
}

func radii(lo, hi float64) []float64 {
	var out []float64
	for r := lo; r <= hi; r++ {
		out = append(out, r)
	}
	return out
}

func unitIndex(t *testing.T, l *expand.Layer, name string) int {
	t.Helper()
	for _, u := range l.Units {
		if u.Name == name {
			return u.Index
		}
	}
	t.Fatalf("layer %s has no unit %s", l.Name, name)
	return -1
}

func near(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range got {
		if math.Abs(got[i]-want[i]) > tol {
			t.Errorf("%s[%d] = %.9g, the recipe gives %.9g", what, i, got[i], want[i])
			return
		}
	}
}

// TestCurvesMatchRecipe recomputes weights of curves.circ from the formulas
// of circuits-notes §3.3 and compares them with the compiled ones.
func TestCurvesMatchRecipe(t *testing.T) {
	r := compile(t, "../circuits/curves.circ")
	n := r.Network
	if n.NumWeights() != 78660 {
		t.Fatalf("%d weights, want 78,660", n.NumWeights())
	}
	m3a, m3b := n.Layer("mixed3a"), n.Layer("mixed3b")
	c0 := unitIndex(t, m3b, "curve[a=0deg]")
	in := unitIndex(t, m3a, "curve[a=0deg]")
	near(t, "mixed3a curve 0° → mixed3b curve 0°", m3b.Kernel2D(c0, in), curveCurveAW(5, 0, 0, radii(4, 9)), 1e-9)
	c90 := unitIndex(t, m3b, "curve[a=90deg]")
	e0 := unitIndex(t, m3a, "edge[o=0deg]")
	near(t, "mixed3a edge 0° → mixed3b curve 90°", m3b.Kernel2D(c90, e0), edgeCurveAW(5, 0, 90, radii(4, 9)), 1e-9)
	c135 := unitIndex(t, m3b, "curve[a=135deg]")
	c300 := unitIndex(t, m3a, "curve[a=300deg]")
	near(t, "mixed3a curve 300° → mixed3b curve 135°", m3b.Kernel2D(c135, c300), curveCurveAW(5, 300, 135, radii(4, 9)), 1e-9)
	cc := n.Layer("conv2d2")
	near(t, "conv2d1 edge 40° → conv2d2 curve 15°", cc.Kernel2D(unitIndex(t, cc, "curve[a=15deg]"), 4), edgeCurveAW(3, 40, 15, radii(5, 9)), 1e-9)
	// conv2d0: the Gabor filter, the same on every colour channel.
	g := n.Layer("conv2d0")
	u := unitIndex(t, g, "gabor[o=30deg,s=0.875px]")
	for ch := 0; ch < 3; ch++ {
		near(t, "gabor 30° shift 7/8", g.Kernel2D(u, ch), gaborAW(7, 30, 7.0/8), 1e-9)
	}
	// conv2d1 is 1x1: each weight is the edge→edge coefficient itself.
	e := n.Layer("conv2d1")
	o := unitIndex(t, e, "edge[o=20deg]")
	for _, src := range g.Units {
		want := edgeEdgeAW1x1(src.Params[0].Value.(interface{ At(int) float64 }).At(0), 20)
		if got := e.Kernel2D(o, src.Index)[0]; math.Abs(got-want) > 1e-12 {
			t.Errorf("%s → edge[o=20deg] = %g, the table gives %g", src.Name, got, want)
		}
	}
	// edge → edge on the 3x3 and 5x5 layers, every pair of orientations.
	for _, tc := range []struct {
		from, to string
		size     int
	}{{"conv2d1", "conv2d2", 3}, {"conv2d2", "mixed3a", 3}, {"mixed3a", "mixed3b", 5}} {
		from, to := n.Layer(tc.from), n.Layer(tc.to)
		pairs := 0
		for ai := 0; ai < 180; ai += 10 {
			in := unitIndex(t, from, fmt.Sprintf("edge[o=%ddeg]", ai))
			for ao := 0; ao < 180; ao += 10 {
				out := unitIndex(t, to, fmt.Sprintf("edge[o=%ddeg]", ao))
				near(t, fmt.Sprintf("%s edge %d° → %s edge %d°", tc.from, ai, tc.to, ao), to.Kernel2D(out, in), edgeEdgeAW(tc.size, float64(ai), float64(ao)), 1e-9)
				pairs++
			}
		}
		if pairs != 18*18 {
			t.Errorf("%s: %d edge pairs", tc.to, pairs)
		}
	}
	// The lowered float32 tensor holds the same values.
	w := lower.Float32s(r.Lowered.Conv("mixed3b").Weight)
	k := m3b.Kernel2D(c0, in)
	off := (c0*m3b.InC + in) * 25
	for i := range k {
		if math.Abs(float64(w[off+i])-k[i]) > 1e-6*math.Max(1, math.Abs(k[i])) {
			t.Fatalf("lowered weight %d = %g, expanded %g", i, w[off+i], k[i])
		}
	}
}

// TestDeterministic: the same source gives byte-identical models and manifests.
func TestDeterministic(t *testing.T) {
	a, b := compile(t, "../circuits/curves.circ"), compile(t, "../circuits/curves.circ")
	ja, errA := a.Manifest("m.onnx").JSON()
	jb, errB := b.Manifest("m.onnx").JSON()
	if errA != nil || errB != nil || !bytes.Equal(a.ONNX, b.ONNX) || !bytes.Equal(ja, jb) {
		t.Fatal("two compilations differ")
	}
}

// TestDifferential runs each example circuit's emitted model with
// onnxruntime and the lowered network with the pure-Go direct executor on
// the same random batch; every layer must agree to 1e-5 (relative to the
// layer's largest activation).
func TestDifferential(t *testing.T) {
	for _, file := range []string{"../circuits/curves.circ", "../circuits/highlow.circ"} {
		r := compile(t, file)
		n := r.Network
		rng := rand.New(rand.NewSource(1))
		in := &direct.Tensor{N: 2, C: n.Input.C, H: n.Input.H, W: n.Input.W}
		in.Data = make([]float32, in.N*in.C*in.H*in.W)
		for i := range in.Data {
			in.Data[i] = float32(n.Input.Lo + rng.Float64()*(n.Input.Hi-n.Input.Lo))
		}
		var names []string
		for _, l := range n.Layers {
			names = append(names, l.Name)
		}
		s, err := runtime.NewSessionFromBytes(r.ONNX, n.Input.Name, names, runtime.Options{})
		if err != nil {
			t.Fatal(err)
		}
		outs, err := s.Run(in.Data, []int64{2, int64(in.C), int64(in.H), int64(in.W)})
		s.Close()
		if err != nil {
			t.Fatal(err)
		}
		want := direct.Forward(r.Lowered, in)
		for _, o := range outs {
			ref := want[o.Name]
			if len(ref.Data) != len(o.Data) {
				t.Fatalf("%s %s: %d values from onnxruntime, %d from the direct executor", file, o.Name, len(o.Data), len(ref.Data))
			}
			scale, worst := 0.0, 0.0
			for i := range ref.Data {
				scale = math.Max(scale, math.Abs(float64(ref.Data[i])))
				worst = math.Max(worst, math.Abs(float64(ref.Data[i])-float64(o.Data[i])))
			}
			if scale == 0 {
				t.Errorf("%s %s: all activations are zero; the test input does not exercise the layer", file, o.Name)
				continue
			}
			if worst/scale > 1e-5 {
				t.Errorf("%s %s: onnxruntime and the direct executor differ by %.3g (relative %.3g)", file, o.Name, worst, worst/scale)
			}
			t.Logf("%s %-9s max |a| %-10.4g relative difference %.2g", file, o.Name, scale, worst/scale)
		}
	}
}

// BenchmarkCompileCurves measures the whole pipeline on curves.circ
// (check, evaluate, expand, lower, emit) on one processor, the baseline,
// and on all of them (family members are evaluated in parallel), in the
// same run.
func BenchmarkCompileCurves(b *testing.B) {
	for _, procs := range []int{1, goruntime.NumCPU()} {
		b.Run(fmt.Sprintf("procs=%d", procs), func(b *testing.B) {
			defer goruntime.GOMAXPROCS(goruntime.GOMAXPROCS(procs))
			compile(b, "../circuits/curves.circ") // warm up: the stdlib's parse, the page cache
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				compile(b, "../circuits/curves.circ")
			}
		})
	}
}
