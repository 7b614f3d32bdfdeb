package parser

import (
	"fmt"
	"strings"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"

	"github.com/circc/circc/diag"
	"github.com/circc/circc/lang/ast"
)

var options = []participle.Option{
	participle.Lexer(Lexer),
	participle.Elide("Whitespace", "Comment", "DocComment"),
	participle.UseLookahead(4),
}

var (
	fileParser   = participle.MustBuild[ast.File](options...)
	headerParser = participle.MustBuild[ast.Header](options...)
	declParser   = participle.MustBuild[ast.Decl](options...)
	exprParser   = participle.MustBuild[ast.Expr](options...)
)

// Grammar returns the EBNF grammar of circ as derived from the parser.
func Grammar() string { return fileParser.String() }

// ParseFile parses one source file. It returns the syntax tree of every
// declaration that parsed, and one diagnostic per syntax error: after an
// error the parser resynchronises at the next top-level declaration, so all
// errors of a file are reported at once. Comments are collected into
// File.Comments and doc comments are attached to the declarations they
// precede.
func ParseFile(name string, src []byte) (file *ast.File, diags diag.List) {
	defer func() {
		// The parser library panics on some grammar ambiguities; a panic is a
		// bug in circ, but the user still gets a diagnostic, not a crash.
		if r := recover(); r != nil {
			file = &ast.File{Name: name}
			diags = diag.List{{Code: diag.CodeInternal, Summary: fmt.Sprintf("internal parser error: %v", r),
				Subject: diag.RangeAt(lexer.Position{Filename: name, Line: 1, Column: 1}, 0)}}
		}
	}()
	file = &ast.File{Name: name}
	toks, err := lexAll(name, src)
	if err != nil {
		diags = append(diags, syntaxDiag(err, name))
	}
	var code []lexer.Token
	spoiled := map[int]bool{} // offsets of tokens next to an invalid character
	for _, t := range toks {
		switch t.Type {
		case tokInvalid:
			d := &diag.Diagnostic{Code: diag.CodeSyntax, Summary: fmt.Sprintf("unexpected character %q", t.Value), Subject: diag.RangeAt(t.Pos, len(t.Value))}
			if strings.HasPrefix(t.Value, `"`) {
				d.Summary = "unterminated string"
				d.Hint = "a string ends with \" on the same line"
			}
			diags = append(diags, d)
			spoiled[len(code)] = true
		case tokComment, tokDocComment:
			file.Comments = append(file.Comments, &ast.Comment{Pos: t.Pos, Text: strings.TrimRight(t.Value, " \t\r"), Doc: t.Type == tokDocComment})
		case tokWhitespace:
		default:
			code = append(code, t)
		}
	}
	chunks := splitDecls(code)
	at := 0 // index in code of the current chunk's first token
	for i, chunk := range chunks {
		first := at
		at += len(chunk)
		if len(chunk) == 0 {
			if i == 0 && len(code) > 0 {
				diags = append(diags, &diag.Diagnostic{
					Code: diag.CodeSyntax, Summary: "a file must start with \"circuit NAME\" or \"library NAME\"",
					Subject: diag.RangeAt(code[0].Pos, len(code[0].Value)),
				})
			}
			continue
		}
		// A chunk that held an invalid character was already reported.
		report := func(err error) {
			for k := first; k <= first+len(chunk); k++ {
				if spoiled[k] {
					return
				}
			}
			diags = append(diags, syntaxDiag(err, name))
		}
		if t, deep := tooDeep(chunk); deep {
			diags = append(diags, nestingDiag(t))
			continue
		}
		if i == 0 {
			if chunk[0].Value != "circuit" && chunk[0].Value != "library" {
				diags = append(diags, &diag.Diagnostic{
					Code: diag.CodeSyntax, Summary: "a file must start with \"circuit NAME\" or \"library NAME\"",
					Subject: diag.RangeAt(chunk[0].Pos, len(chunk[0].Value)),
				})
				continue
			}
			h, err := headerParser.ParseFromLexer(peeking(chunk))
			if err != nil {
				report(err)
				continue
			}
			file.Header = h
			continue
		}
		d, err := declParser.ParseFromLexer(peeking(chunk))
		if err != nil {
			report(err)
			continue
		}
		file.Decls = append(file.Decls, d)
	}
	if len(code) == 0 {
		diags = append(diags, &diag.Diagnostic{Code: diag.CodeSyntax, Summary: "empty file: expected \"circuit NAME\" or \"library NAME\"",
			Subject: diag.RangeAt(lexer.Position{Filename: name, Line: 1, Column: 1}, 0)})
	}
	if len(code) > 0 {
		file.Pos = code[0].Pos
		last := code[len(code)-1]
		file.EndPos = last.Pos
		file.EndPos.Offset += len(last.Value)
		file.EndPos.Column += len(last.Value)
	}
	attachDocs(file)
	diags.Sort()
	return file, diags
}

// ParseExpr parses a single expression (used by tests and tools).
func ParseExpr(name, src string) (*ast.Expr, diag.List) {
	if toks, err := lexAll(name, []byte(src)); err == nil {
		if t, deep := tooDeep(toks); deep {
			return nil, diag.List{nestingDiag(t)}
		}
	}
	e, err := exprParser.ParseString(name, src)
	if err != nil {
		return nil, diag.List{syntaxDiag(err, name)}
	}
	return e, nil
}

var (
	symbols       = Lexer.Symbols()
	tokComment    = symbols["Comment"]
	tokDocComment = symbols["DocComment"]
	tokWhitespace = symbols["Whitespace"]
	tokKeyword    = symbols["Keyword"]
	tokInvalid    = symbols["Invalid"]
	tokString     = symbols["String"]
	tokNumber     = symbols["Number"]
	tokSize       = symbols["Size"]
	tokIdent      = symbols["Ident"]
	tokEOF        = lexer.EOF
)

// lexAll lexes src, returning the tokens up to the first lexical error.
func lexAll(name string, src []byte) ([]lexer.Token, error) {
	lx, err := Lexer.LexString(name, diag.LineEnds(string(src)))
	if err != nil {
		return nil, err
	}
	var out []lexer.Token
	for {
		t, err := lx.Next()
		if err != nil {
			return out, err
		}
		if t.EOF() {
			return out, nil
		}
		out = append(out, t)
	}
}

// splitDecls cuts the token stream before every declaration keyword that is
// outside brackets or starts a line, so a syntax error spoils one chunk only.
func splitDecls(toks []lexer.Token) [][]lexer.Token {
	var chunks [][]lexer.Token
	start, depth := 0, 0
	for i, t := range toks {
		if t.Type == tokKeyword && declKeywords[t.Value] && i > 0 && (depth == 0 || t.Pos.Column == 1) {
			chunks = append(chunks, toks[start:i])
			start, depth = i, 0
		}
		switch t.Value {
		case "(", "[", "{":
			depth++
		case ")", "]", "}":
			if depth > 0 {
				depth--
			}
		}
	}
	// The first chunk is the header; when the file has no header the first
	// chunk is a declaration and the header check reports it.
	chunks = append(chunks, toks[start:])
	if len(chunks) > 0 && len(chunks[0]) > 0 && (chunks[0][0].Value == "circuit" || chunks[0][0].Value == "library") {
		return chunks
	}
	return append([][]lexer.Token{nil}, chunks...)
}

// sliceLexer replays a token slice, then EOF just past the last token.
type sliceLexer struct {
	toks []lexer.Token
	i    int
}

func (s *sliceLexer) Next() (lexer.Token, error) {
	if s.i < len(s.toks) {
		s.i++
		return s.toks[s.i-1], nil
	}
	pos := lexer.Position{}
	if n := len(s.toks); n > 0 {
		pos = s.toks[n-1].Pos
		pos.Offset += len(s.toks[n-1].Value)
		pos.Column += len(s.toks[n-1].Value)
	}
	return lexer.EOFToken(pos), nil
}

func peeking(toks []lexer.Token) *lexer.PeekingLexer {
	p, err := lexer.Upgrade(&sliceLexer{toks: toks})
	if err != nil {
		panic(err) // sliceLexer never fails
	}
	return p
}

// syntaxDiag turns a participle or lexer error into a diagnostic.
func syntaxDiag(err error, name string) *diag.Diagnostic {
	d := &diag.Diagnostic{Code: diag.CodeSyntax, Summary: err.Error()}
	var pos lexer.Position
	if pe, ok := err.(participle.Error); ok {
		pos = pe.Position()
		d.Summary = pe.Message()
	}
	if pos.Filename == "" {
		pos.Filename = name
	}
	if pos.Line == 0 {
		pos.Line, pos.Column = 1, 1
	}
	d.Summary, d.Hint = explainSyntax(d.Summary)
	d.Subject = diag.RangeAt(pos, 1)
	return d
}

// explainSyntax rewrites participle's messages into the project's words and
// adds a hint for the common mistakes.
func explainSyntax(msg string) (summary, hint string) {
	summary = msg
	switch {
	case strings.Contains(msg, `unexpected token "deg"`), strings.Contains(msg, `unexpected token "rad"`), strings.Contains(msg, `unexpected token "px"`):
		hint = "write a unit directly after its number, with no space: 10deg"
	case strings.HasPrefix(msg, "unexpected token \"<EOF>\""):
		summary = "unexpected end of declaration"
		hint = "a bracket or an expression may be missing"
	case strings.Contains(msg, "invalid input text"):
		summary = strings.Replace(msg, "invalid input text", "unexpected character in", 1)
	}
	for _, k := range Keywords {
		if strings.HasPrefix(msg, fmt.Sprintf("unexpected token %q (expected Ident", k)) {
			hint = fmt.Sprintf("%q is a keyword and cannot be used as a name", k)
		}
	}
	summary = strings.ReplaceAll(summary, "(expected Expr)", "(expected an expression)")
	return summary, hint
}

// attachDocs gives each declaration the "///" comments on the lines directly
// above it.
func attachDocs(f *ast.File) {
	docs := map[int]*ast.Comment{} // line -> doc comment
	for _, c := range f.Comments {
		if c.Doc && c.Pos.Column >= 1 {
			docs[c.Pos.Line] = c
		}
	}
	collect := func(line int) []*ast.Comment {
		var out []*ast.Comment
		for l := line - 1; docs[l] != nil; l-- {
			out = append([]*ast.Comment{docs[l]}, out...)
		}
		return out
	}
	if f.Header != nil {
		f.Header.Doc = collect(f.Header.Pos.Line)
	}
	for _, d := range f.Decls {
		if p := DocTarget(d); p != nil {
			*p = collect(d.Pos.Line)
		}
		if d.Family != nil && d.Family.Body != nil {
			attachBody(d.Family.Body, collect)
		}
		if d.Unit != nil {
			attachBody(d.Unit.Body, collect)
		}
	}
}

func attachBody(b *ast.Body, collect func(int) []*ast.Comment) {
	for _, s := range b.Stmts {
		switch {
		case s.From != nil:
			s.From.Doc = collect(s.Pos.Line)
		case s.Bias != nil:
			s.Bias.Doc = collect(s.Pos.Line)
		case s.Let != nil:
			s.Let.Doc = collect(s.Pos.Line)
		}
	}
}

// DocTarget returns the Doc field of the declaration.
func DocTarget(d *ast.Decl) *[]*ast.Comment {
	switch {
	case d.Import != nil:
		return &d.Import.Doc
	case d.Input != nil:
		return &d.Input.Doc
	case d.Layer != nil:
		return &d.Layer.Doc
	case d.Let != nil:
		return &d.Let.Doc
	case d.Fn != nil:
		return &d.Fn.Doc
	case d.Family != nil:
		return &d.Family.Doc
	case d.Unit != nil:
		return &d.Unit.Doc
	case d.Match != nil:
		return &d.Match.Doc
	case d.Expect != nil:
		return &d.Expect.Doc
	case d.Replace != nil:
		return &d.Replace.Doc
	case d.Set != nil:
		return &d.Set.Doc
	case d.Ablate != nil:
		return &d.Ablate.Doc
	}
	return nil
}
