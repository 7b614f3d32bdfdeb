package arch

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// stateless lists libraries that keep no package-level variables: what a
// run remembers belongs to the run (safefs.Session), not to the process.
var stateless = []string{"internal/safefs"}

func TestNoPackageState(t *testing.T) {
	for _, dir := range stateless {
		entries, err := os.ReadDir(filepath.Join("../..", dir))
		if err != nil {
			t.Fatal(err)
		}
		files := 0
		for _, e := range entries {
			if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
				continue
			}
			files++
			f, err := parser.ParseFile(token.NewFileSet(), filepath.Join("../..", dir, e.Name()), nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range f.Decls {
				if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.VAR {
					t.Errorf("%s/%s: package-level var %s", dir, e.Name(), g.Specs[0].(*ast.ValueSpec).Names[0].Name)
				}
			}
		}
		if files == 0 {
			t.Errorf("%s: no Go files", dir)
		}
	}
}
