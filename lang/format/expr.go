package format

import "github.com/circc/circc/lang/ast"

func (p *printer) expr(e *ast.Expr) {
	p.at(e.Pos)
	if e.If != nil {
		p.word("if")
		p.expr(e.If.Cond)
		p.word("then")
		p.expr(e.If.Then)
		p.word("else")
		p.expr(e.If.Else)
		return
	}
	o := e.Or
	p.and(o.Left)
	for _, r := range o.Rest {
		p.word("or")
		p.and(r.Right)
	}
}

func (p *printer) and(a *ast.And) {
	p.cmp(a.Left)
	for _, r := range a.Rest {
		p.word("and")
		p.cmp(r.Right)
	}
}

func (p *printer) cmp(c *ast.Cmp) {
	p.rng(c.Left)
	if c.Op != "" {
		p.word(c.Op)
		p.rng(c.Right)
	}
}

func (p *printer) rng(r *ast.Range) {
	p.add(r.From)
	if r.Op != "" {
		p.word(r.Op)
		p.add(r.To)
		if r.Step != nil {
			p.word("step")
			p.add(r.Step)
		}
	}
}

func (p *printer) add(a *ast.Add) {
	p.mul(a.Left)
	for _, r := range a.Rest {
		p.word(r.Op)
		p.mul(r.Right)
	}
}

func (p *printer) mul(m *ast.Mul) {
	p.unary(m.Left)
	for _, r := range m.Rest {
		p.word(r.Op)
		p.unary(r.Right)
	}
}

func (p *printer) unary(u *ast.Unary) {
	p.at(u.Pos)
	if u.Power != nil {
		p.postfix(u.Power.Base)
		if u.Power.Exp != nil {
			p.word("^")
			p.unary(u.Power.Exp)
		}
		return
	}
	if u.Op == "not" {
		p.word("not")
	} else {
		p.open(u.Op)
	}
	p.unary(u.Operand)
}

func (p *printer) postfix(pf *ast.Postfix) {
	p.primary(pf.Primary)
	for _, s := range pf.Suffixes {
		switch {
		case s.Call != nil:
			p.at(s.Pos)
			p.seq(seqStyle{open: "(", close: ")", glued: true}, s.Pos.Line, len(s.Call.Args),
				func(i int) ast.Pos { return s.Call.Args[i].Pos },
				func(i int) {
					a := s.Call.Args[i]
					if a.Name != nil {
						p.ident(a.Name)
						p.glue(":")
					}
					p.expr(a.Value)
				}, s.EndPos.Offset-1)
		case s.Index != nil:
			p.openGlued("[")
			p.expr(s.Index)
			p.glue("]")
		case s.Field != nil:
			p.at(s.Field.Pos)
			p.glue("." + s.Field.Name)
		}
	}
}

func (p *printer) primary(pr *ast.Primary) {
	p.at(pr.Pos)
	switch {
	case pr.Number != nil:
		p.word(pr.Number.Raw)
	case pr.Size != nil:
		p.word(pr.Size.Raw)
	case pr.String != nil:
		p.word(pr.String.Raw)
	case pr.Bool != "":
		p.word(pr.Bool)
	case pr.Ident != nil:
		p.ident(pr.Ident)
	case pr.Paren != nil:
		p.open("(")
		p.expr(pr.Paren)
		p.glue(")")
	case pr.List != nil:
		l := pr.List
		if l.For != nil {
			p.open("[")
			for _, it := range l.Items {
				p.expr(it)
			}
			p.word("for")
			p.ident(l.For.Var)
			p.word("in")
			p.expr(l.For.Domain)
			if l.For.Cond != nil {
				p.word("if")
				p.expr(l.For.Cond)
			}
			p.glue("]")
			return
		}
		p.seq(seqStyle{open: "[", close: "]"}, l.Pos.Line, len(l.Items),
			func(i int) ast.Pos { return l.Items[i].Pos }, func(i int) { p.expr(l.Items[i]) }, l.EndPos.Offset-1)
	case pr.Block != nil:
		b := pr.Block
		if len(b.Lets) == 0 {
			p.word("{")
			p.expr(b.Result)
			p.word("}")
			return
		}
		p.word("{")
		p.indent++
		for _, l := range b.Lets {
			p.newline()
			p.let(l)
		}
		p.newline()
		p.expr(b.Result)
		p.flush(b.EndPos.Offset - 1)
		p.indent--
		p.newline()
		p.word("}")
	case pr.Kernel != nil:
		k := pr.Kernel
		p.word("kernel")
		if k.Rows != nil {
			p.seq(seqStyle{open: "[", close: "]"}, k.Pos.Line, len(k.Rows),
				func(i int) ast.Pos { return k.Rows[i].Pos },
				func(i int) {
					row := k.Rows[i]
					p.at(row.Pos)
					p.seq(seqStyle{open: "[", close: "]"}, row.Pos.Line, len(row.Cells),
						func(j int) ast.Pos { return row.Cells[j].Pos }, func(j int) { p.expr(row.Cells[j]) }, row.EndPos.Offset-1)
				}, k.EndPos.Offset-1)
			return
		}
		p.at(k.Size.Pos)
		switch s := k.Size; {
		case s.Size != nil:
			p.word(s.Size.Raw)
		case s.Number != nil:
			p.word(s.Number.Raw)
		case s.Ident != nil:
			p.ident(s.Ident)
		default:
			p.open("(")
			p.expr(s.Paren)
			p.glue(")")
		}
		p.open("(")
		p.commas(len(k.Coords), func(i int) { p.ident(k.Coords[i]) })
		p.glue(")")
		p.word("=>")
		p.expr(k.Body)
	case pr.Table != nil:
		t := pr.Table
		p.word("table")
		for _, o := range t.Options {
			p.ident(o.Name)
			p.unary(o.Value)
		}
		p.seq(seqStyle{open: "{", close: "}", padded: true}, t.Pos.Line, len(t.Entries),
			func(i int) ast.Pos { return t.Entries[i].Pos },
			func(i int) {
				e := t.Entries[i]
				p.expr(e.Key)
				p.glue(":")
				p.expr(e.Value)
			}, t.EndPos.Offset-1)
	}
}

// seqStyle describes a bracketed, comma-separated sequence.
type seqStyle struct {
	open, close string
	glued       bool // the opening bracket follows the previous token directly: f(
	padded      bool // spaces inside the brackets when on one line: { a: 1 }
}

// seq prints n items. An item that began on a new source line begins a new
// output line; a sequence with any such break puts each line of items one
// level deeper, ends every item with a comma and closes on its own line.
func (p *printer) seq(st seqStyle, openLine, n int, pos func(int) ast.Pos, item func(int), end int) {
	broken := false
	prev := openLine
	breaks := make([]bool, n)
	for i := 0; i < n; i++ {
		l := pos(i).Line
		breaks[i] = l > prev
		broken = broken || breaks[i]
		prev = l
	}
	if st.glued {
		p.openGlued(st.open)
	} else {
		p.open(st.open)
	}
	if !broken {
		if st.padded && n > 0 {
			p.space = true
		}
		p.commas(n, item)
		if st.padded && n > 0 {
			p.word(st.close)
		} else {
			p.glue(st.close)
		}
		return
	}
	p.indent++
	for i := 0; i < n; i++ {
		if breaks[i] || i == 0 {
			p.newline()
		}
		item(i)
		p.glue(",")
	}
	if end > 0 {
		p.flush(end)
	}
	p.indent--
	p.newline()
	p.glue(st.close)
}
