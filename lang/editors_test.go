package lang

import (
	"encoding/json"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/alecthomas/participle/v2/lexer"

	"github.com/circc/circc/lang/parser"
)

type tmPattern struct {
	Name     string                           `json:"name"`
	Match    string                           `json:"match"`
	Captures map[string]struct{ Name string } `json:"captures"`
	re       *regexp.Regexp
}

// scopes runs a TextMate grammar's top-level patterns over one line, as
// an editor does: at each point the earliest match wins, the first
// pattern on a tie. It returns the scope of each byte ("" for none).
func scopes(pats []tmPattern, line string) []string {
	out := make([]string, len(line))
	for pos := 0; pos < len(line); {
		best, bestAt := -1, []int(nil)
		for i, p := range pats {
			loc := p.re.FindStringSubmatchIndex(line[pos:])
			if loc != nil && (bestAt == nil || loc[0] < bestAt[0]) {
				best, bestAt = i, loc
			}
		}
		if best < 0 {
			break
		}
		p := pats[best]
		if p.Name != "" {
			for k := pos + bestAt[0]; k < pos+bestAt[1]; k++ {
				out[k] = p.Name
			}
		}
		for g, c := range p.Captures {
			n := int(g[0] - '0')
			if s, e := bestAt[2*n], bestAt[2*n+1]; s >= 0 {
				for k := pos + s; k < pos+e; k++ {
					out[k] = c.Name
				}
			}
		}
		pos += max(bestAt[1], 1)
	}
	return out
}

// TestTextMateGrammar: editors/vscode's grammar is valid, knows exactly
// the language's keywords, and colours every example circuit as circ's
// own lexer reads it: each keyword, number, string and comment token gets
// its kind of scope.
func TestTextMateGrammar(t *testing.T) {
	data, err := os.ReadFile("../editors/vscode/syntaxes/circ.tmLanguage.json")
	if err != nil {
		t.Fatal(err)
	}
	var g struct {
		ScopeName string      `json:"scopeName"`
		Patterns  []tmPattern `json:"patterns"`
	}
	if err := json.Unmarshal(data, &g); err != nil {
		t.Fatal(err)
	}
	var words []string
	for i := range g.Patterns {
		p := &g.Patterns[i]
		if p.re, err = regexp.Compile(p.Match); err != nil {
			t.Fatalf("pattern %q: %v", p.Match, err)
		}
		if strings.HasPrefix(p.Name, "keyword.control") || strings.HasPrefix(p.Name, "keyword.other") || strings.HasPrefix(p.Name, "constant.language") {
			inner := strings.TrimSuffix(strings.TrimPrefix(p.Match, `\b(?:`), `)\b`)
			words = append(words, strings.Split(inner, "|")...)
		}
	}
	sort.Strings(words)
	want := append([]string(nil), parser.Keywords...)
	sort.Strings(want)
	if strings.Join(words, " ") != strings.Join(want, " ") {
		t.Errorf("the grammar's keywords\n  %v\nare not the lexer's\n  %v", words, want)
	}
	symbols := parser.Lexer.Symbols()
	kinds := map[lexer.TokenType]string{symbols["Keyword"]: "keyword|constant.language", symbols["Number"]: "constant.numeric",
		symbols["Size"]: "constant.numeric", symbols["String"]: "string", symbols["Comment"]: "comment", symbols["DocComment"]: "comment.line.documentation"}
	checked := 0
	for _, file := range []string{"../circuits/curves.circ", "../circuits/highlow.circ"} {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(src), "\n")
		sc := make([][]string, len(lines))
		for i, l := range lines {
			sc[i] = scopes(g.Patterns, l)
		}
		lx, err := parser.Lexer.Lex(file, strings.NewReader(string(src)))
		if err != nil {
			t.Fatal(err)
		}
		for {
			tok, err := lx.Next()
			if err != nil || tok.EOF() {
				break
			}
			kind, ok := kinds[tok.Type]
			if !ok {
				continue
			}
			got := sc[tok.Pos.Line-1][tok.Pos.Column-1]
			if !regexp.MustCompile(`^(` + kind + `)`).MatchString(got) {
				t.Errorf("%s:%d:%d: %q is coloured %q", file, tok.Pos.Line, tok.Pos.Column, tok.Value, got)
			}
			checked++
		}
	}
	if checked < 300 {
		t.Errorf("only %d tokens checked", checked)
	}
}
