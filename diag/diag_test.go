package diag

import (
	"bytes"
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/alecthomas/participle/v2/lexer"
)

func TestSuggest(t *testing.T) {
	cands := []string{"curve", "edge", "gabor", "mixed3a", "mixed3b", "pearson_r"}
	for _, tc := range []struct{ in, want string }{
		{"cruve", "curve"}, // transposition
		{"edg", "edge"},
		{"mixed3c", "mixed3a"}, // ties go to the first in sorted order
		{"pearson", "pearson_r"},
		{"zzzzz", ""},
		{"c", ""}, // too short to guess
		{"curve", ""},
	} {
		if got := Suggest(tc.in, cands); got != tc.want {
			t.Errorf("Suggest(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func pos(line, col, off int) lexer.Position {
	return lexer.Position{Filename: "a.circ", Line: line, Column: col, Offset: off}
}

func TestRenderAndSort(t *testing.T) {
	src := []byte("circuit a\nlet x = cruve + 1\n\tlet y = 2\n")
	l := List{
		{Code: "undefined", Summary: "second", Subject: RangeAt(pos(3, 6, 0), 3)},
		{Code: "undefined", Summary: `undefined name "cruve"`, Hint: `did you mean "curve"?`, Subject: RangeAt(pos(2, 9, 18), 5),
			Notes: []Note{{Message: "declared here", At: RangeAt(pos(1, 9, 8), 1)}}},
		{Code: "undefined", Summary: "second", Subject: RangeAt(pos(3, 6, 0), 3)}, // duplicate
	}
	l.Sort()
	if len(l) != 2 || l[0].Summary != `undefined name "cruve"` {
		t.Fatalf("sort/dedupe: got %v", l)
	}
	var b bytes.Buffer
	l.WriteText(&b, func(string) []byte { return src })
	want := `a.circ:2:9: undefined name "cruve" [undefined]
  2 | let x = cruve + 1
    |         ^^^^^
  hint: did you mean "curve"?
  a.circ:1:9: note: declared here
a.circ:3:6: second [undefined]
  3 |     let y = 2
    |         ^^^
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
	j, err := json.Marshal(l)
	if err != nil {
		t.Fatal(err)
	}
	var back []map[string]any
	if err := json.Unmarshal(j, &back); err != nil {
		t.Fatal(err)
	}
	if back[0]["line"].(float64) != 2 || back[0]["column"].(float64) != 9 || back[0]["end_column"].(float64) != 14 || back[0]["code"] != "undefined" {
		t.Errorf("json: %s", j)
	}
	if !strings.Contains(l.Error(), "a.circ:2:9: undefined name") || !l.HasErrors() || (List{}).Err() != nil {
		t.Error("error interface")
	}
}

// TestRenderingStaysSmall: a file with 50,000 problems shows MaxPerFile of
// them and says how many more there are; a 2 MB line is cut around the
// caret, so the output does not grow with the line.
func TestRenderingStaysSmall(t *testing.T) {
	src := []byte(strings.Repeat("$\n", 50000))
	var l List
	for i := 1; i <= 50000; i++ {
		l = append(l, &Diagnostic{Code: "syntax", Summary: "unexpected character", Subject: RangeAt(lexer.Position{Filename: "a.circ", Line: i, Column: 1, Offset: 2 * (i - 1)}, 1)})
	}
	var b bytes.Buffer
	l.WriteText(&b, func(string) []byte { return src })
	if n := strings.Count(b.String(), "unexpected character [syntax]"); n != MaxPerFile {
		t.Errorf("%d diagnostics shown, want %d", n, MaxPerFile)
	}
	if !strings.HasSuffix(b.String(), "a.circ: 49900 more problems not shown (at most 100 per file)\n") {
		t.Errorf("no count of the rest: %q", b.String()[max(0, b.Len()-200):])
	}

	line := strings.Repeat("1 + ", 500000) + "$"
	d := List{{Code: "syntax", Summary: "unexpected character", Subject: RangeAt(lexer.Position{Filename: "b.circ", Line: 1, Column: len(line), Offset: len(line) - 1}, 1)}}
	b.Reset()
	d.WriteText(&b, func(string) []byte { return []byte(line) })
	out := strings.Split(b.String(), "\n")
	if b.Len() > 500 || len(out) != 4 || !strings.HasSuffix(out[1], "1 + $") || !strings.Contains(out[1], "…") {
		t.Fatalf("%d bytes:\n%s", b.Len(), b.String())
	}
	// The caret stands under the $.
	if strings.Index(out[2], "^") != strings.Index(out[1], "$")-len("…")+1 {
		t.Errorf("caret misplaced:\n%s\n%s", out[1], out[2])
	}
	// A summary that quotes a newline stays on its line.
	b.Reset()
	List{{Code: "import", Summary: "cannot read \"a\nb.circ: forged [x]\"", Subject: RangeAt(lexer.Position{Filename: "c.circ", Line: 1, Column: 1}, 1)}}.WriteText(&b, nil)
	if strings.Count(b.String(), "\n") != 1 {
		t.Errorf("a summary broke its line: %q", b.String())
	}
}

// TestCodesDocumented: every code has a row in spec.md's table of codes,
// and the table names no code that does not exist.
func TestCodesDocumented(t *testing.T) {
	spec, err := os.ReadFile("../spec.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(spec)
	start := strings.Index(text, "| code | problem |")
	end := strings.Index(text[start:], "\n\n")
	if start < 0 || end < 0 {
		t.Fatal("spec.md has no table of codes")
	}
	table := text[start : start+end]
	documented := map[string]bool{}
	for _, m := range regexp.MustCompile("(?m)^\\| ((?:`[a-z-]+`(?:, )?)+) \\|").FindAllStringSubmatch(table, -1) {
		for _, c := range regexp.MustCompile("`([a-z-]+)`").FindAllStringSubmatch(m[1], -1) {
			documented[c[1]] = true
		}
	}
	for _, c := range Codes {
		if !documented[string(c)] {
			t.Errorf("code %q is not in spec.md's table", c)
		}
		delete(documented, string(c))
	}
	for c := range documented {
		t.Errorf("spec.md documents %q, which is no code", c)
	}
}

func TestCount(t *testing.T) {
	for _, c := range []struct {
		n    int
		noun string
		want string
	}{
		{1, "unit", "1 unit"}, {0, "unit", "0 units"}, {3, "edit", "3 edits"},
		{1, "stimulus/stimuli", "1 stimulus"}, {36, "stimulus/stimuli", "36 stimuli"},
		{2, "box", "2 boxes"}, {2, "batch", "2 batches"}, {1, "natural channel", "1 natural channel"},
	} {
		if got := Count(c.n, c.noun); got != c.want {
			t.Errorf("Count(%d, %q) = %q, want %q", c.n, c.noun, got, c.want)
		}
	}
}
