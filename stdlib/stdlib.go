package stdlib

import (
	"embed"
	"io/fs"
	"sort"
	"strings"
)

//go:embed *.circ
var files embed.FS

// FS holds the standard library modules, one NAME.circ file each.
var FS fs.FS = files

// Source returns the text of module name and whether it exists.
func Source(name string) ([]byte, bool) {
	b, err := files.ReadFile(name + ".circ")
	return b, err == nil
}

// Modules lists the module names in sorted order.
func Modules() []string {
	entries, _ := fs.ReadDir(files, ".")
	var out []string
	for _, e := range entries {
		out = append(out, strings.TrimSuffix(e.Name(), ".circ"))
	}
	sort.Strings(out)
	return out
}
