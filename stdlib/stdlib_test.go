package stdlib_test

import (
	"fmt"
	"testing"

	"github.com/spf13/afero"

	"github.com/circc/circc/compiler/check"
	"github.com/circc/circc/models"
	"github.com/circc/circc/stdlib"
)

// TestModulesCheck: every module is a documented library that checks
// cleanly when imported.
func TestModulesCheck(t *testing.T) {
	mods := stdlib.Modules()
	if len(mods) < 2 {
		t.Fatalf("modules: %v", mods)
	}
	for _, m := range mods {
		fs := afero.NewMemMapFs()
		afero.WriteFile(fs, "use.circ", []byte(fmt.Sprintf("library use\n\nimport %s\n", m)), 0o644)
		_, ds, err := check.Check(fs, "use.circ", models.Builtin)
		if err != nil || len(ds) > 0 {
			t.Errorf("%s: %v %v", m, err, ds)
		}
		src, _ := stdlib.Source(m)
		if len(src) < 3 || string(src[:3]) != "///" {
			t.Errorf("%s: a module starts with its doc comment", m)
		}
	}
}
