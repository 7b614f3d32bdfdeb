package compiler_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/spf13/afero"

	"github.com/circc/circc/compiler"
	"github.com/circc/circc/diag"
	"github.com/circc/circc/lang/format"
	"github.com/circc/circc/lang/parser"
)

// hostile is a source that must give one positioned diagnostic: the code,
// a message matching want, on line 'line' of main.circ, from check or from
// a later stage, and never a panic or an allocation past the limits.
type hostile struct {
	name    string
	src     string
	defines map[string]string
	code    diag.Code
	want    string
	line    int
}

const net8 = "circuit x\ninput image(c in [\"r\"]) size 8x8\nlayer a = conv 3x3, relu\n"

func nested(open, inner, close string, n int) string {
	return "circuit x\nlet x = " + strings.Repeat(open, n) + inner + strings.Repeat(close, n) + "\n"
}

// TestHostileNesting: every construct that nests, 100,000 deep, is one
// positioned diagnostic; at the limit it still compiles.
func TestHostileNesting(t *testing.T) {
	// The example is 100,000 parentheses; the other constructs go
	// 10,000 deep, fifty times the limit.
	const n = 10000
	cases := []hostile{
		{name: "parens", src: nested("(", "1", ")", 100000)},
		{name: "lists", src: nested("[", "1", "]", n)},
		{name: "blocks", src: nested("{ let a = ", "1", " a }", n)},
		{name: "calls", src: "circuit x\nfn f(v) = v\nlet x = " + strings.Repeat("f(", n) + "1" + strings.Repeat(")", n) + "\n"},
		{name: "minus", src: nested("-", "1", "", n)},
		{name: "plus", src: nested("+", "1", "", n)},
		{name: "not", src: nested("not ", "true", "", n)},
		{name: "if", src: nested("if true then ", "1", " else 2", n)},
		{name: "else-if", src: nested("if true then 1 else ", "2", "", n)},
		{name: "power", src: nested("2 ^ ", "1", "", n)},
		{name: "kernels", src: nested("kernel 3x3 (x, y) => ", "1", "", n)},
		{name: "comprehensions", src: nested("[1 for i in ", "[1]", "]", n)},
		{name: "index", src: nested("[", "[1]", "][0]", n)},
		{name: "table", src: nested("table { 0: ", "1", " }", n)},
		{name: "in a family", src: net8 + "family f(o in [1]) at a {\n  from image(_) weight " + strings.Repeat("(", n) + "1" + strings.Repeat(")", n) + "\n}\n"},
	}
	for _, tc := range cases {
		tc.code, tc.want = "nesting", "nested deeper than 200 levels"
		switch tc.name {
		case "calls":
			tc.line = 3
		case "in a family":
			tc.line = 5
		default:
			tc.line = 2
		}
		runHostile(t, tc)
	}
	// At the limit a parenthesised expression is fine.
	src := nested("(", "1", ")", parser.MaxNesting-1)
	r := compileHostile(t, src, nil)
	if r.Diags.HasErrors() {
		t.Errorf("%d levels: %v", parser.MaxNesting-1, r.Diags)
	}
}

// TestHostileNumbers: numbers that do not fit an int, a float64 or a unit's
// exponent are reported where they are written.
func TestHostileNumbers(t *testing.T) {
	for _, tc := range []hostile{
		{name: "huge index", src: "circuit x\nlet z = [1][1e19]\n", code: "range", want: "index 1e\\+19 is not a whole number from 0 to 0", line: 2},
		{name: "negative index", src: "circuit x\nlet z = [1, 2][-1]\n", code: "range", want: "index -1", line: 2},
		{name: "computed huge index", src: "circuit x\nfn pick(i) = [1][i]\nlet z = pick(1e19)\n", code: "range", want: "index 1e\\+19 is (out of range|not a whole number)", line: 2},
		{name: "NaN index", src: "circuit x\nfn pick(i) = [1][i]\nlet z = pick(sqrt(-1))\n", code: "range", want: "index NaN is out of range", line: 2},
		{name: "huge stride", src: net8 + "layer b = conv 3x3 stride 99999999999999999999, relu\n", code: "layer", want: "stride must be a whole number from 1 to 4096", line: 4},
		{name: "huge pad", src: net8 + "layer b = conv 3x3 pad 1e30, relu\n", code: "layer", want: "pad must be same, valid or a whole number of pixels from 0 to 63", line: 4},
		{name: "huge size", src: "circuit x\ninput image(c in [\"r\"]) size 99999999999999999999x4\n", code: "limit", want: "larger than any circuit may use", line: 2},
		{name: "power of a length", src: "circuit x\nlet p = 1px ^ 1e300\n", code: "unit", want: "whole power from -16 to 16", line: 2},
		{name: "power overflows", src: "circuit x\nlet p = 10 ^ 400\n", code: "arith", want: "not a finite number", line: 2},
		{name: "product overflows", src: "circuit x\nlet p = 1e308 * 10\n", code: "arith", want: "not a finite number", line: 2},
		{name: "literal too large", src: "circuit x\nlet q = 1e309\n", code: "number", want: "1e309 is too large for a number", line: 2},
		{name: "literal too large with a unit", src: "circuit x\nlet q = 1e309deg\n", code: "number", want: "too large", line: 2},
		{name: "radians overflow", src: "circuit x\nlet q = 1e307rad\n", code: "number", want: "too large", line: 2},
		{name: "kernel size", src: "circuit x\nlet k = kernel 1e30 (x, y) => 1\n", code: "limit", want: "larger than the limit of 63x63", line: 2},
		{name: "computed kernel size", src: "circuit x\nfn k(n) = kernel n (x, y) => 1\nlet a = k(1e30)\n", code: "limit", want: "larger than the limit of 63x63", line: 2},
		{name: "rotations", src: "circuit x\nlet r = rotations(1e30)\n", want: "the count must be a whole number from 1 to", line: 2},
		{name: "long range", src: "circuit x\nlet r = 0 .. 1e30\n", code: "limit", want: "more than the limit", line: 2},
	} {
		runHostile(t, tc)
	}
	// An underflow is the number meant: zero.
	if r := compileHostile(t, "circuit x\nlet u = 1e-400\n", nil); r.Diags.HasErrors() {
		t.Errorf("1e-400: %v", r.Diags)
	}
}

// TestHostileSizes: sizes past the documented limits are reported before
// anything of that size is allocated.
func TestHostileSizes(t *testing.T) {
	units := func(n int) string {
		return fmt.Sprintf("family f(o in 1 .. %d) at a { from image(_) weight kernel 3x3 (x, y) => 1 }\n", n)
	}
	for _, tc := range []hostile{
		{name: "input side", src: "circuit x\ninput image(c in [\"r\"]) size 100000x100000\n", code: "limit", want: "at most 4096x4096", line: 2},
		{name: "input side just past", src: "circuit x\ninput image(c in [\"r\"]) size 4097x1\n", code: "limit", want: "at most 4096x4096", line: 2},
		{name: "empty input side", src: "circuit x\ninput image(c in [\"r\"]) size 0x8\n", code: "limit", want: "from 1 to 4096 pixels", line: 2},
		{name: "input channels", src: "circuit x\ninput image(c in 1 .. 5000) size 8x8\n", code: "limit", want: "5000 channels, more than the limit of 4096", line: 2},
		{name: "layer kernel", src: "circuit x\ninput image(c in [\"r\"]) size 8x8\nlayer a = conv 101x101, relu\n", code: "limit", want: "at most 63x63", line: 3},
		{name: "kernel literal", src: "circuit x\nlet k = kernel 101x101 (x, y) => 1\n", code: "limit", want: "at most 63x63", line: 2},
		{name: "units", src: net8 + units(5000), code: "limit", want: "more than 4096 units", line: 4},
		{name: "weights", src: "circuit x\ninput image(c in 1 .. 4096) size 8x8\nlayer a = conv 63x63 pad same, relu\n" +
			"family f(o in 1 .. 100) at a { from image(_) weight kernel 63x63 (x, y) => 1 }\n", code: "limit", want: "more than 67108864 weights", line: 4},
		{name: "activations", src: "circuit x\ninput image(c in [\"r\"]) size 4096x4096\nlayer a = conv 1x1, relu\n" +
			"family f(o in 1 .. 64) at a { from image(_) weight 1 }\n", code: "limit", want: "pass 268435456 values", line: 3},
	} {
		runHostile(t, tc)
	}
}

// TestSilentWrongAnswers: values that would be written wrongly (as Inf or
// NaN, or under a second name) are errors.
func TestSilentWrongAnswers(t *testing.T) {
	fam := func(domain, body string) string {
		return net8 + "family f(o in " + domain + ") at a {\n" + body + "}\n"
	}
	k := "  from image(_) weight kernel 3x3 (x, y) => "
	for _, tc := range []hostile{
		{name: "weight past float32", src: fam("[1]", k+"1e39\n"), code: "arith", want: "not a finite float32", line: 5},
		{name: "sum past float32", src: fam("[1]", k+"1e38\n"+k+"1e38\n"+k+"1e38\n"+k+"1e38\n"), code: "arith", want: "is 4e\\+38: not a finite float32", line: 8},
		{name: "define past float32", src: "circuit x\nlet scale = 1\n" + net8[10:] + "family f(o in [1]) at a {\n" + k + "scale\n}\n",
			defines: map[string]string{"scale": "1e39"}, code: "arith", want: "not a finite float32", line: 6},
		{name: "bias past float32", src: fam("[1]", k+"1\n  bias 1e39\n"), code: "arith", want: "the bias is 1e\\+39: not a finite float32", line: 6},
		{name: "NaN bias", src: fam("[1]", k+"1\n  bias sqrt(-1)\n"), code: "arith", want: "the bias is NaN", line: 6},
		{name: "NaN weight", src: fam("[1]", k+"sqrt(-1)\n"), code: "arith", want: "not a finite float32", line: 5},
		{name: "NaN parameter", src: fam("[sqrt(-1), 1]", k+"1\n"), code: "arith", want: "takes the value NaN, which is not a finite number", line: 4},
		{name: "infinite parameter", src: fam("[1e300 * 1e300 / 1e300 * 1e300, 1]", k+"1\n"), code: "arith", want: "not a finite number", line: 4},
		{name: "NaN range bound", src: "circuit x\nlet r = 0 .. sqrt(-1) step 1\n", code: "range", want: "bounds of a range must be finite", line: 2},
		{name: "NaN step", src: "circuit x\nlet r = 0 .. 1 step sqrt(-1)\n", code: "range", want: "positive finite number", line: 2},
		{name: "same member twice", src: fam("[1, 1]", k+"1\n"), code: "duplicate", want: "takes the value 1 twice", line: 4},
		{name: "members that print alike", src: fam("[0.1 + 0.2, 0.3]", k+"1\n"), code: "duplicate", want: "takes the value 0.3 twice", line: 4},
		{name: "same input channel twice", src: "circuit x\ninput image(c in [\"r\", \"r\"]) size 8x8\n", code: "duplicate", want: "two channels named r", line: 2},
	} {
		runHostile(t, tc)
	}
}

// TestHostileImports: imports stay inside the circuit's directory through
// links, and only regular files are read.
func TestHostileImports(t *testing.T) {
	dir := t.TempDir()
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	outside := t.TempDir()
	must(os.WriteFile(filepath.Join(outside, "lib.circ"), []byte("library lib\nlet secret = 1\n"), 0o644))
	must(os.Symlink("/etc/passwd", filepath.Join(dir, "passwd.circ")))
	must(os.Symlink(filepath.Join(outside, "lib.circ"), filepath.Join(dir, "lib.circ")))
	must(os.Symlink(outside, filepath.Join(dir, "sub")))
	must(os.Symlink("/dev/zero", filepath.Join(dir, "zero.circ")))
	must(syscall.Mkfifo(filepath.Join(dir, "fifo.circ"), 0o644))
	must(os.WriteFile(filepath.Join(dir, "ok.circ"), []byte("library ok\nlet one = 1\n"), 0o644))
	for _, tc := range []struct{ path, want string }{
		{"passwd.circ", "leaves the circuit's directory through a symbolic link"},
		{"lib.circ", "leaves the circuit's directory through a symbolic link"},
		{"sub/lib.circ", "leaves the circuit's directory through a symbolic link"},
		{"zero.circ", "leaves the circuit's directory through a symbolic link"},
		{"fifo.circ", "not a regular file \\(a named pipe\\)"},
		{"ok.circ", ""},
	} {
		main := filepath.Join(dir, "main.circ")
		must(os.WriteFile(main, []byte("library x\nimport \""+tc.path+"\"\n"), 0o644))
		r, err := compiler.Compile(afero.NewOsFs(), main, compiler.Options{StopAfter: "check"})
		if err != nil {
			t.Fatal(err)
		}
		text := r.Diags.Error()
		switch {
		case tc.want == "" && len(r.Diags) > 0:
			t.Errorf("%s: %v", tc.path, text)
		case tc.want != "" && (len(r.Diags) != 1 || !regexp.MustCompile(tc.want).MatchString(text) || r.Diags[0].Subject.Start.Line != 2):
			t.Errorf("%s: %v, want %q on line 2", tc.path, text, tc.want)
		case strings.Contains(text, "root:") || strings.Contains(text, "secret"):
			t.Errorf("%s: the diagnostic shows the linked file: %s", tc.path, text)
		}
	}
}

func compileHostile(t *testing.T, src string, defines map[string]string) *compiler.Result {
	t.Helper()
	if !strings.Contains(src, "\ninput ") {
		src += "input image(c in [\"r\"]) size 8x8\n" // a circuit needs one; after the lines the cases point at
	}
	fs := afero.NewMemMapFs()
	afero.WriteFile(fs, "main.circ", []byte(src), 0o644)
	r, err := compiler.Compile(fs, "main.circ", compiler.Options{StopAfter: "lower", Defines: defines})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func runHostile(t *testing.T, tc hostile) {
	t.Helper()
	t.Run(tc.name, func(t *testing.T) {
		r := compileHostile(t, tc.src, tc.defines)
		want := regexp.MustCompile(tc.want)
		var found bool
		for _, d := range r.Diags {
			if d.Subject.Start.Line < 1 || d.Subject.Start.Filename != "main.circ" {
				t.Errorf("a diagnostic without a position: %v", d)
			}
			if (d.Code == tc.code || tc.code == "") && want.MatchString(d.Summary) && d.Subject.Start.Line == tc.line {
				found = true
			}
		}
		if !found {
			t.Errorf("want [%s] %q on line %d, got:\n%v", tc.code, tc.want, tc.line, r.Diags)
		}
		// The formatter meets the same source without crashing.
		format.Source("main.circ", []byte(tc.src))
	})
}
