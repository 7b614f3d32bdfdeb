package compiler_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/afero"

	"github.com/circc/circc/compiler"
	"github.com/circc/circc/compiler/eval"
	"github.com/circc/circc/internal/corpus"
	"github.com/circc/circc/lang/parser"
)

// fuzzLimits keep one fuzzed compile small: the fuzzer looks for crashes
// and hangs, not for big networks.
var fuzzLimits = eval.Limits{MaxKernel: 15, MaxUnitsPerFamily: 64, MaxCallDepth: 64, MaxListLen: 4096, MaxWeights: 1 << 16, MaxWork: 1 << 16}

// FuzzCompile: compiling any text through every stage but emission (check,
// evaluation, expansion with its parallel member evaluation, lowering)
// never panics, never reports an internal error, and positions every
// diagnostic in a loaded file.
func FuzzCompile(f *testing.F) {
	for _, src := range corpus.CircSources("..") {
		f.Add(src)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		fs := afero.NewMemMapFs()
		if err := afero.WriteFile(fs, "fuzz.circ", src, 0o644); err != nil {
			t.Fatal(err)
		}
		r, err := compiler.Compile(fs, "fuzz.circ", compiler.Options{StopAfter: "lower", Limits: fuzzLimits})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range r.Diags {
			if d.Code == "internal" {
				t.Fatalf("internal error: %s", d.Summary)
			}
			if d.Subject.Start.Line < 1 || r.Program.Source(d.Subject.Start.Filename) == nil {
				t.Fatalf("diagnostic without a source position: %s", d.Error())
			}
		}
	})
}

// numberSlots are the places FuzzNumbersAndNesting puts its number: each
// converts it to an int, a float32 or a unit's exponent somewhere.
var numberSlots = []string{
	"let z = [1, 2][%s]",
	"layer b = conv 3x3 stride %s, relu",
	"layer b = conv 3x3 pad %s, relu",
	"let p = 1px ^ %s",
	"let k = kernel %s (x, y) => 1",
	"let r = rotations(%s)",
	"let s = 0 .. %s",
	"family g(o in [%s, 1]) at a { from image(_) weight kernel 3x3 (x, y) => o }",
	"family g(o in [1]) at a { from image(_) weight kernel 3x3 (x, y) => %s }",
	"family g(o in [1]) at a { from image(_) weight 1 bias %s }",
}

// nestings are the constructs that nest, as an opening and a closing.
var nestings = [][2]string{{"(", ")"}, {"[", "]"}, {"{ let v = ", " v }"}, {"-", ""}, {"not ", ""},
	{"if true then ", " else 0"}, {"2 ^ ", ""}, {"kernel 3x3 (x, y) => ", ""}, {"[1 for i in ", "]"}, {"abs(", ")"}}

var plainNumber = regexp.MustCompile(`^[0-9eE.+-]*$`)

// FuzzNumbersAndNesting: a number in any of the places that convert it,
// inside any nesting construct at any depth, compiles without a panic or
// an internal error; every diagnostic has a position; and nesting past
// the limit is reported as such.
func FuzzNumbersAndNesting(f *testing.F) {
	for _, n := range []string{"1", "1e19", "-1", "0.5", "99999999999999999999", "1e300", "1e309", "1e-400", "sqrt(-1)", "1e39", "1e38 * 10", "4096", "64"} {
		for slot := range numberSlots {
			for _, depth := range []uint16{0, parser.MaxNesting - 2, parser.MaxNesting + 1} {
				f.Add(uint8(slot), n, uint8(slot), depth)
			}
		}
	}
	for c := range nestings {
		f.Add(uint8(c), "1e19", uint8(c), uint16(60000))
	}
	f.Fuzz(func(t *testing.T, slot uint8, num string, construct uint8, depth uint16) {
		c := nestings[int(construct)%len(nestings)]
		nested := strings.Repeat(c[0], int(depth)) + num + strings.Repeat(c[1], int(depth))
		src := "circuit x\ninput image(c in [\"r\"]) size 8x8\nlayer a = conv 3x3, relu\n" +
			"family f(o in [1]) at a { from image(_) weight 1 }\n" +
			fmt.Sprintf(numberSlots[int(slot)%len(numberSlots)], nested) + "\n"
		fs := afero.NewMemMapFs()
		afero.WriteFile(fs, "fuzz.circ", []byte(src), 0o644)
		r, err := compiler.Compile(fs, "fuzz.circ", compiler.Options{StopAfter: "lower", Limits: fuzzLimits})
		if err != nil {
			t.Fatal(err)
		}
		nesting := false
		for _, d := range r.Diags {
			if d.Code == "internal" {
				t.Fatalf("internal error: %s", d.Summary)
			}
			if d.Subject.Start.Line < 1 || r.Program.Source(d.Subject.Start.Filename) == nil {
				t.Fatalf("diagnostic without a source position: %s", d.Error())
			}
			nesting = nesting || d.Code == "nesting"
		}
		if int(depth) > parser.MaxNesting+1 && plainNumber.MatchString(num) && !nesting {
			t.Fatalf("%d levels of %q are not reported as too deep: %v", depth, c[0], r.Diags)
		}
	})
}
