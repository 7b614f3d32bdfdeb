package format

import "github.com/circc/circc/lang/ast"

func (p *printer) decl(d *ast.Decl) {
	p.at(d.Pos)
	switch {
	case d.Import != nil:
		p.word("import")
		if d.Import.Path != nil {
			p.at(d.Import.Path.Pos)
			p.word(d.Import.Path.Raw)
		} else {
			p.ident(d.Import.Module)
		}
		if d.Import.Alias != nil {
			p.word("as")
			p.ident(d.Import.Alias)
		}
	case d.Input != nil:
		p.word("input")
		p.ident(d.Input.Name)
		p.openGlued("(")
		p.param(d.Input.Channel)
		p.glue(")")
		p.options(d.Input.Options)
	case d.Layer != nil:
		p.word("layer")
		p.ident(d.Layer.Name)
		p.word("=")
		p.commas(len(d.Layer.Ops), func(i int) {
			op := d.Layer.Ops[i]
			p.ident(op.Name)
			if op.Size != nil {
				p.at(op.Size.Pos)
				p.word(op.Size.Raw)
			}
			p.options(op.Options)
		})
	case d.Let != nil:
		p.let(d.Let)
	case d.Fn != nil:
		p.word("fn")
		p.ident(d.Fn.Name)
		p.openGlued("(")
		p.commas(len(d.Fn.Params), func(i int) {
			fp := d.Fn.Params[i]
			p.ident(fp.Name)
			if fp.Type != nil {
				p.glue(":")
				p.at(fp.Type.Pos)
				p.word(fp.Type.Name)
			}
		})
		p.glue(")")
		p.word("=")
		p.expr(d.Fn.Body)
	case d.Family != nil:
		f := d.Family
		p.word("family")
		p.ident(f.Name)
		p.openGlued("(")
		p.commas(len(f.Params), func(i int) { p.param(f.Params[i]) })
		p.glue(")")
		if f.Body != nil {
			p.word("at")
			p.ref(f.Layer)
			p.body(f.Body)
		} else {
			p.word("=")
			p.ref(f.Base)
			for _, m := range f.Motifs {
				p.ident(m.Kind)
				p.unary(m.Arg)
			}
		}
	case d.Unit != nil:
		p.word("unit")
		p.ident(d.Unit.Name)
		p.word("at")
		p.ref(d.Unit.Layer)
		p.body(d.Unit.Body)
	case d.Match != nil:
		p.word("match")
		p.ref(d.Match.Family)
		p.word("to")
		p.natRef(d.Match.Natural)
		if d.Match.Using != nil {
			p.word("using")
			p.ident(d.Match.Using)
		}
	case d.Expect != nil:
		p.word("expect")
		if d.Expect.Model != nil {
			p.at(d.Expect.Model.Pos)
			p.word(d.Expect.Model.Name)
		}
		p.ref(d.Expect.Subject)
		p.glue(":")
		p.commas(len(d.Expect.Claims), func(i int) {
			c := d.Expect.Claims[i]
			p.at(c.Pos)
			if c.Agg != nil {
				p.ident(c.Agg)
			}
			p.ident(c.Metric)
			p.word(c.Op)
			p.expr(c.Value)
		})
	case d.Replace != nil:
		p.word("replace")
		p.natRef(d.Replace.Natural)
		p.word("with")
		p.ref(d.Replace.With)
	case d.Set != nil:
		p.word("set")
		p.natRef(d.Set.Natural)
		p.word("with")
		p.ref(d.Set.With)
	case d.Ablate != nil:
		p.word("ablate")
		p.natRef(d.Ablate.Natural)
	}
}

// commas prints n items separated by ", " on the current line.
func (p *printer) commas(n int, item func(i int)) {
	for i := 0; i < n; i++ {
		if i > 0 {
			p.glue(",")
		}
		item(i)
	}
}

func (p *printer) let(l *ast.Let) {
	p.at(l.Pos)
	p.word("let")
	p.ident(l.Name)
	p.word("=")
	p.expr(l.Value)
}

func (p *printer) param(prm *ast.Param) {
	p.ident(prm.Name)
	p.word("in")
	p.expr(prm.Domain)
}

func (p *printer) options(opts []*ast.Option) {
	for _, o := range opts {
		p.ident(o.Name)
		p.expr(o.Value)
	}
}

func (p *printer) body(b *ast.Body) {
	p.at(b.Pos)
	p.word("{")
	p.indent++
	for _, s := range b.Stmts {
		p.newline()
		p.at(s.Pos)
		p.stmtBreak(s.Pos)
		switch {
		case s.Let != nil:
			p.let(s.Let)
		case s.Bias != nil:
			p.word("bias")
			p.expr(s.Bias.Value)
		case s.From != nil:
			p.from(s.From)
		}
	}
	p.flush(b.EndPos.Offset - 1)
	p.indent--
	if len(b.Stmts) > 0 {
		p.newline()
		p.blank = false
	}
	p.word("}")
}

func (p *printer) from(f *ast.From) {
	p.word("from")
	src := f.Source
	p.ref(src.Path)
	if src.Binders != nil {
		p.openGlued("(")
		p.commas(len(src.Binders), func(i int) { p.ident(src.Binders[i]) })
		p.glue(")")
	}
	if src.Selector != nil {
		p.selector(src.Selector, true)
	}
	if f.Where != nil {
		p.word("where")
		p.expr(f.Where)
	}
	p.word("weight")
	p.expr(f.Weight)
}

func (p *printer) ref(r *ast.Ref) {
	for i, part := range r.Parts {
		p.at(part.Pos)
		text := ""
		switch {
		case part.Ident != nil:
			text = part.Ident.Name
		case part.Star:
			text = "*"
		default:
			text = part.Str.Raw
		}
		if i == 0 {
			p.word(text)
		} else {
			p.glue("." + text)
		}
	}
}

func (p *printer) natRef(n *ast.NatRef) {
	p.ref(n.Path)
	if n.Selector != nil {
		p.selector(n.Selector, true)
	}
}

func (p *printer) selector(s *ast.Selector, glued bool) {
	p.at(s.Pos)
	p.openGlued("[")
	if s.Binder != nil {
		p.ident(s.Binder)
		p.word("in")
	}
	p.commas(len(s.Items), func(i int) { p.expr(s.Items[i]) })
	p.glue("]")
}
