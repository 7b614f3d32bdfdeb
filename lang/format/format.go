package format

import (
	"bytes"
	"strings"

	"github.com/circc/circc/diag"
	"github.com/circc/circc/lang/ast"
	"github.com/circc/circc/lang/parser"
)

// indentUnit is one level of indentation.
const indentUnit = "  "

// Source formats circ source text. It returns the parser's diagnostics, and
// no output, when the text does not parse: a file with syntax errors is never
// rewritten.
func Source(name string, src []byte) ([]byte, diag.List) {
	f, ds := parser.ParseFile(name, src)
	if ds.HasErrors() {
		return nil, ds
	}
	out := File(f, src)
	// Formatting must not change meaning: re-parse and compare, as gofmt does.
	g, ds2 := parser.ParseFile(name, out)
	if ds2.HasErrors() || !ast.Equal(f, g) || len(g.Comments) != len(f.Comments) {
		return nil, diag.List{{Code: diag.CodeInternal, Summary: "the formatter changed the file's syntax or lost a comment; the file was left as it is (please report this)",
			Subject: diag.RangeAt(f.Pos, 0)}}
	}
	return out, nil
}

// File prints a parsed file in canonical layout. src is the text it was
// parsed from (comments and blank lines are taken from it).
func File(f *ast.File, src []byte) []byte {
	p := &printer{lines: strings.Split(diag.LineEnds(string(src)), "\n")}
	for _, c := range f.Comments {
		p.comments = append(p.comments, pending{c: c, trailing: p.codeBefore(c.Pos)})
	}
	if f.Header != nil {
		p.at(f.Header.Pos)
		p.word(f.Header.Kind)
		p.ident(f.Header.Name)
	}
	for _, d := range f.Decls {
		p.newline()
		p.stmtBreak(d.Pos)
		p.decl(d)
	}
	p.flush(-1)
	p.out.WriteString("\n")
	return p.out.Bytes()
}

type pending struct {
	c        *ast.Comment
	trailing bool // code precedes the comment on its source line
}

type printer struct {
	out      bytes.Buffer
	lines    []string
	comments []pending
	indent   int
	// needNL is set when a newline was asked for but not written yet, so
	// trailing comments can still join the current line.
	needNL bool
	// blank asks for an empty line before the next output line.
	blank bool
	// lineStart is true when nothing has been written on the current line.
	lineStart bool
	space     bool // a space is due before the next word
	// commentEnded is set when the current line ends in a comment: nothing,
	// not even another trailing comment, may follow on it.
	commentEnded bool
}

// codeBefore reports whether code precedes pos on its source line.
func (p *printer) codeBefore(pos ast.Pos) bool {
	if pos.Line-1 >= len(p.lines) {
		return false
	}
	line := p.lines[pos.Line-1]
	if pos.Column-1 > len(line) {
		return false
	}
	return strings.TrimSpace(line[:pos.Column-1]) != ""
}

// blankAbove reports whether the source line above line is empty.
func (p *printer) blankAbove(line int) bool {
	return line >= 2 && line-2 < len(p.lines) && strings.TrimSpace(p.lines[line-2]) == ""
}

// at flushes the comments that come before a node starting at pos.
func (p *printer) at(pos ast.Pos) { p.flush(pos.Offset) }

// flush writes every pending comment before offset (all of them when -1).
func (p *printer) flush(offset int) {
	for len(p.comments) > 0 && (offset < 0 || p.comments[0].c.Pos.Offset < offset) {
		pc := p.comments[0]
		p.comments = p.comments[1:]
		if pc.trailing && p.out.Len() > 0 && !p.commentEnded {
			// Joins the current output line, then the line ends.
			p.out.WriteString(" " + pc.c.Text)
			p.needNL, p.space, p.commentEnded = true, false, true
			continue
		}
		if p.out.Len() > 0 {
			p.needNL = true
			if p.blankAbove(pc.c.Pos.Line) {
				p.blank = true
			}
		}
		p.startLine()
		p.out.WriteString(pc.c.Text)
		p.needNL, p.space, p.commentEnded = true, false, true
	}
}

// startLine writes a pending newline, blank line and indentation.
func (p *printer) startLine() {
	if p.needNL {
		p.out.WriteString("\n")
		if p.blank {
			p.out.WriteString("\n")
		}
		p.out.WriteString(strings.Repeat(indentUnit, p.indent))
		p.needNL, p.blank, p.space, p.lineStart = false, false, false, true
	}
}

func (p *printer) newline() { p.needNL = true }

// stmtBreak keeps one blank line before a statement that had one in the source.
func (p *printer) stmtBreak(pos ast.Pos) {
	if p.out.Len() > 0 && p.blankAbove(pos.Line) && !p.commentsBefore(pos) {
		p.blank = true
	}
}

// commentsBefore reports whether standalone comments are pending before pos
// (they carry their own blank line).
func (p *printer) commentsBefore(pos ast.Pos) bool {
	return len(p.comments) > 0 && p.comments[0].c.Pos.Offset < pos.Offset && !p.comments[0].trailing
}

// word writes a token, separated from the previous one by a space.
func (p *printer) word(s string) {
	p.startLine()
	if p.space {
		p.out.WriteByte(' ')
	}
	p.out.WriteString(s)
	p.space, p.lineStart, p.commentEnded = true, false, false
}

// glue writes a token with no space before it.
func (p *printer) glue(s string) {
	p.startLine()
	p.out.WriteString(s)
	p.space, p.lineStart, p.commentEnded = true, false, false
}

// open writes a token after which no space follows ("(", "[").
func (p *printer) open(s string) {
	p.word(s)
	p.space = false
}

func (p *printer) openGlued(s string) {
	p.glue(s)
	p.space = false
}

func (p *printer) ident(id *ast.Ident) {
	p.at(id.Pos)
	p.word(id.Name)
}
