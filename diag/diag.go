package diag

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/alecthomas/participle/v2/lexer"
)

// Severity says whether a diagnostic stops compilation.
type Severity int

const (
	Error Severity = iota
	Warning
)

func (s Severity) String() string {
	if s == Warning {
		return "warning"
	}
	return "error"
}

// Range is a half-open span of source text. End may equal Start for a point.
type Range struct {
	Start, End lexer.Position
}

// RangeAt is the range of n bytes starting at pos on one line.
func RangeAt(pos lexer.Position, n int) Range {
	end := pos
	end.Offset += n
	end.Column += n
	return Range{Start: pos, End: end}
}

// Span is the range from start to end (end exclusive).
func Span(start, end lexer.Position) Range { return Range{Start: start, End: end} }

// At is an error diagnostic about the text from start to end (end
// exclusive; a missing or earlier end marks one character at start).
func At(start, end lexer.Position, code Code, format string, a ...any) *Diagnostic {
	r := Span(start, end)
	if end.Line == 0 || end.Offset < start.Offset {
		r = RangeAt(start, 1)
	}
	return &Diagnostic{Code: code, Summary: fmt.Sprintf(format, a...), Subject: r}
}

// Note points at a second place that explains a diagnostic
// ("first declared here").
type Note struct {
	Message string
	At      Range
}

// Diagnostic is one problem found in a source file.
type Diagnostic struct {
	Severity Severity
	// Code is stable across releases; tools and tests key on it.
	Code Code
	// Summary is one terse sentence without trailing punctuation.
	Summary string
	// Detail elaborates: why this is a problem and what can be done.
	Detail string
	// Hint is a short suggestion, typically "did you mean …?".
	Hint string
	// Subject is exactly the offending construct.
	Subject Range
	Notes   []Note
}

func (d *Diagnostic) Error() string {
	p := d.Subject.Start
	return fmt.Sprintf("%s:%d:%d: %s", p.Filename, p.Line, p.Column, d.Summary)
}

// List is a set of diagnostics; it implements error when non-empty.
type List []*Diagnostic

func (l List) Error() string {
	var b strings.Builder
	for i, d := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(d.Error())
	}
	return b.String()
}

// Err returns nil for an empty list and the list otherwise.
func (l List) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}

// HasErrors reports whether any diagnostic is an error.
func (l List) HasErrors() bool {
	for _, d := range l {
		if d.Severity == Error {
			return true
		}
	}
	return false
}

// Sort orders by file, line, column, then code and summary, and drops exact
// duplicates (a function checked at several call sites reports once).
func (l *List) Sort() {
	s := *l
	sort.SliceStable(s, func(i, j int) bool {
		a, b := s[i].Subject.Start, s[j].Subject.Start
		if a.Filename != b.Filename {
			return a.Filename < b.Filename
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		if s[i].Code != s[j].Code {
			return s[i].Code < s[j].Code
		}
		return s[i].Summary < s[j].Summary
	})
	out := s[:0]
	for i, d := range s {
		if i > 0 {
			p := out[len(out)-1]
			if p.Subject.Start == d.Subject.Start && p.Code == d.Code && p.Summary == d.Summary {
				continue
			}
		}
		out = append(out, d)
	}
	*l = out
}

// Sources gives the text of a file by name, for rendering source lines.
type Sources func(filename string) []byte

// MaxPerFile is how many diagnostics of one file WriteText shows; the rest
// are counted in one line. A file with thousands of syntax errors is not a
// file anyone will read error by error.
const MaxPerFile = 100

// excerptWidth is how many columns of a source line an excerpt shows at
// most; a longer line is cut around the subject.
const excerptWidth = 160

// WriteText renders the list for people:
//
//	file:line:col: summary [code]
//	  12 |     from mixed3a.cruve(b) weight 1
//	     |                  ^^^^^
//	  hint: did you mean "curve"?
//
// It shows at most MaxPerFile diagnostics per file and takes time linear in
// the size of the list and of the sources.
func (l List) WriteText(w io.Writer, src Sources) {
	lines := map[string]*lineIndex{}
	shown := map[string]int{}
	hidden := map[string]int{}
	var files []string
	for _, d := range l {
		p := d.Subject.Start
		if shown[p.Filename] >= MaxPerFile {
			if hidden[p.Filename] == 0 {
				files = append(files, p.Filename)
			}
			hidden[p.Filename]++
			continue
		}
		shown[p.Filename]++
		sev := ""
		if d.Severity == Warning {
			sev = "warning: "
		}
		fmt.Fprintf(w, "%s:%d:%d: %s%s [%s]\n", p.Filename, p.Line, p.Column, sev, oneLine(d.Summary), d.Code)
		if text := sourceOf(src, p.Filename); text != nil {
			ix := lines[p.Filename]
			if ix == nil {
				ix = newLineIndex(text)
				lines[p.Filename] = ix
			}
			writeExcerpt(w, ix, d.Subject)
		}
		if d.Detail != "" {
			fmt.Fprintf(w, "  %s\n", d.Detail)
		}
		if d.Hint != "" {
			fmt.Fprintf(w, "  hint: %s\n", d.Hint)
		}
		for _, n := range d.Notes {
			q := n.At.Start
			fmt.Fprintf(w, "  %s:%d:%d: note: %s\n", q.Filename, q.Line, q.Column, n.Message)
		}
	}
	for _, f := range files {
		fmt.Fprintf(w, "%s: %d more problems not shown (at most %d per file)\n", f, hidden[f], MaxPerFile)
	}
}

// sourceOf is the text of a file, or nil when there is none to show: an
// excerpt of a text the renderer does not have would be an empty line
// with a caret under nothing.
func sourceOf(src Sources, filename string) []byte {
	if src == nil {
		return nil
	}
	return src(filename)
}

// oneLine keeps a summary on its line: a summary quoting hostile text must
// not forge further lines of output.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\n\r") {
		return s
	}
	return strings.NewReplacer("\n", `\n`, "\r", `\r`).Replace(s)
}

// lineIndex finds lines of a text by number without splitting it.
type lineIndex struct {
	text   []byte
	starts []int
}

func newLineIndex(text []byte) *lineIndex {
	text = []byte(LineEnds(string(text)))
	ix := &lineIndex{text: text, starts: []int{0}}
	for i, c := range text {
		if c == '\n' {
			ix.starts = append(ix.starts, i+1)
		}
	}
	return ix
}

func (ix *lineIndex) line(n int) (string, bool) {
	if n < 1 || n > len(ix.starts) {
		return "", false
	}
	end := len(ix.text)
	if n < len(ix.starts) {
		end = ix.starts[n] - 1
	}
	return strings.TrimRight(string(ix.text[ix.starts[n-1]:end]), "\r"), true
}

func writeExcerpt(w io.Writer, ix *lineIndex, r Range) {
	line, ok := ix.line(r.Start.Line)
	if !ok {
		return
	}
	num := fmt.Sprint(r.Start.Line)
	col := r.Start.Column
	if col < 1 {
		col = 1
	}
	if col > len(line)+1 {
		col = len(line) + 1
	}
	width := 1
	switch {
	case r.End.Line == r.Start.Line && r.End.Column > col:
		width = r.End.Column - col
	case r.End.Line > r.Start.Line:
		// The range goes on below: underline the rest of this line's code.
		width = len(codeOf(line)) - (col - 1)
	}
	if max := len(line) - (col - 1); width > max {
		width = max
	}
	// Trim whitespace the range covers at its end (the next token's start).
	if col-1 < len(line) && width > 0 {
		seg := strings.TrimRight(line[col-1:col-1+width], " \t")
		if len(seg) > 0 {
			width = len(seg)
		}
	}
	if width < 1 {
		width = 1
	}
	// A long line is cut to a window around the subject, marked with "…".
	from, to := 0, len(line)
	if len(line) > excerptWidth {
		from = max(0, col-1-excerptWidth/3)
		to = min(len(line), from+excerptWidth)
		from, to = runeStart(line, from), runeStart(line, to)
		width = min(width, to-(col-1))
		if width < 1 {
			width = 1
		}
	}
	shown := line[from:to]
	lead := ""
	if from > 0 {
		shown, lead = "…"+shown, " "
	}
	if to < len(line) {
		shown += "…"
	}
	pad := strings.Repeat(" ", len(num))
	fmt.Fprintf(w, "  %s | %s\n", num, expandTabs(shown))
	fmt.Fprintf(w, "  %s | %s%s%s\n", pad, lead, strings.Repeat(" ", displayWidth(line[from:], col-1-from)), strings.Repeat("^", width))
}

// runeStart moves i back to the start of the UTF-8 sequence it falls in.
func runeStart(s string, i int) int {
	for i > 0 && i < len(s) && s[i]&0xC0 == 0x80 {
		i--
	}
	return i
}

// codeOf is line without a trailing "//" comment (outside strings).
func codeOf(line string) string {
	inString := false
	for i := 0; i < len(line); i++ {
		switch {
		case line[i] == '"' && (i == 0 || line[i-1] != '\\'):
			inString = !inString
		case !inString && strings.HasPrefix(line[i:], "//"):
			return strings.TrimRight(line[:i], " \t")
		}
	}
	return strings.TrimRight(line, " \t")
}

func expandTabs(s string) string { return strings.ReplaceAll(s, "\t", "    ") }

// displayWidth is the number of columns the first n bytes of line occupy.
func displayWidth(line string, n int) int {
	if n > len(line) {
		n = len(line)
	}
	if n < 0 {
		n = 0
	}
	w := 0
	for _, r := range line[:n] {
		if r == '\t' {
			w += 4
		} else {
			w++
		}
	}
	return w
}

// jsonDiag is the machine form of a diagnostic.
type jsonDiag struct {
	File     string     `json:"file"`
	Line     int        `json:"line"`
	Column   int        `json:"column"`
	EndLine  int        `json:"end_line"`
	EndCol   int        `json:"end_column"`
	Severity string     `json:"severity"`
	Code     Code       `json:"code"`
	Summary  string     `json:"summary"`
	Detail   string     `json:"detail,omitempty"`
	Hint     string     `json:"hint,omitempty"`
	Notes    []jsonNote `json:"notes,omitempty"`
}

type jsonNote struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Message string `json:"message"`
}

// MarshalJSON gives the list as an array of objects with positions.
func (l List) MarshalJSON() ([]byte, error) {
	out := make([]jsonDiag, 0, len(l))
	for _, d := range l {
		s, e := d.Subject.Start, d.Subject.End
		if e.Line == 0 {
			e = s
		}
		j := jsonDiag{File: s.Filename, Line: s.Line, Column: s.Column, EndLine: e.Line, EndCol: e.Column,
			Severity: d.Severity.String(), Code: d.Code, Summary: d.Summary, Detail: d.Detail, Hint: d.Hint}
		for _, n := range d.Notes {
			j.Notes = append(j.Notes, jsonNote{File: n.At.Start.Filename, Line: n.At.Start.Line, Column: n.At.Start.Column, Message: n.Message})
		}
		out = append(out, j)
	}
	return json.Marshal(out)
}

// LineEnds makes every line end of a source a '\n' without moving a byte:
// a lone '\r' (which editors and the LSP specification take as a line
// end) becomes '\n', and "\r\n" stays as it is (its '\r' is white space
// before the line end). Every position computed from the result, by the
// lexer, diagnostics or the language server, then agrees with what an
// editor shows. It returns text itself when it has no lone '\r'.
func LineEnds(text string) string {
	lone := func(s []byte, i int) bool { return s[i] == '\r' && (i+1 == len(s) || s[i+1] != '\n') }
	for i := 0; i < len(text); i++ {
		if text[i] == '\r' && lone([]byte(text[i:min(i+2, len(text))]), 0) {
			b := []byte(text)
			for j := i; j < len(b); j++ {
				if lone(b, j) {
					b[j] = '\n'
				}
			}
			return string(b)
		}
	}
	return text
}

// Count writes n with its noun, singular or plural: "1 unit", "3 units".
// A noun ending in s, x or ch takes "es"; irregular plurals are written
// "singular/plural" ("photo/photos" is not needed, "stimulus/stimuli" is).
func Count(n int, noun string) string {
	one, many, irregular := strings.Cut(noun, "/")
	if !irregular {
		many = one + "s"
		if strings.HasSuffix(one, "s") || strings.HasSuffix(one, "x") || strings.HasSuffix(one, "ch") {
			many = one + "es"
		}
	}
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
