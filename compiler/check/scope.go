package check

import (
	"sort"

	"github.com/circc/circc/lang/ast"
)

type symKind int

const (
	symLet symKind = iota
	symFn
	symLocal // parameter, binder, coordinate, block let, comprehension variable
	symLayer
	symInput
	symModule
)

// symbol is a named entity in a scope.
type symbol struct {
	name      string
	kind      symKind
	pos, end  ast.Pos
	doc       string   // the declaration's /// comment
	let       *ast.Let // symLet: type computed on first use
	letScope  *scope
	typ       *Type
	resolving bool
	fn        *fnSym
	layer     *layerSym
	module    *module
	input     *inputSym
}

type scope struct {
	parent *scope
	syms   map[string]*symbol
}

func newScope(parent *scope) *scope { return &scope{parent: parent, syms: map[string]*symbol{}} }

func (s *scope) lookup(name string) *symbol {
	for ; s != nil; s = s.parent {
		if sym, ok := s.syms[name]; ok {
			return sym
		}
	}
	return nil
}

// names lists every name visible from s, for did-you-mean hints.
func (s *scope) names() []string {
	seen := map[string]bool{}
	for ; s != nil; s = s.parent {
		for n := range s.syms {
			seen[n] = true
		}
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// fnSym is a user function with its per-signature instantiations.
type fnSym struct {
	name   string
	decl   *ast.Fn
	mod    *module
	insts  map[string]*Type
	active map[string]bool
}

// layerSym is a layer of the circuit.
type layerSym struct {
	name     string
	decl     *ast.Layer
	index    int // position in the network, input = -1
	op       LayerOp
	ksize    int // kernel width of conv and pooling (0 unknown)
	families []*familySym
	byName   map[string]*familySym
}

// familySym is a family or a single unit on a layer.
type familySym struct {
	name   string
	layer  *layerSym
	params []*Type
	pnames []string
	unit   bool
	// template is set on the base of a motif family: it describes the
	// family's members and takes no channel of its own.
	template bool
	base     *familySym // the base of a motif family
	pos      ast.Pos
	end      ast.Pos
	decl     *ast.Decl
}

// inputSym is the network input.
type inputSym struct {
	name     string
	channel  *Type
	channels int
	decl     *ast.Input
}

// module is the top-level scope of one file.
type module struct {
	file    *SourceFile
	scope   *scope
	library bool
	layers  []*layerSym
	input   *inputSym
}
