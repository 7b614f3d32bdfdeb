package check

import (
	"fmt"
	"path"
	"strings"

	"github.com/spf13/afero"

	"github.com/circc/circc/diag"
	"github.com/circc/circc/internal/safefs"
	"github.com/circc/circc/lang/ast"
	"github.com/circc/circc/models"
)

type checker struct {
	prog    *Program
	diags   diag.List
	depth   int
	mods    map[string]*module // by file name
	imports map[*ast.Import]string
	// natLayers are the reference-model layers that units are placed on
	// (targets of set), by natLayerKey.
	natLayers map[string]*layerSym
	models    models.Registry // the reference models names may refer to
}

// plainName reports whether a declared name is free of the version dots
// only reference models' names carry ("squeezenet1.0"), and says so when
// it is not.
func (c *checker) plainName(id *ast.Ident) bool {
	if !strings.Contains(id.Name, ".") {
		return true
	}
	d := c.errorf(id.Pos, id.EndPos, diag.CodeSyntax, "a declared name cannot contain \".\": %s", id.Name)
	d.Hint = "dotted names are reference models' (squeezenet1.0); use _ instead"
	return false
}

// noModels is the registry of a check given none.
type noModels struct{}

func (noModels) Lookup(string) (*models.Manifest, bool) { return nil, false }
func (noModels) Names() []string                        { return nil }

func (c *checker) errorf(s, e ast.Pos, code diag.Code, format string, a ...any) *diag.Diagnostic {
	d := errAt(s, e, code, fmt.Sprintf(format, a...))
	c.diags = append(c.diags, d)
	return d
}

// Check loads the circuit at filename from fsys with everything it imports,
// and checks it; reg says which reference models exist (nil: none). The
// error is non-nil only when filename cannot be read; problems in the
// source are diagnostics, all of them, sorted.
func Check(fsys afero.Fs, filename string, reg models.Registry) (*Program, diag.List, error) {
	src, err := safefs.ReadFile(fsys, filename, safefs.MaxSource)
	if err != nil {
		return nil, nil, err
	}
	return CheckSource(fsys, filename, src, reg)
}

// CheckSource is Check with the main file's text given; imports are read
// from fsys.
func CheckSource(fsys afero.Fs, filename string, src []byte, reg models.Registry) (prog *Program, diags diag.List, err error) {
	if reg == nil {
		reg = noModels{}
	}
	filename = path.Clean(filename)
	// A panic is a bug in circc and goes on to the host: the command line
	// reports it as one (exit 3), the language server as a diagnostic.
	l := &loader{fs: fsys, root: path.Dir(filename), prog: &Program{src: map[string][]byte{}, index: &Index{}},
		state: map[string]int{}, files: map[string]*SourceFile{}}
	l.prog.Main = l.load(filename, src)
	c := &checker{prog: l.prog, diags: l.diags, mods: map[string]*module{}, imports: map[*ast.Import]string{}, natLayers: map[string]*layerSym{}, models: reg}
	l.prog.imports = map[*ast.Import]*SourceFile{}
	for _, f := range l.prog.Files {
		for _, d := range f.AST.Decls {
			if d.Import != nil {
				if name, dg := l.resolveImport(f.Name, d.Import); dg == nil {
					c.imports[d.Import] = name
					if sf := l.files[name]; sf != nil {
						l.prog.imports[d.Import] = sf
					}
				}
			}
		}
	}
	for _, f := range l.prog.Files {
		c.checkFile(f)
	}
	l.prog.natural = c.natLayers
	c.diags.Sort()
	return l.prog, c.diags, nil
}

func (c *checker) checkFile(f *SourceFile) {
	m := &module{file: f, scope: newScope(nil)}
	f.mod = m
	c.mods[f.Name] = m
	a := f.AST
	if a.Header == nil {
		return // reported by the parser
	}
	m.library = a.Header.Kind == "library"
	if strings.HasPrefix(f.Name, StdPrefix) && !m.library {
		c.errorf(a.Header.Pos, a.Header.EndPos, diag.CodeHeader, "a standard module must be a library")
	}
	c.declare(m)
	c.checkDecls(m)
}

func (c *checker) declareSym(m *module, id *ast.Ident, sym *symbol) {
	sym.name, sym.pos, sym.end = id.Name, id.Pos, id.EndPos
	if !c.plainName(id) {
		return
	}
	if prev, ok := m.scope.syms[id.Name]; ok {
		d := c.errorf(id.Pos, id.EndPos, diag.CodeDuplicate, "%s is already declared", id.Name)
		d.Notes = append(d.Notes, diag.Note{Message: "first declared here", At: diag.RangeAt(prev.pos, len(prev.name))})
		return
	}
	if _, ok := builtins[id.Name]; ok {
		c.errorf(id.Pos, id.EndPos, diag.CodeDuplicate, "%s is a builtin function and cannot be redeclared", id.Name)
		return
	}
	if _, ok := constants[id.Name]; ok {
		c.errorf(id.Pos, id.EndPos, diag.CodeDuplicate, "%s is a builtin constant and cannot be redeclared", id.Name)
		return
	}
	m.scope.syms[id.Name] = sym
}

// declare enters the file's top-level names, in source order.
func (c *checker) declare(m *module) {
	for _, d := range m.file.AST.Decls {
		if m.library && d.Import == nil && d.Let == nil && d.Fn == nil {
			c.errorf(d.Pos, d.EndPos, diag.CodeLibrary, "a library holds only import, let and fn declarations")
			continue
		}
		switch {
		case d.Import != nil:
			name, ok := c.imports[d.Import]
			if !ok {
				continue
			}
			im := c.mods[name]
			if im == nil || im.file.AST.Header == nil {
				continue
			}
			if !im.library {
				s, e := importSpan(d.Import)
				c.errorf(s, e, diag.CodeImport, "%s is a circuit; only libraries can be imported", name)
				continue
			}
			id := im.file.AST.Header.Name
			if d.Import.Alias != nil {
				id = d.Import.Alias
			} else if d.Import.Module != nil {
				id = d.Import.Module
			} else {
				id = &ast.Ident{Pos: d.Import.Path.Pos, EndPos: d.Import.Path.EndPos, Name: id.Name}
			}
			c.declareSym(m, id, &symbol{kind: symModule, module: im, doc: docOf(im.file.AST.Header.Doc)})
		case d.Let != nil:
			c.declareSym(m, d.Let.Name, &symbol{kind: symLet, let: d.Let, letScope: m.scope, doc: docOf(d.Let.Doc)})
		case d.Fn != nil:
			c.declareSym(m, d.Fn.Name, &symbol{kind: symFn, fn: &fnSym{name: d.Fn.Name.Name, decl: d.Fn, mod: m,
				insts: map[string]*Type{}, active: map[string]bool{}}})
		case d.Layer != nil:
			l := &layerSym{name: d.Layer.Name.Name, decl: d.Layer, index: len(m.layers), byName: map[string]*familySym{}}
			m.layers = append(m.layers, l)
			c.declareSym(m, d.Layer.Name, &symbol{kind: symLayer, layer: l, doc: docOf(d.Layer.Doc)})
		case d.Input != nil:
			if m.input != nil {
				c.errorf(d.Input.Name.Pos, d.Input.Name.EndPos, diag.CodeDuplicate, "a circuit has one input; %s is already declared", m.input.name)
				continue
			}
			m.input = &inputSym{name: d.Input.Name.Name, decl: d.Input, channel: unknown}
			c.declareSym(m, d.Input.Name, &symbol{kind: symInput, input: m.input, doc: docOf(d.Input.Doc)})
		}
	}
}

// checkDecls checks every declaration of a module: first the layers and the
// families' signatures (which later connections refer to), then the rest.
func (c *checker) checkDecls(m *module) {
	if m.input != nil {
		c.checkInput(m, m.input)
	} else if h := m.file.AST.Header; h != nil && h.Kind == "circuit" && m == c.mods[c.prog.Main.Name] && !editsOnly(m) {
		d := c.errorf(h.Pos, h.EndPos, diag.CodeInput, "the circuit declares no input")
		d.Hint = `declare the image it reads, e.g. input image(c in ["r", "g", "b"]) size 224x224 range 0 .. 1`
	}
	for _, l := range m.layers {
		c.checkLayer(m, l)
	}
	fams := map[*ast.Decl]*familySym{}
	for _, d := range m.file.AST.Decls {
		if d.Family != nil && d.Family.Layer != nil || d.Unit != nil {
			if f := c.declareFamily(m, d); f != nil {
				fams[d] = f
			}
		}
	}
	// Motif families take their layer from their base, which may itself be
	// declared later in the file.
	for _, d := range m.file.AST.Decls {
		if d.Family != nil && d.Family.Base != nil {
			if f := c.declareFamily(m, d); f != nil {
				fams[d] = f
			}
		}
	}
	for _, d := range m.file.AST.Decls {
		switch {
		case d.Let != nil:
			if sym := m.scope.syms[d.Let.Name.Name]; sym != nil && sym.let == d.Let {
				c.symType(sym, d.Let.Name)
			} else {
				// A rejected redeclaration is still checked on its own.
				c.expr(d.Let.Value, m.scope)
			}
		case d.Fn != nil:
			c.checkFnBody(m, d.Fn)
		case d.Family != nil || d.Unit != nil:
			if f := fams[d]; f != nil {
				c.checkFamily(m, f)
			}
		case d.Match != nil:
			c.checkMatch(m, d.Match)
		case d.Expect != nil:
			c.checkExpect(m, d.Expect)
		case d.Replace != nil:
			c.wantFamily(m, d.Replace.With)
			c.natRef(m, d.Replace.Natural, true)
		case d.Set != nil:
			c.checkSet(m, d.Set)
		case d.Ablate != nil:
			c.natRef(m, d.Ablate.Natural, true)
		}
	}
	if !m.library {
		for _, l := range m.layers {
			if l.op == LayerConv && len(l.families) == 0 {
				c.errorf(l.decl.Name.Pos, l.decl.Name.EndPos, diag.CodeEmptyLayer, "layer %s has no units, so its width would be 0", l.name)
			}
		}
	}
}

// checkFnBody checks a function once with its annotated parameter types
// (unannotated ones unknown), so that a function nobody calls is checked too.
func (c *checker) checkFnBody(m *module, fn *ast.Fn) {
	sym := m.scope.syms[fn.Name.Name]
	if sym == nil || sym.fn == nil || sym.fn.decl != fn {
		return
	}
	seen := map[string]*ast.Ident{}
	params := make([]*Type, len(fn.Params))
	for i, p := range fn.Params {
		params[i] = unknown
		if prev := seen[p.Name.Name]; prev != nil {
			c.errorf(p.Name.Pos, p.Name.EndPos, diag.CodeDuplicate, "parameter %s is declared twice", p.Name.Name)
		}
		seen[p.Name.Name] = p.Name
		if p.Type != nil {
			t, ok := paramTypes[p.Type.Name]
			if !ok {
				c.undefined(&ast.Ident{Pos: p.Type.Pos, EndPos: p.Type.EndPos, Name: p.Type.Name}, fmt.Sprintf("unknown parameter type %q", p.Type.Name), paramTypeNames())
				continue
			}
			params[i] = t
		}
	}
	if len(seen) == len(fn.Params) {
		c.instantiate(sym.fn, params)
	}
}

var inputOptions = []string{"range", "size"}

// wholeOption reports whether v is a valid stride or pad: a stride may skip
// at most the whole input, a pad may not exceed the largest kernel.
func wholeOption(name string, v float64) bool {
	if name == "stride" {
		_, ok := WholeNumber(v, 1, MaxInputSide)
		return ok
	}
	_, ok := WholeNumber(v, 0, MaxKernel)
	return ok
}

func (c *checker) checkInput(m *module, in *inputSym) {
	d := in.decl
	dom := c.expr(d.Channel.Domain, m.scope)
	if dom.known() {
		if dom.Kind != KList {
			c.errorf(d.Channel.Domain.Pos, d.Channel.Domain.EndPos, diag.CodeType, "the input's channels must be a list, got %s", dom)
		} else {
			in.channel = dom.Elem
			in.channels = dom.Len
			if dom.Len > MaxInputChannels {
				c.errorf(d.Channel.Domain.Pos, d.Channel.Domain.EndPos, diag.CodeLimit, "the input has %d channels, more than the limit of %d", dom.Len, MaxInputChannels)
			}
		}
	}
	seen := map[string]bool{}
	for _, o := range d.Options {
		t := c.expr(o.Value, m.scope)
		switch o.Name.Name {
		case "size":
			if t.known() && t.Kind != KSize {
				c.errorf(o.Value.Pos, o.Value.EndPos, diag.CodeType, "the input size is written WxH, e.g. 224x224")
			} else if t.known() && (t.KSize < 1 || t.Len < 1) {
				c.errorf(o.Value.Pos, o.Value.EndPos, diag.CodeLimit, "the input's sides must be from 1 to %d pixels", MaxInputSide)
			}
		case "range":
			if t.known() && (t.Kind != KList || t.Elem == nil || t.Elem.Kind != KNumber || t.Elem.Dim != dimless) {
				c.errorf(o.Value.Pos, o.Value.EndPos, diag.CodeType, "the input range is written lo .. hi, e.g. 0 .. 1")
			}
		default:
			c.undefined(o.Name, fmt.Sprintf("unknown input option %q", o.Name.Name), inputOptions)
			continue
		}
		if seen[o.Name.Name] {
			c.errorf(o.Name.Pos, o.Name.EndPos, diag.CodeDuplicate, "input option %s is given twice", o.Name.Name)
		}
		seen[o.Name.Name] = true
	}
	if !seen["size"] {
		c.errorf(d.Name.Pos, d.Name.EndPos, diag.CodeInput, "the input needs a size, e.g. size 224x224")
	}
}

var (
	opNames   = []string{string(LayerAvgPool), string(LayerConv), string(LayerMaxPool), string(LayerRelu)}
	opOptions = map[LayerOp][]string{LayerConv: {"pad", "stride"}, LayerMaxPool: {"pad", "stride"}, LayerAvgPool: {"pad", "stride"}, LayerRelu: nil}
)

// checkLayer checks a layer's operation chain: one of conv, maxpool or
// avgpool (with a KxK size, stride and pad), optionally followed by relu; or
// relu alone.
func (c *checker) checkLayer(m *module, l *layerSym) {
	for i, op := range l.decl.Ops {
		name := LayerOp(op.Name.Name)
		opts, known := opOptions[name]
		if !known {
			c.undefined(op.Name, fmt.Sprintf("unknown operation %q", name), opNames)
			continue
		}
		if name == LayerRelu {
			if i != len(l.decl.Ops)-1 {
				c.errorf(op.Pos, op.EndPos, diag.CodeLayer, "relu comes last in a layer")
			}
			if op.Size != nil {
				c.errorf(op.Size.Pos, op.Size.EndPos, diag.CodeLayer, "relu takes no size")
			}
			if l.op == "" {
				l.op = LayerRelu
			}
		} else {
			if i != 0 {
				c.errorf(op.Pos, op.EndPos, diag.CodeLayer, "a layer has one %s, first; relu may follow it", strings.Join(opNames[:3], ", "))
				continue
			}
			l.op = name
			if op.Size == nil {
				c.errorf(op.Name.Pos, op.Name.EndPos, diag.CodeLayer, "%s needs a kernel size, e.g. %s 3x3", name, name)
			} else {
				w, h, ok := ParseSize(op.Size.Raw)
				if !ok || w > MaxKernel || h > MaxKernel {
					c.errorf(op.Size.Pos, op.Size.EndPos, diag.CodeLimit, "a kernel is at most %dx%d", MaxKernel, MaxKernel)
				} else if w != h {
					c.errorf(op.Size.Pos, op.Size.EndPos, diag.CodeKernelSize, "kernels are square, not %dx%d", w, h)
				} else if w%2 == 0 || w == 0 {
					c.errorf(op.Size.Pos, op.Size.EndPos, diag.CodeKernelSize, "a kernel size must be odd so that it has a centre, got %d", w)
				} else {
					l.ksize = w
				}
			}
		}
		seen := map[string]bool{}
		for _, o := range op.Options {
			t := unknown
			if !(o.Name.Name == "pad" && isWord(o.Value, "same", "valid")) {
				t = c.expr(o.Value, m.scope)
			}
			switch {
			case !contains(opts, o.Name.Name):
				d := c.errorf(o.Name.Pos, o.Name.EndPos, diag.CodeUndefined, "%s has no option %q", name, o.Name.Name)
				if s := diag.Suggest(o.Name.Name, opts); s != "" {
					d.Hint = fmt.Sprintf("did you mean %q?", s)
				} else if len(opts) == 0 {
					d.Hint = string(name) + " takes no options"
				}
				continue
			case o.Name.Name == "pad" && isWord(o.Value, "same", "valid"):
			case !t.known():
			case t.Kind != KNumber || t.Dim != dimless || !wholeOption(o.Name.Name, deref(t.Const)):
				what := fmt.Sprintf("a whole number from 1 to %d", MaxInputSide)
				if o.Name.Name == "pad" {
					what = fmt.Sprintf("same, valid or a whole number of pixels from 0 to %d", MaxKernel)
				}
				c.errorf(o.Value.Pos, o.Value.EndPos, diag.CodeLayer, "%s must be %s", o.Name.Name, what)
			}
			if seen[o.Name.Name] {
				c.errorf(o.Name.Pos, o.Name.EndPos, diag.CodeDuplicate, "option %s is given twice", o.Name.Name)
			}
			seen[o.Name.Name] = true
		}
	}
}

// isWord reports whether e is one of the bare words (pad same, pad valid).
func isWord(e *ast.Expr, words ...string) bool {
	id := ast.BareIdent(e)
	return id != nil && contains(words, id.Name)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// editsOnly reports whether a circuit has no network of its own, only
// statements that edit reference models (ablate, set): it needs no input.
func editsOnly(m *module) bool {
	if len(m.layers) > 0 {
		return false
	}
	edits := false
	for _, d := range m.file.AST.Decls {
		switch {
		case d.Ablate != nil || d.Set != nil:
			edits = true
		case d.Replace != nil || d.Match != nil || d.Family != nil && d.Family.Layer == nil:
			return false // these need hand-made units
		}
	}
	return edits
}
