package lsp

import (
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/tliron/glsp"
	protocol "github.com/tliron/glsp/protocol_3_16"

	"github.com/circc/circc/compiler"
	"github.com/circc/circc/compiler/check"
	"github.com/circc/circc/lang/ast"
	"github.com/circc/circc/models"
	"github.com/circc/circc/stdlib"
	"github.com/circc/circc/stimuli"
)

// at finds an open document and a byte offset in it.
func (s *Server) at(uri string, pos protocol.Position) (*document, int, error) {
	d := s.fresh(uri)
	if d == nil {
		return nil, 0, fmt.Errorf("%s is not open", uri)
	}
	return d, offsetOf(d.text, pos), nil
}

// Hover describes what is under the cursor: a name's kind, type and doc
// comment (a layer's shape, a family's parameters and members, a stdlib
// function's signature, a reference model's layer), else the type of the
// innermost expression.
func (s *Server) hover(_ *glsp.Context, p *protocol.HoverParams) (*protocol.Hover, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, off, err := s.at(p.TextDocument.URI, p.Position)
	if err != nil || d.index == nil {
		return nil, err
	}
	var text string
	var span check.Span
	if u, ok := d.index.UseAt(d.path, off); ok {
		if u.Kind == "layer" {
			if shape := s.layerShape(d, u.Name); shape != "" {
				u.Type += "\n" + shape
			}
		}
		text = hoverText(u)
		span = u.Span
	} else if u, ok := d.index.DeclAt(d.path, off); ok {
		if u.Kind == "layer" {
			if shape := s.layerShape(d, u.Name); shape != "" {
				u.Type += "\n" + shape
			}
		}
		text, span = hoverText(u), u.Decl // the declaration's own name
	} else if t, ok := d.index.TypeAt(d.path, off); ok {
		text = fmt.Sprintf("```circ\n%s\n```\n%s", d.text[t.Start.Offset:t.End.Offset], t.Type)
		span = t.Span
	} else {
		return nil, nil
	}
	r := rangeOf(d.text, span.Start, span.End)
	return &protocol.Hover{Contents: protocol.MarkupContent{Kind: protocol.MarkupKindMarkdown, Value: text}, Range: &r}, nil
}

// hoverText is what hover shows for a use of a name: its kind, type and
// doc comment (for a stdlib function, the signature and doc that circc doc
// prints).
func hoverText(u check.Use) string {
	var b strings.Builder
	b.WriteString(u.Kind + " **" + u.Name + "**")
	if u.Type != "" {
		fmt.Fprintf(&b, "\n```circ\n%s\n```", u.Type)
	}
	if u.Doc != "" {
		b.WriteString("\n" + u.Doc)
	}
	return b.String()
}

func (s *Server) definition(_ *glsp.Context, p *protocol.DefinitionParams) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, off, err := s.at(p.TextDocument.URI, p.Position)
	if err != nil || d.index == nil {
		return nil, err
	}
	u, ok := d.index.UseAt(d.path, off)
	if ok && u.Kind == "model" {
		return s.modelLocation(u.Name), nil
	}
	if !ok || u.Decl.Start.Filename == "" {
		return nil, nil
	}
	return s.location(d, u.Decl), nil
}

// modelLocation is where a reference model is described: its folder's
// manifest (a model a user added), else its README (a shipped model,
// whose manifest is built in); nil when neither is on disk.
func (s *Server) modelLocation(name string) any {
	m, ok := s.reg.Lookup(name)
	if !ok {
		return nil
	}
	dir := m.Dir(s.fs, "")
	for _, f := range []string{models.ManifestFile, "README.md"} {
		p := filepath.Join(dir, f)
		if st, err := s.fs.Stat(p); err == nil && st.Mode().IsRegular() {
			return protocol.Location{URI: s.uriOf(p)}
		}
	}
	return nil
}

func (s *Server) location(d *document, sp check.Span) protocol.Location {
	return protocol.Location{URI: s.uriOf(sp.Start.Filename), Range: rangeOf(s.sourceOf(d, sp.Start.Filename), sp.Start, sp.End)}
}

// references lists the uses of the declaration under the cursor (or of
// the name used there), with the declaration when asked.
func (s *Server) references(_ *glsp.Context, p *protocol.ReferenceParams) ([]protocol.Location, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, off, err := s.at(p.TextDocument.URI, p.Position)
	if err != nil || d.index == nil {
		return nil, err
	}
	decl, ok := check.Span{}, false
	if u, found := d.index.UseAt(d.path, off); found && u.Decl.Start.Filename != "" {
		decl, ok = u.Decl, true
	} else {
		for _, u := range d.index.Uses { // the cursor on a declaration
			if u.Decl.Contains(d.path, off) {
				decl, ok = u.Decl, true
				break
			}
		}
	}
	if !ok {
		return []protocol.Location{}, nil
	}
	out := []protocol.Location{}
	if p.Context.IncludeDeclaration {
		out = append(out, s.location(d, decl))
	}
	for _, u := range d.index.Uses {
		if u.Decl.Start.Filename == decl.Start.Filename && u.Decl.Start.Offset == decl.Start.Offset {
			out = append(out, s.location(d, u.Span))
		}
	}
	return out, nil
}

// symbols are the document's layers, families, units, lets, functions,
// input and imports, from its syntax tree.
func (s *Server) symbols(_ *glsp.Context, p *protocol.DocumentSymbolParams) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.fresh(p.TextDocument.URI)
	if d == nil || d.prog == nil || d.prog.Main == nil || d.prog.Main.AST == nil {
		return []protocol.DocumentSymbol{}, nil
	}
	out := []protocol.DocumentSymbol{}
	add := func(name, detail string, kind protocol.SymbolKind, whole *ast.Decl, id *ast.Ident) {
		ws, we := whole.Pos, whole.EndPos
		is, ie := id.Pos, id.EndPos
		det := detail
		out = append(out, protocol.DocumentSymbol{Name: name, Detail: &det, Kind: kind, Range: rangeOf(d.text, ws, we), SelectionRange: rangeOf(d.text, is, ie)})
	}
	for _, decl := range d.prog.Main.AST.Decls {
		switch {
		case decl.Layer != nil:
			add(decl.Layer.Name.Name, "layer", protocol.SymbolKindClass, decl, decl.Layer.Name)
		case decl.Family != nil:
			add(decl.Family.Name.Name, "family", protocol.SymbolKindStruct, decl, decl.Family.Name)
		case decl.Unit != nil:
			add(decl.Unit.Name.Name, "unit", protocol.SymbolKindField, decl, decl.Unit.Name)
		case decl.Let != nil:
			add(decl.Let.Name.Name, "let", protocol.SymbolKindVariable, decl, decl.Let.Name)
		case decl.Fn != nil:
			add(decl.Fn.Name.Name, "fn "+decl.Fn.Signature(), protocol.SymbolKindFunction, decl, decl.Fn.Name)
		case decl.Input != nil:
			add(decl.Input.Name.Name, "input", protocol.SymbolKindInterface, decl, decl.Input.Name)
		}
	}
	return out, nil
}

var (
	afterNumber = regexp.MustCompile(`(^|[^A-Za-z_0-9.])[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?$`)
	afterDot    = regexp.MustCompile(`([A-Za-z_][A-Za-z_0-9]*)\.([A-Za-z_0-9]*)$`)
	afterUsing  = regexp.MustCompile(`\busing\s+[A-Za-z_0-9]*$`)
	inExpect    = regexp.MustCompile(`^\s*expect\b.*:`)
	afterImport = regexp.MustCompile(`^\s*import\s+[A-Za-z_0-9]*$`)
)

// completion offers what fits where the cursor is: units right after a
// number, stimulus sets after "using", metrics in an expect's claims, a
// module's members or a layer's families after "NAME.", module names
// after "import", and otherwise every name in scope, builtins and stdlib
// modules.
func (s *Server) completion(_ *glsp.Context, p *protocol.CompletionParams) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, off, err := s.at(p.TextDocument.URI, p.Position)
	if err != nil {
		return nil, err
	}
	line := d.text[strings.LastIndexByte(d.text[:off], '\n')+1 : off]
	builtinWords, unitWords, metricWords := check.Vocabulary()
	var items []protocol.CompletionItem
	add := func(label, detail string, kind protocol.CompletionItemKind) {
		det := detail
		items = append(items, protocol.CompletionItem{Label: label, Detail: &det, Kind: &kind})
	}
	switch {
	case afterNumber.MatchString(line):
		for n, dim := range unitWords {
			add(n, dim, protocol.CompletionItemKindUnit)
		}
	case afterUsing.MatchString(line):
		for _, n := range stimuli.Names() {
			add(n, "stimulus set", protocol.CompletionItemKindEnumMember)
		}
	case afterImport.MatchString(line):
		for _, n := range stdlib.Modules() {
			add(n, "standard library module", protocol.CompletionItemKindModule)
		}
	case afterDot.MatchString(line):
		owner := afterDot.FindStringSubmatch(line)[1]
		for _, m := range s.members(d, owner) {
			add(m[0], m[1], protocol.CompletionItemKindField)
		}
	case inExpect.MatchString(line):
		for n, desc := range metricWords {
			add(n, desc, protocol.CompletionItemKindProperty)
		}
		for _, agg := range []string{"mean", "min", "max", "median"} {
			add(agg, "aggregate over the family", protocol.CompletionItemKindKeyword)
		}
	default:
		seen := map[string]bool{}
		if d.index != nil {
			for _, u := range d.index.Uses {
				if u.Decl.Start.Filename == d.path && !seen[u.Name] && u.Kind != "parameter" {
					seen[u.Name] = true
					add(u.Name, u.Type, kindOf(u.Kind))
				}
			}
		}
		if d.prog != nil && d.prog.Main != nil && d.prog.Main.AST != nil {
			for _, decl := range d.prog.Main.AST.Decls {
				for _, n := range declNames(decl) {
					if !seen[n[0]] {
						seen[n[0]] = true
						add(n[0], n[1], kindOf(n[1]))
					}
				}
			}
		}
		for n, desc := range builtinWords {
			add(n, desc, protocol.CompletionItemKindFunction)
		}
		for _, n := range stdlib.Modules() {
			if !seen[n] {
				add(n, "standard library module", protocol.CompletionItemKindModule)
			}
		}
	}
	sort.Slice(items, func(i, j int) bool { return items[i].Label < items[j].Label })
	return protocol.CompletionList{IsIncomplete: false, Items: items}, nil
}

// members are the names after "owner.": a module's declarations or a
// layer's families.
func (s *Server) members(d *document, owner string) [][2]string {
	var out [][2]string
	if src, ok := stdlib.Source(owner); ok {
		if f := parseQuiet(owner, src); f != nil {
			for _, decl := range f.Decls {
				out = append(out, declNames(decl)...)
			}
		}
	}
	if d.prog != nil && d.prog.Main != nil && d.prog.Main.AST != nil {
		for _, decl := range d.prog.Main.AST.Decls {
			if decl.Family != nil && decl.Family.Layer != nil && refHead(decl.Family.Layer) == owner {
				out = append(out, [2]string{decl.Family.Name.Name, "family"})
			}
			if decl.Unit != nil && decl.Unit.Layer != nil && refHead(decl.Unit.Layer) == owner {
				out = append(out, [2]string{decl.Unit.Name.Name, "unit"})
			}
		}
	}
	return out
}

func refHead(r *ast.Ref) string {
	if len(r.Parts) == 1 && r.Parts[0].Ident != nil {
		return r.Parts[0].Ident.Name
	}
	return ""
}

// declNames are the names a declaration makes, with what they are.
func declNames(decl *ast.Decl) [][2]string {
	switch {
	case decl.Let != nil:
		return [][2]string{{decl.Let.Name.Name, "let"}}
	case decl.Fn != nil:
		return [][2]string{{decl.Fn.Name.Name, "fn " + decl.Fn.Signature()}}
	case decl.Layer != nil:
		return [][2]string{{decl.Layer.Name.Name, "layer"}}
	case decl.Input != nil:
		return [][2]string{{decl.Input.Name.Name, "input"}}
	}
	return nil
}

func kindOf(k string) protocol.CompletionItemKind {
	switch {
	case strings.HasPrefix(k, "fn") || k == "function":
		return protocol.CompletionItemKindFunction
	case strings.HasPrefix(k, "layer"):
		return protocol.CompletionItemKindClass
	case k == "module":
		return protocol.CompletionItemKindModule
	case k == "family":
		return protocol.CompletionItemKindStruct
	}
	return protocol.CompletionItemKindVariable
}

// signatureHelp shows the signature of the call the cursor is in, with
// the argument it is at.
func (s *Server) signatureHelp(_ *glsp.Context, p *protocol.SignatureHelpParams) (*protocol.SignatureHelp, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, off, err := s.at(p.TextDocument.URI, p.Position)
	if err != nil {
		return nil, err
	}
	// The innermost unclosed "(" before the cursor, and the commas after it.
	depth, commas, open := 0, 0, -1
	for i := off - 1; i >= 0 && open < 0; i-- {
		switch d.text[i] {
		case ')', ']':
			depth++
		case '(', '[':
			if depth == 0 {
				if d.text[i] == '(' {
					open = i
				} else {
					return nil, nil
				}
			}
			depth--
		case ',':
			if depth == 0 {
				commas++
			}
		case '\n':
			if depth == 0 && strings.TrimSpace(d.text[i+1:off]) == "" {
				return nil, nil
			}
		}
	}
	if open < 1 {
		return nil, nil
	}
	// The callee, read from the text (the line may not parse yet).
	start := open
	for start > 0 && (isWord(d.text[start-1]) || d.text[start-1] == '.') {
		start--
	}
	label, doc, ok := s.signatureOf(d, d.text[start:open])
	if !ok {
		return nil, nil
	}
	var params []protocol.ParameterInformation
	if i, j := strings.IndexByte(label, '('), strings.LastIndexByte(label, ')'); i >= 0 && j > i {
		for _, p := range strings.Split(label[i+1:j], ", ") {
			if p != "" {
				params = append(params, protocol.ParameterInformation{Label: p})
			}
		}
	}
	active := protocol.UInteger(commas)
	sig := protocol.SignatureInformation{Label: label, Parameters: params}
	if doc != "" {
		sig.Documentation = protocol.MarkupContent{Kind: protocol.MarkupKindMarkdown, Value: doc}
	}
	zero := protocol.UInteger(0)
	return &protocol.SignatureHelp{Signatures: []protocol.SignatureInformation{sig}, ActiveSignature: &zero, ActiveParameter: &active}, nil
}

func isWord(b byte) bool {
	return b == '_' || '0' <= b && b <= '9' || 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z'
}

// signatureOf finds a function by the name a call writes: MODULE.NAME in
// the standard library, or a function of the document, or a builtin.
func (s *Server) signatureOf(d *document, callee string) (label, doc string, ok bool) {
	if mod, name, dotted := strings.Cut(callee, "."); dotted {
		src, found := stdlib.Source(mod)
		if !found {
			return "", "", false
		}
		if f := parseQuiet(mod, src); f != nil {
			for _, decl := range f.Decls {
				if decl.Fn != nil && decl.Fn.Name.Name == name {
					return decl.Fn.Signature(), check.DocComment(decl.Fn.Doc), true
				}
			}
		}
		return "", "", false
	}
	if d.prog != nil && d.prog.Main != nil && d.prog.Main.AST != nil {
		for _, decl := range d.prog.Main.AST.Decls {
			if decl.Fn != nil && decl.Fn.Name.Name == callee {
				return decl.Fn.Signature(), check.DocComment(decl.Fn.Doc), true
			}
		}
	}
	builtinWords, _, _ := check.Vocabulary()
	if w, found := builtinWords[callee]; found && strings.Contains(w, "(") {
		sig, desc, _ := strings.Cut(w, ": ")
		return sig, desc, true
	}
	return "", "", false
}

// layerShape is a layer's input and output shape, from the compiler's
// expansion of the document (run on hover only, and kept while the text
// stays the same); "" when the circuit does not expand.
func (s *Server) layerShape(d *document, name string) string {
	if d.expanded == nil || d.expandedText != d.text {
		d.expandedText, d.expanded = d.text, nil
		if d.path == "" {
			return ""
		}
		r, err := compiler.Compile(s.overlay(), d.path, compiler.Options{StopAfter: "expand", Models: s.reg})
		if err != nil || r.Diags.HasErrors() || r.Network == nil {
			return ""
		}
		d.expanded = r.Network
	}
	l := d.expanded.Layer(name)
	if l == nil {
		return ""
	}
	return fmt.Sprintf("// %dx%dx%d -> %dx%dx%d (channels x height x width)", l.InC, l.InH, l.InW, l.OutC, l.OutH, l.OutW)
}
