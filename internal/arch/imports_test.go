package arch

import (
	"go/build"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// forbidden lists, per package prefix, the packages it must never import:
// the arrows of docs/architecture.md point down only.
var forbidden = map[string][]string{
	"diag":            {"lang", "compiler", "onnx", "runtime", "reference", "verify", "models", "datasets", "stimuli", "cmd"},
	"onnx":            {"compiler", "lang", "runtime", "reference", "verify", "models", "datasets", "stimuli", "cmd", "diag"},
	"models":          {"compiler", "lang", "onnx", "runtime", "reference", "verify", "cmd"},
	"lang":            {"compiler", "onnx", "runtime", "reference", "verify", "cmd"},
	"compiler":        {"runtime", "reference", "verify", "datasets", "cmd"},
	"runtime":         {"compiler", "lang", "reference", "verify", "cmd"},
	"reference":       {"verify", "cmd", "lang"},
	"verify":          {"cmd", "lang"},
	"weights":         {"verify", "vis", "cmd", "lang"},
	"vis":             {"verify", "weights", "reference", "compiler/check", "compiler/eval", "lang", "cmd"},
	"lsp":             {"verify", "weights", "vis", "reference", "runtime", "onnx", "cmd"},
	"onnx/grad":       {"compiler", "lang", "runtime", "reference", "verify", "weights", "vis", "models", "cmd"},
	"stimuli":         {"compiler", "lang", "onnx", "runtime", "reference", "verify", "cmd"},
	"datasets":        {"compiler", "lang", "onnx", "runtime", "reference", "verify", "cmd"},
	"internal/safefs": {"compiler", "lang", "onnx", "runtime", "reference", "verify", "models", "datasets", "cmd", "diag"},
}

// TestImportsRunDown: no package imports one on a floor above it (tests
// may, to use the real parts as oracles).
func TestImportsRunDown(t *testing.T) {
	const module = "github.com/circc/circc/"
	root, _ := filepath.Abs("../..")
	checked := 0
	filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || !d.IsDir() || strings.HasPrefix(d.Name(), ".") {
			return nil
		}
		pkg, err := build.ImportDir(path, 0)
		if err != nil {
			return nil // no Go files
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		for prefix, bad := range forbidden {
			if rel != prefix && !strings.HasPrefix(rel, prefix+"/") {
				continue
			}
			checked++
			for _, imp := range pkg.Imports {
				dep, ok := strings.CutPrefix(imp, module)
				if !ok {
					continue
				}
				for _, b := range bad {
					if dep == b || strings.HasPrefix(dep, b+"/") {
						t.Errorf("%s imports %s: the arrow points up", rel, dep)
					}
				}
			}
		}
		return nil
	})
	if checked < 15 {
		t.Errorf("only %d packages checked", checked)
	}
}
