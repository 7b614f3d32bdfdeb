package check

import (
	"fmt"
	"sort"
	"strings"

	"github.com/circc/circc/lang/ast"
)

// Span is a stretch of a source file.
type Span struct{ Start, End ast.Pos }

// Contains reports whether the span covers a byte offset of its file.
func (s Span) Contains(file string, offset int) bool {
	return s.Start.Filename == file && s.Start.Offset <= offset && offset <= s.End.Offset
}

// Use is one use of a name the checker resolved: what it names, where that
// is declared, its type and the declaration's doc comment. Editors read
// them for hover, go to definition and find references.
type Use struct {
	Span
	Name string
	Kind string // let, function, parameter, layer, input, module, family, builtin, constant, model
	Decl Span   // zero for builtins, constants and models
	Type string
	Doc  string
}

// ExprType is the type the checker gave an expression.
type ExprType struct {
	Span
	Type string
}

// Index is what the checker resolved, in source order per file.
type Index struct {
	Uses  []Use
	Types []ExprType
}

// Index returns the uses and expression types of every loaded file.
func (p *Program) Index() *Index {
	if p.index == nil {
		return &Index{}
	}
	ix := p.index
	sort.SliceStable(ix.Uses, func(i, j int) bool { return before(ix.Uses[i].Start, ix.Uses[j].Start) })
	sort.SliceStable(ix.Types, func(i, j int) bool { return before(ix.Types[i].Start, ix.Types[j].Start) })
	// A name checked twice (a family's domain, for its type and its size)
	// is one use.
	uses := ix.Uses[:0]
	for i, u := range ix.Uses {
		if i == 0 || u.Span != ix.Uses[i-1].Span {
			uses = append(uses, u)
		}
	}
	ix.Uses = uses
	types := ix.Types[:0]
	for i, t := range ix.Types {
		if i == 0 || t.Span != ix.Types[i-1].Span {
			types = append(types, t)
		}
	}
	ix.Types = types
	return ix
}

func before(a, b ast.Pos) bool {
	if a.Filename != b.Filename {
		return a.Filename < b.Filename
	}
	return a.Offset < b.Offset
}

// DeclAt is a use of the name declared at offset of file: what hover on a
// declaration shows.
func (ix *Index) DeclAt(file string, offset int) (Use, bool) {
	for _, u := range ix.Uses {
		if u.Decl.Contains(file, offset) {
			return u, true
		}
	}
	return Use{}, false
}

// UseAt is the use covering offset of file, the innermost when several do.
func (ix *Index) UseAt(file string, offset int) (Use, bool) {
	return innermost(ix.Uses, func(u Use) Span { return u.Span }, file, offset)
}

// TypeAt is the type of the innermost expression covering offset.
func (ix *Index) TypeAt(file string, offset int) (ExprType, bool) {
	return innermost(ix.Types, func(t ExprType) Span { return t.Span }, file, offset)
}

// innermost is the shortest of the items whose span covers offset.
func innermost[T any](items []T, span func(T) Span, file string, offset int) (T, bool) {
	var best T
	bestLen, found := 0, false
	for _, it := range items {
		s := span(it)
		if n := s.End.Offset - s.Start.Offset; s.Contains(file, offset) && (!found || n < bestLen) {
			best, bestLen, found = it, n, true
		}
	}
	return best, found
}

// record notes a use of sym at id.
func (c *checker) record(id *ast.Ident, sym *symbol, t *Type) {
	if c.prog.index == nil || id == nil || id.Pos == sym.pos {
		return // the declaration itself, checked where it stands
	}
	u := Use{Span: Span{id.Pos, id.EndPos}, Name: id.Name, Decl: Span{sym.pos, sym.end}, Doc: sym.doc}
	switch sym.kind {
	case symLet:
		u.Kind = "let"
	case symFn:
		u.Kind = "function"
		if sym.fn != nil && sym.fn.decl != nil {
			u.Doc = docOf(sym.fn.decl.Doc)
		}
	case symLocal:
		u.Kind = "parameter"
	case symLayer:
		u.Kind = "layer"
	case symInput:
		u.Kind = "input"
	case symModule:
		u.Kind = "module"
	}
	if t.known() {
		u.Type = t.String()
	}
	if sym.kind == symFn && sym.fn != nil && sym.fn.decl != nil {
		u.Type = "fn " + sym.fn.decl.Signature()
	}
	if sym.kind == symLayer && sym.layer != nil {
		u.Type = layerDescription(sym.layer)
	}
	c.prog.index.Uses = append(c.prog.index.Uses, u)
}

// recordOther notes a use of a family, builtin, constant or model.
func (c *checker) recordOther(id *ast.Ident, kind string, decl Span, typ, doc string) {
	if c.prog.index == nil || id == nil {
		return
	}
	c.prog.index.Uses = append(c.prog.index.Uses, Use{Span: Span{id.Pos, id.EndPos}, Name: id.Name, Kind: kind, Decl: decl, Type: typ, Doc: doc})
}

// recordType notes an expression's type.
func (c *checker) recordType(s, e ast.Pos, t *Type) {
	if c.prog.index == nil || !t.known() || e.Offset <= s.Offset {
		return
	}
	c.prog.index.Types = append(c.prog.index.Types, ExprType{Span: Span{s, e}, Type: t.String()})
}

// docOf joins a declaration's /// comments.
func docOf(cs []*ast.Comment) string {
	var lines []string
	for _, c := range cs {
		if c.Doc {
			lines = append(lines, strings.TrimSpace(strings.TrimPrefix(c.Text, "///")))
		}
	}
	return strings.Join(lines, "\n")
}

// layerDescription says what a layer is: its op, kernel and families.
func layerDescription(l *layerSym) string {
	s := "layer " + l.name + " = " + string(l.op)
	if l.ksize > 0 {
		s += fmt.Sprintf(" %dx%d", l.ksize, l.ksize)
	}
	var fams []string
	units := 0
	for _, f := range l.families {
		fams = append(fams, f.name)
		if !f.template {
			units += f.units()
		}
	}
	if len(fams) > 0 {
		s += fmt.Sprintf("; families %s", strings.Join(fams, ", "))
	}
	if units > 0 {
		s += fmt.Sprintf("; %d units", units)
	}
	return s
}

// familyDescription says what a family is: its layer, parameters and
// member count.
func familyDescription(f *familySym) string {
	var ps []string
	for i, n := range f.pnames {
		t := ""
		if i < len(f.params) && f.params[i].known() {
			t = ": " + f.params[i].String()
		}
		ps = append(ps, n+t)
	}
	kind := "family"
	if f.unit {
		kind = "unit"
	}
	s := fmt.Sprintf("%s %s.%s(%s)", kind, f.layer.name, f.name, strings.Join(ps, ", "))
	if n := f.units(); n > 0 {
		s += fmt.Sprintf(", %d members", n)
	}
	if f.template {
		s += " (a motif's template: no channel of its own)"
	}
	return s
}

// familyDoc is a family's or unit's /// comment.
func familyDoc(f *familySym) string {
	if f.decl == nil {
		return ""
	}
	switch {
	case f.decl.Family != nil:
		return docOf(f.decl.Family.Doc)
	case f.decl.Unit != nil:
		return docOf(f.decl.Unit.Doc)
	}
	return ""
}

// builtinSignature prints a builtin's arity: name(x), name(x, y?), name(x…).
func builtinSignature(b *builtin) string {
	var args []string
	names := []string{"a", "b", "c", "d", "e", "f"}
	for i := 0; i < b.arity[0] && i < len(names); i++ {
		args = append(args, names[i])
	}
	switch {
	case b.arity[1] < 0:
		args = append(args, "…")
	case b.arity[1] > b.arity[0]:
		for i := b.arity[0]; i < b.arity[1] && i < len(names); i++ {
			args = append(args, names[i]+"?")
		}
	}
	return fmt.Sprintf("%s(%s)", b.name, strings.Join(args, ", "))
}

// Vocabulary lists the words an editor completes that no declaration
// makes: builtins and constants, number units, claim metrics, with a
// short description each.
func Vocabulary() (builtinWords, unitWords, metricWords map[string]string) {
	builtinWords, unitWords, metricWords = map[string]string{}, map[string]string{}, map[string]string{}
	for n, b := range builtins {
		builtinWords[n] = builtinSignature(b) + ": " + b.doc
	}
	for n, v := range constants {
		builtinWords[n] = fmt.Sprintf("constant %g", v)
	}
	for n, u := range units {
		if n != "" {
			unitWords[n] = u.dim.String()
		}
	}
	for n, d := range metrics {
		metricWords[string(n)] = "metric, " + d.String()
	}
	return
}

// DocComment joins a declaration's /// comments, as hover shows them.
func DocComment(cs []*ast.Comment) string { return docOf(cs) }
