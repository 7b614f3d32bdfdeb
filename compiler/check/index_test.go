package check

import (
	"strings"
	"testing"

	"github.com/spf13/afero"

	"github.com/circc/circc/models"
)

// TestIndexResolvesNames: on curves.circ, every kind of name use is
// recorded with its declaration, type and doc: a let, a stdlib function
// (declared in std/filters.circ, with its doc comment), a module, a
// layer, a family, a parameter, a builtin; and expressions have types.
func TestIndexResolvesNames(t *testing.T) {
	prog, ds, err := Check(afero.NewOsFs(), "../../circuits/curves.circ", models.Builtin)
	if err != nil || len(ds) > 0 {
		t.Fatal(err, ds)
	}
	src := string(prog.Source(prog.Main.Name))
	ix := prog.Index()
	at := func(needle string, skip int) int {
		i := -1
		for k := 0; k <= skip; k++ {
			j := strings.Index(src[i+1:], needle)
			if j < 0 {
				t.Fatalf("no %q in curves.circ", needle)
			}
			i += 1 + j
		}
		return i
	}
	for _, tc := range []struct {
		needle            string
		skip              int
		kind, typ, declIn string
		doc               bool
	}{
		{"edges, s in", 0, "let", "list of angle", "curves.circ", true},
		{"gabor(7, o", 0, "function", "fn gabor(", "filters.circ", true},
		{"filters.gabor", 0, "module", "module", "curves.circ", true},
		{"conv2d0.gabor(i", 0, "layer", "layer conv2d0 = conv 7x7; families gabor; 72 units", "curves.circ", false},
		{"gabor(i, _)", 0, "family", "family conv2d0.gabor(o: angle, s: length), 72 members", "curves.circ", true},
		{"mean([", 0, "builtin", "mean(a)", "", true},
	} {
		off := at(tc.needle, tc.skip)
		u, ok := ix.UseAt(prog.Main.Name, off+1)
		if !ok {
			t.Errorf("%q: no use recorded", tc.needle)
			continue
		}
		t.Logf("%q: %s %s: %s (declared at %s:%d)", tc.needle, u.Kind, u.Name, u.Type, u.Decl.Start.Filename, u.Decl.Start.Line)
		if u.Kind != tc.kind || !strings.HasPrefix(u.Type, tc.typ) || tc.declIn != "" && !strings.HasSuffix(u.Decl.Start.Filename, tc.declIn) || (u.Doc != "") != tc.doc {
			t.Errorf("%q: %+v", tc.needle, u)
		}
	}
	if et, ok := ix.TypeAt(prog.Main.Name, at("7px / 8", 0)+1); !ok || et.Type != "length" {
		t.Errorf("the type of 7px / 8: %+v", et)
	}
}
