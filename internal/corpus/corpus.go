package corpus

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/rogpeppe/go-internal/txtar"
)

// CircSources returns the circ sources found under the repository root.
func CircSources(root string) [][]byte {
	var paths []string
	for _, pat := range []string{"circuits/*.circ", "stdlib/*.circ"} {
		m, _ := filepath.Glob(filepath.Join(root, pat))
		paths = append(paths, m...)
	}
	var archives []string
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".txtar") && strings.Contains(p, string(filepath.Separator)+"testdata"+string(filepath.Separator)) {
			archives = append(archives, p)
		}
		return nil
	})
	sort.Strings(paths)
	sort.Strings(archives)
	var out [][]byte
	for _, p := range paths {
		if b, err := os.ReadFile(p); err == nil {
			out = append(out, b)
		}
	}
	for _, p := range archives {
		ar, err := txtar.ParseFile(p)
		if err != nil {
			continue
		}
		for _, f := range ar.Files {
			if strings.HasSuffix(f.Name, ".circ") {
				out = append(out, f.Data)
			}
		}
	}
	return out
}
