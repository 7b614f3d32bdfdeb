package check

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/afero"

	"github.com/circc/circc/diag"
	"github.com/circc/circc/internal/safefs"
	"github.com/circc/circc/lang/ast"
	"github.com/circc/circc/lang/parser"
	"github.com/circc/circc/stdlib"
)

// StdPrefix is how standard-library files are named in diagnostics.
const StdPrefix = "std/"

// SourceFile is one loaded file.
type SourceFile struct {
	Name string // as shown in diagnostics: the path given, or std/NAME.circ
	AST  *ast.File
	mod  *module
}

// Program is a checked circuit with everything it imports.
type Program struct {
	Main *SourceFile
	// Files are all loaded files, imports before their importers.
	Files   []*SourceFile
	src     map[string][]byte
	imports map[*ast.Import]*SourceFile
	natural map[string]*layerSym // reference-model layers units are placed on
	index   *Index
}

// Source returns a loaded file's text, for rendering diagnostics.
func (p *Program) Source(name string) []byte { return p.src[name] }

// AddSource records a text that is not a file but that diagnostics point
// into, such as a -D value, so that they can show it.
func (p *Program) AddSource(name string, src []byte) { p.src[name] = src }

type loader struct {
	fs    afero.Fs
	root  string
	prog  *Program
	state map[string]int // 1 loading, 2 loaded
	files map[string]*SourceFile
	stack []string
	diags diag.List
}

// load parses the file at name and, depth first, everything it imports.
func (l *loader) load(name string, src []byte) *SourceFile {
	l.state[name] = 1
	l.stack = append(l.stack, name)
	defer func() { l.stack = l.stack[:len(l.stack)-1] }()
	f, ds := parser.ParseFile(name, src)
	l.diags = append(l.diags, ds...)
	sf := &SourceFile{Name: name, AST: f}
	l.prog.src[name] = src
	for _, d := range f.Decls {
		if d.Import != nil {
			l.importFile(sf, d.Import)
		}
	}
	l.state[name] = 2
	l.files[name] = sf
	l.prog.Files = append(l.prog.Files, sf)
	return sf
}

// resolveImport maps an import to the name of the file it loads.
func (l *loader) resolveImport(from string, im *ast.Import) (string, *diag.Diagnostic) {
	if im.Module != nil {
		n := im.Module.Name
		if _, ok := stdlib.Source(n); !ok {
			d := errAt(im.Module.Pos, im.Module.EndPos, diag.CodeImport, fmt.Sprintf("no standard module %q", n))
			if s := diag.Suggest(n, stdlib.Modules()); s != "" {
				d.Hint = fmt.Sprintf("did you mean %q?", s)
			} else {
				d.Detail = "standard modules: " + strings.Join(stdlib.Modules(), ", ") + `; import a file with a quoted relative path: import "lib/shapes.circ"`
			}
			return "", d
		}
		return StdPrefix + n + ".circ", nil
	}
	p, err := strconv.Unquote(im.Path.Raw)
	if err != nil {
		return "", errAt(im.Path.Pos, im.Path.EndPos, diag.CodeImport, "malformed import path")
	}
	bad := func(msg string) (string, *diag.Diagnostic) {
		d := errAt(im.Path.Pos, im.Path.EndPos, diag.CodeImportPath, msg)
		d.Detail = "an import names a file relative to the importing file, inside the directory of the file being checked"
		return "", d
	}
	switch {
	case p == "":
		return bad("empty import path")
	case strings.HasPrefix(p, "/") || strings.HasPrefix(p, `\`) || len(p) > 1 && p[1] == ':':
		return bad(fmt.Sprintf("import path %q is absolute", p))
	case !strings.HasSuffix(p, ".circ"):
		return bad(fmt.Sprintf("import path %q does not name a .circ file", p))
	}
	if strings.HasPrefix(from, StdPrefix) {
		return bad("standard modules cannot import files")
	}
	target := path.Clean(path.Join(path.Dir(from), p))
	if l.root != "." && !strings.HasPrefix(target, l.root+"/") || l.root == "." && (target == ".." || strings.HasPrefix(target, "../")) {
		return bad(fmt.Sprintf("import path %q leaves the circuit's directory", p))
	}
	// Symbolic links are followed before the check, so a link inside the
	// directory cannot lead out of it.
	if root := safefs.Resolve(l.fs, l.root); filepath.IsAbs(root) && !strings.HasPrefix(safefs.Resolve(l.fs, target), strings.TrimSuffix(root, "/")+"/") {
		return bad(fmt.Sprintf("import path %q leaves the circuit's directory through a symbolic link", p))
	}
	return target, nil
}

func (l *loader) importFile(from *SourceFile, im *ast.Import) {
	name, d := l.resolveImport(from.Name, im)
	if d != nil {
		l.diags = append(l.diags, d)
		return
	}
	switch l.state[name] {
	case 2:
		return
	case 1:
		i := 0
		for i < len(l.stack) && l.stack[i] != name {
			i++
		}
		chain := append(append([]string(nil), l.stack[i:]...), name)
		s, e := importSpan(im)
		l.diags = append(l.diags, errAt(s, e, diag.CodeImportCycle, "import cycle: "+strings.Join(chain, " → ")))
		return
	}
	var src []byte
	if strings.HasPrefix(name, StdPrefix) {
		src, _ = stdlib.Source(strings.TrimSuffix(strings.TrimPrefix(name, StdPrefix), ".circ"))
	} else {
		b, err := safefs.ReadFile(l.fs, name, safefs.MaxSource)
		if err != nil {
			s, e := importSpan(im)
			l.diags = append(l.diags, errAt(s, e, diag.CodeImport, fmt.Sprintf("cannot read %s: %v", name, unwrapPathErr(err))))
			return
		}
		src = b
	}
	l.load(name, src)
}

func importSpan(im *ast.Import) (ast.Pos, ast.Pos) {
	if im.Path != nil {
		return im.Path.Pos, im.Path.EndPos
	}
	return im.Module.Pos, im.Module.EndPos
}

func unwrapPathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func errAt(start, end ast.Pos, code diag.Code, summary string) *diag.Diagnostic {
	return diag.At(start, end, code, "%s", summary)
}
