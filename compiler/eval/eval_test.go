package eval_test

import (
	"math"
	"testing"

	"github.com/spf13/afero"

	"github.com/circc/circc/compiler/check"
	"github.com/circc/circc/compiler/eval"
	"github.com/circc/circc/models"
)

// lets checks a library of lets and evaluates each.
func lets(t *testing.T, src string) func(name string) eval.Value {
	t.Helper()
	fs := afero.NewMemMapFs()
	afero.WriteFile(fs, "t.circ", []byte("library t\n\n"+src), 0o644)
	prog, ds, err := check.Check(fs, "t.circ", models.Builtin)
	if err != nil || len(ds) > 0 {
		t.Fatalf("%v %v", err, ds)
	}
	ev := eval.New(prog, eval.DefaultLimits)
	return func(name string) eval.Value {
		v, d := ev.Let(prog.Main, name)
		if d != nil {
			t.Fatalf("%s: %s", name, d.Summary)
		}
		return v
	}
}

func scalar(t *testing.T, v eval.Value) float64 {
	t.Helper()
	n, ok := v.(eval.Num)
	if !ok || n.Cells != nil {
		t.Fatalf("not a number: %s", eval.Format(v))
	}
	return n.S
}

func TestTables(t *testing.T) {
	get := lets(t, `
let clamp = table { 0deg: 1, 10deg: 0 }
let mirrored = table mirror 90deg { 0deg: 1, 90deg: -1 }
let periodic = table periodic 360deg { 0deg: 0, 180deg: 1 }
let gapped = table gap 10deg fill -0.01 { 0deg: 1, 40deg: 0.2 }
let c1 = clamp(-5deg)
let c2 = clamp(5deg)
let c3 = clamp(50deg)
let m1 = mirrored(-45deg)
let m2 = mirrored(135deg)
let m3 = mirrored(270deg)
let p1 = periodic(-90deg)
let p2 = periodic(540deg)
let g1 = gapped(5deg)
let g2 = gapped(20deg)
let g3 = gapped(35deg)
`)
	for name, want := range map[string]float64{
		"c1": 1, "c2": 0.5, "c3": 0, // constant outside the keys
		"m1": 0, "m2": 0, "m3": -1, // even about 0 and 90deg
		"p1": 0.5, "p2": 1,
		// 5deg above 0deg; the key above is 35deg away, so it counts as
		// -0.01 at 10deg: weights 10/15 and 5/15.
		"g1": 1*2.0/3 + -0.01/3,
		"g2": -0.01,               // both neighbours farther than 10deg
		"g3": -0.01/3 + 0.2*2.0/3, // 5deg below 40deg, 0deg far away
	} {
		if got := scalar(t, get(name)); math.Abs(got-want) > 1e-12 {
			t.Errorf("%s = %g, want %g", name, got, want)
		}
	}
}

func TestUnitsAndTrig(t *testing.T) {
	get := lets(t, `
let r = 1rad / 1deg
let s = sin(30deg)
let c = cos(90deg)
let d = (30deg - 20deg) / 1deg
let a = atan2(1px, 1px) / 1deg
let n = len(0deg .. 170deg step 10deg)
let x = len(0deg ..< 180deg step 10deg)
let q = mod(-30deg, 360deg) / 1deg
`)
	for name, want := range map[string]float64{"r": 180 / math.Pi, "s": 0.5, "c": 0, "d": 10, "a": 45, "n": 18, "x": 18, "q": 330} {
		got := scalar(t, get(name))
		if name == "s" {
			if math.Abs(got-want) > 1e-15 {
				t.Errorf("%s = %v, want %v", name, got, want)
			}
			continue
		}
		if got != want {
			t.Errorf("%s = %v, want exactly %v", name, got, want)
		}
	}
}

func TestKernelCoordinatesAndCellwiseIf(t *testing.T) {
	get := lets(t, `
let xs = kernel 3x3 (x, y, r, t) => x / 1px
let ys = kernel 3x3 (x, y, r, t) => y / 1px
let rs = kernel 3x3 (x, y, r, t) => r / 1px
let ts = kernel 3x3 (x, y, r, t) => t / 1deg
let sel = kernel 3x3 (x, y) => if x > 0px then 1 else -1
`)
	want := map[string][]float64{
		"xs":  {-1, 0, 1, -1, 0, 1, -1, 0, 1},
		"ys":  {-1, -1, -1, 0, 0, 0, 1, 1, 1},
		"rs":  {math.Sqrt2, 1, math.Sqrt2, 1, 0, 1, math.Sqrt2, 1, math.Sqrt2},
		"ts":  {-135, -90, -45, 180, 0, 0, 135, 90, 45},
		"sel": {-1, -1, 1, -1, -1, 1, -1, -1, 1},
	}
	for name, w := range want {
		n := get(name).(eval.Num)
		if n.K != 3 || len(n.Cells) != 9 {
			t.Fatalf("%s: %s", name, eval.Format(n))
		}
		for i := range w {
			if math.Abs(n.Cells[i]-w[i]) > 1e-12 {
				t.Errorf("%s = %v, want %v", name, n.Cells, w)
				break
			}
		}
	}
}

func TestRuntimeErrors(t *testing.T) {
	fs := afero.NewMemMapFs()
	afero.WriteFile(fs, "t.circ", []byte("library t\n\nfn pick(l, i) = l[i]\nlet bad = pick([1, 2], floor(sqrt(17)))\n"), 0o644)
	prog, ds, _ := check.Check(fs, "t.circ", models.Builtin)
	if len(ds) > 0 {
		t.Fatal(ds)
	}
	ev := eval.New(prog, eval.DefaultLimits)
	_, d := ev.Let(prog.Main, "bad")
	if d == nil || d.Code != "range" || d.Subject.Start.Line != 3 {
		t.Fatalf("got %v (code %s)", d, d.Code)
	}
}

// TestEveryBuiltin: a table of every numeric builtin at values that tell
// plausible mistakes apart (halves for the roundings, negatives for sign
// and mod, ties and lists for the reductions), against Go's math or the
// value spec.md gives.
func TestEveryBuiltin(t *testing.T) {
	cases := []struct {
		expr string
		want float64
	}{
		{"sin(90deg)", 1}, {"cos(180deg)", -1}, {"tan(45deg)", 1},
		{"asin(1) / 1deg", 90}, {"acos(-1) / 1deg", 180}, {"atan(1) / 1deg", 45},
		{"atan2(-1px, -1px) / 1deg", -135},
		{"exp(1)", math.E}, {"log(1)", 0}, {"sqrt(16px * 1px) / 1px", 4},
		{"abs(-3)", 3},
		{"floor(-2.5)", -3}, {"ceil(-2.5)", -2}, {"trunc(-2.5)", -2},
		// spec.md: round takes halves away from zero.
		{"round(2.5)", 3}, {"round(-2.5)", -3}, {"round(0.5)", 1}, {"round(1.5)", 2}, {"round(-0.4)", 0},
		{"sign(-7)", -1}, {"sign(0)", 0}, {"sign(2)", 1},
		{"min([3, -1, 2])", -1}, {"max([3, -1, 2])", 3}, {"min(4, 9)", 4}, {"max(4, 9)", 9},
		{"sum([1, 2, 3.5])", 6.5}, {"mean([1, 2, 6])", 3},
		{"clip(5, 0, 2)", 2}, {"clip(-5, 0, 2)", 0}, {"clip(1, 0, 2)", 1},
		{"mod(-1, 3)", 2}, {"mod(7, -3)", -2}, {"mod(370deg, 360deg) / 1deg", 10},
		{"len([1, 2, 3])", 3}, {"peak(kernel 3x3 (x, y) => x / 1px)", 1},
		{"len(rotations(8))", 8}, {"rotations(8)[3] / 1deg", 135},
		{"pi", math.Pi}, {"tau", 2 * math.Pi},
	}
	src := ""
	for i, c := range cases {
		src += "let v" + string(rune('a'+i/26)) + string(rune('a'+i%26)) + " = " + c.expr + "\n"
	}
	get := lets(t, src)
	for i, c := range cases {
		got := scalar(t, get("v"+string(rune('a'+i/26))+string(rune('a'+i%26))))
		if math.Abs(got-c.want) > 1e-12 {
			t.Errorf("%s = %v, want %v", c.expr, got, c.want)
		}
	}
}
