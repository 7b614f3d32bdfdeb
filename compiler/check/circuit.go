package check

import (
	"sort"
	"strings"

	"github.com/circc/circc/lang/ast"
)

// Circuit is the resolved structure of a checked circuit, for the stages
// after checking.
type Circuit struct {
	File   *SourceFile
	Input  *Input
	Layers []*Layer
	// Natural lists the layers of reference models that units are placed
	// on (the targets of set), in name order.
	Natural []*Layer
}

// Input is the network input declaration.
type Input struct {
	Name string
	Decl *ast.Input
}

// Layer is one layer in network order.
type Layer struct {
	Name     string
	Index    int
	Decl     *ast.Layer
	Op       LayerOp
	Kernel   int
	Families []*Family // in declaration order, templates included
	// Model and ModelLayer name a reference model's layer (Natural layers).
	Model, ModelLayer string
}

// Family is a family or single unit placed on a layer.
type Family struct {
	Name     string
	Layer    *Layer
	Decl     *ast.Decl // Family or Unit
	Unit     bool
	Template bool    // base of a motif: takes no channel
	Base     *Family // for motif families
}

// Circuit returns the main circuit's structure (nil for a library).
func (p *Program) Circuit() *Circuit {
	m := p.Main.mod
	if m == nil || m.library {
		return nil
	}
	c := &Circuit{File: p.Main}
	if m.input != nil {
		c.Input = &Input{Name: m.input.name, Decl: m.input.decl}
	}
	fams := map[*familySym]*Family{}
	for _, l := range m.layers {
		L := &Layer{Name: l.name, Index: l.index, Decl: l.decl, Op: l.op, Kernel: l.ksize}
		for _, f := range l.families {
			F := &Family{Name: f.name, Layer: L, Decl: f.decl, Unit: f.unit, Template: f.template}
			fams[f] = F
			L.Families = append(L.Families, F)
		}
		c.Layers = append(c.Layers, L)
	}
	var keys []string
	for k := range p.natural {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		l := p.natural[k]
		model, layer, _ := strings.Cut(k, ".")
		L := &Layer{Name: k, Index: -1, Op: LayerConv, Model: model, ModelLayer: layer}
		for _, f := range l.families {
			F := &Family{Name: f.name, Layer: L, Decl: f.decl, Unit: f.unit}
			fams[f] = F
			L.Families = append(L.Families, F)
		}
		c.Natural = append(c.Natural, L)
	}
	for f, F := range fams {
		if f.base != nil {
			F.Base = fams[f.base]
		}
	}
	return c
}

// Imported returns the file an import declaration loads (nil if it failed).
func (p *Program) Imported(im *ast.Import) *SourceFile { return p.imports[im] }

// IsLibrary reports whether the file is a library.
func (f *SourceFile) IsLibrary() bool { return f.mod != nil && f.mod.library }

// LayerOp is what a layer of a circuit computes.
type LayerOp string

const (
	LayerConv    LayerOp = "conv"
	LayerMaxPool LayerOp = "maxpool"
	LayerAvgPool LayerOp = "avgpool"
	LayerRelu    LayerOp = "relu"
)
