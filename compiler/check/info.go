package check

// LayerInfo summarises one layer of a checked circuit.
type LayerInfo struct {
	Name   string
	Op     LayerOp
	Kernel int // kernel width (0: none or unknown)
	// Units is the layer's width as far as it is known statically: the sum
	// over its families of the product of their parameter domains' lengths.
	// UnitsKnown is false when a domain's length depends on evaluation.
	Units      int
	UnitsKnown bool
	Families   []FamilyInfo
}

// FamilyInfo summarises one family or unit.
type FamilyInfo struct {
	Name     string
	Units    int  // 0 when not known statically
	Template bool // the base of a motif: takes no channel
}

// Layers describes the layers of the main circuit in network order.
func (p *Program) Layers() []LayerInfo {
	m := p.Main.mod
	if m == nil {
		return nil
	}
	var out []LayerInfo
	for _, l := range m.layers {
		li := LayerInfo{Name: l.name, Op: l.op, Kernel: l.ksize, UnitsKnown: true}
		for _, f := range l.families {
			n := f.units()
			li.Families = append(li.Families, FamilyInfo{Name: f.name, Units: n, Template: f.template})
			if f.template {
				continue
			}
			if n == 0 {
				li.UnitsKnown = false
			}
			li.Units += n
		}
		out = append(out, li)
	}
	return out
}
