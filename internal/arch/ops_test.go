package arch

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestOneOpTable: an ONNX operator's name is written in onnx/ops.go only;
// every other file names it through the onnx.Op… constants, so that adding
// an operator touches one table.
func TestOneOpTable(t *testing.T) {
	root, _ := filepath.Abs("../..")
	table := filepath.Join(root, "onnx", "ops.go")
	f, err := parser.ParseFile(token.NewFileSet(), table, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			vs := s.(*ast.ValueSpec)
			if len(vs.Values) == 1 && strings.HasPrefix(vs.Names[0].Name, "Op") {
				if lit, ok := vs.Values[0].(*ast.BasicLit); ok {
					v, _ := strconv.Unquote(lit.Value)
					names[v] = true
				}
			}
		}
	}
	if len(names) < 30 {
		t.Fatalf("only %d operator names in %s", len(names), table)
	}
	files := 0
	filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "onnxpb" || d.Name() == "testdata") {
			if d != nil && d.IsDir() && path != root {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || path == table {
			return nil
		}
		files++
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			t.Error(err)
			return nil
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if v, _ := strconv.Unquote(lit.Value); names[v] {
					rel, _ := filepath.Rel(root, path)
					t.Errorf("%s:%d: the operator %q is named outside onnx/ops.go", rel, fset.Position(lit.Pos()).Line, v)
				}
			}
			return true
		})
		return nil
	})
	if files < 100 {
		t.Errorf("only %d files read", files)
	}
}
