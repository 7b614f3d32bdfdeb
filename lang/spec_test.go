package lang

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/afero"

	"github.com/circc/circc/compiler"
	"github.com/circc/circc/compiler/check"
	"github.com/circc/circc/internal/golden"
	"github.com/circc/circc/lang/ast"
	"github.com/circc/circc/lang/format"
	"github.com/circc/circc/lang/parser"
	"github.com/circc/circc/models"
	"github.com/circc/circc/stdlib"
)

const specPath = "../spec.md"

var grammarSection = regexp.MustCompile("(?s)(<!-- grammar:begin -->\n```ebnf\n).*?(```\n<!-- grammar:end -->)")

// TestSpecGrammarIsCurrent: the grammar in spec.md is the parser's.
func TestSpecGrammarIsCurrent(t *testing.T) {
	syncSection(t, "grammar", grammarSection, parser.Grammar()+"\n")
}

// syncSection checks that the generated section of spec.md that section
// matches (an opening group, the text, a closing group) holds text, or
// rewrites it under CIRCC_UPDATE=1.
func syncSection(t *testing.T, what string, section *regexp.Regexp, text string) {
	t.Helper()
	spec, err := os.ReadFile(specPath)
	if err != nil {
		t.Fatal(err)
	}
	if !section.Match(spec) {
		t.Fatalf("spec.md has no %s section", what)
	}
	fresh := section.ReplaceAll(spec, []byte("${1}"+strings.ReplaceAll(text, "$", "$$")+"${2}"))
	if golden.Update() {
		if err := os.WriteFile(specPath, fresh, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(fresh, spec) {
		t.Errorf("spec.md's %s section is stale; run CIRCC_UPDATE=1 go test ./lang", what)
	}
}

var circBlock = regexp.MustCompile("(?s)```circ\n(.*?)```")

// TestSpecExamplesCheck: every circ example in spec.md checks cleanly, is
// already in canonical layout, and (for circuits) compiles to ONNX.
func TestSpecExamplesCheck(t *testing.T) {
	spec, err := os.ReadFile(specPath)
	if err != nil {
		t.Fatal(err)
	}
	blocks := circBlock.FindAllSubmatch(spec, -1)
	if len(blocks) < 5 {
		t.Fatalf("found %d circ examples in spec.md", len(blocks))
	}
	for i, b := range blocks {
		src := b[1]
		fs := afero.NewMemMapFs()
		afero.WriteFile(fs, "example.circ", src, 0o644)
		prog, ds, err := check.Check(fs, "example.circ", models.Builtin)
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) > 0 {
			var out bytes.Buffer
			ds.WriteText(&out, prog.Source)
			t.Errorf("example %d does not check:\n%s\n%s", i+1, src, out.String())
			continue
		}
		if out, _ := format.Source("example.circ", src); !bytes.Equal(out, src) {
			t.Errorf("example %d is not formatted:\n%s", i+1, out)
		}
		if prog.Circuit() == nil {
			continue // a library
		}
		r, err := compiler.Compile(fs, "example.circ", compiler.Options{})
		if err != nil || r.Stopped != "emit" || len(r.Diags) > 0 {
			var out bytes.Buffer
			r.Diags.WriteText(&out, r.Program.Source)
			t.Errorf("example %d does not build (stopped after %s):\n%s", i+1, r.Stopped, out.String())
		}
	}
}

var stdlibSection = regexp.MustCompile("(?s)(<!-- stdlib:begin -->\n).*?(<!-- stdlib:end -->)")

// stdlibReference writes every standard module's functions and constants
// with their signatures and doc comments, as spec.md lists them.
func stdlibReference(t *testing.T) string {
	var b strings.Builder
	docText := func(cs []*ast.Comment) string {
		var lines []string
		for _, c := range cs {
			lines = append(lines, strings.TrimSpace(strings.TrimPrefix(c.Text, "///")))
		}
		return strings.Join(strings.Fields(strings.Join(lines, " ")), " ")
	}
	for _, name := range stdlib.Modules() {
		src, _ := stdlib.Source(name)
		f, ds := parser.ParseFile(name+".circ", src)
		if len(ds) > 0 {
			t.Fatal(ds)
		}
		fmt.Fprintf(&b, "**`%s`** — %s\n\n", name, docText(f.Header.Doc))
		for _, d := range f.Decls {
			switch {
			case d.Fn != nil:
				fmt.Fprintf(&b, "- `%s.%s` — %s\n", name, d.Fn.Signature(), docText(d.Fn.Doc))
			case d.Let != nil:
				fmt.Fprintf(&b, "- `%s.%s` — %s\n", name, d.Let.Name.Name, docText(d.Let.Doc))
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

// TestSpecStdlibIsCurrent: spec.md lists the standard library as its
// sources declare it, every function and constant with a doc comment.
func TestSpecStdlibIsCurrent(t *testing.T) {
	ref := stdlibReference(t)
	if strings.Contains(ref, " — \n") {
		t.Errorf("a standard-library declaration has no doc comment:\n%s", ref)
	}
	syncSection(t, "standard-library", stdlibSection, "\n"+ref)
}
