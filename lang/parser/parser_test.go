package parser

import (
	"strings"
	"testing"

	"github.com/circc/circc/internal/corpus"
)

func TestPositionsAndDocs(t *testing.T) {
	src := "circuit c\n\n/// Doc one.\n/// Doc two.\nlet edges = 0deg ..< 180deg step 10deg // trailing\nfn f(a: angle) = a * 2\n"
	f, ds := ParseFile("c.circ", []byte(src))
	if len(ds) != 0 {
		t.Fatal(ds)
	}
	if len(f.Decls) != 2 || len(f.Comments) != 3 {
		t.Fatalf("decls %d comments %d", len(f.Decls), len(f.Comments))
	}
	let := f.Decls[0].Let
	if let.Pos.Line != 5 || let.Pos.Column != 1 || let.Name.Pos.Column != 5 {
		t.Errorf("let at %v, name at %v", let.Pos, let.Name.Pos)
	}
	if len(let.Doc) != 2 || let.Doc[0].Text != "/// Doc one." {
		t.Errorf("doc = %v", let.Doc)
	}
	r := let.Value.Or.Left.Left.Left
	if r.Op != "..<" || r.Step == nil || r.To.Pos.Column != 22 {
		t.Errorf("range parsed as %+v", r)
	}
	// EndPos of the last node of a declaration is just past its last token.
	if e := f.Decls[1].EndPos; e.Line != 6 || e.Column != 23 {
		t.Errorf("fn ends at %v", e)
	}
	if fp := f.Decls[1].Fn.Params[0]; fp.Type == nil || fp.Type.Name != "angle" {
		t.Errorf("param %+v", fp)
	}
}

func TestRecoveryReportsEveryDeclaration(t *testing.T) {
	src := "circuit c\nlet a = (1\nlet b = 2\nlet = 3\nlayer l = conv 3x3, relu\nlet c = 1 +\n"
	f, ds := ParseFile("c.circ", []byte(src))
	if len(ds) != 3 {
		t.Fatalf("want 3 syntax errors, got %d: %v", len(ds), ds)
	}
	lines := []int{ds[0].Subject.Start.Line, ds[1].Subject.Start.Line, ds[2].Subject.Start.Line}
	if lines[0] != 2 || lines[1] != 4 || lines[2] != 6 {
		t.Errorf("error lines %v", lines)
	}
	if len(f.Decls) != 2 || f.Decls[0].Let.Name.Name != "b" || f.Decls[1].Layer == nil {
		t.Errorf("the good declarations must survive: %d", len(f.Decls))
	}
}

func TestHeaderRequired(t *testing.T) {
	for _, src := range []string{"", "let a = 1\n", "   \n// only a comment\n"} {
		_, ds := ParseFile("h.circ", []byte(src))
		if len(ds) == 0 || !strings.Contains(ds[0].Summary, "circuit NAME") {
			t.Errorf("%q: %v", src, ds)
		}
	}
}

func TestNumbersAndSizes(t *testing.T) {
	for src, want := range map[string]string{
		"10deg": "Number:10deg", "1.5e-3": "Number:1.5e-3", "7x7": "Size:7x7", ".5rad": "Number:.5rad",
	} {
		toks, err := lexAll("n", []byte(src))
		if err != nil || len(toks) != 1 {
			t.Fatalf("%s: %v %v", src, toks, err)
		}
		var name string
		for n, ty := range symbols {
			if ty == toks[0].Type {
				name = n
			}
		}
		if got := name + ":" + toks[0].Value; got != want {
			t.Errorf("%s lexed as %s", src, got)
		}
	}
}

// FuzzParse: the parser never panics nor reports an internal error, and
// every diagnostic points inside the input.
func FuzzParse(f *testing.F) {
	for _, src := range corpus.CircSources("../..") {
		f.Add(src)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		_, ds := ParseFile("fuzz.circ", src)
		lines := strings.Count(string(src), "\n") + 1
		for _, d := range ds {
			if d.Code == "internal" {
				t.Fatalf("internal error: %s", d.Summary)
			}
			if l := d.Subject.Start.Line; l < 1 || l > lines {
				t.Fatalf("diagnostic on line %d of %d: %s", l, lines, d.Summary)
			}
		}
	})
}
