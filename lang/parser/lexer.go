package parser

import (
	"github.com/alecthomas/participle/v2/lexer"
)

// Keywords are reserved: they never lex as identifiers.
var Keywords = []string{
	"circuit", "library", "import", "as", "input", "layer", "let", "fn",
	"family", "unit", "from", "weight", "where", "at", "match", "to",
	"using", "expect", "replace", "with", "set", "ablate", "kernel", "table",
	"if", "then", "else", "for", "in", "and", "or", "not", "true", "false", "step",
}

// declKeywords start a top-level declaration; the parser resynchronises on
// them after a syntax error.
var declKeywords = map[string]bool{
	"circuit": true, "library": true, "import": true, "input": true, "layer": true,
	"let": true, "fn": true, "family": true, "unit": true, "match": true,
	"expect": true, "replace": true, "set": true, "ablate": true,
}

func keywordPattern() string {
	p := `\b(?:`
	for i, k := range Keywords {
		if i > 0 {
			p += "|"
		}
		p += k
	}
	return p + `)\b`
}

// Lexer is the token definition of circ. Order matters: the first rule that
// matches wins. A number's unit is lexed with it ("10deg") so that a space
// between them is an error the checker can explain.
var Lexer = lexer.MustSimple([]lexer.SimpleRule{
	{Name: "DocComment", Pattern: `///[^\n]*`},
	{Name: "Comment", Pattern: `//[^\n]*`},
	{Name: "Whitespace", Pattern: `[ \t\r\n]+`},
	{Name: "String", Pattern: `"(?:\\.|[^"\\\n])*"`},
	{Name: "Size", Pattern: `\d+x\d+\b`},
	{Name: "Number", Pattern: `(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?[\p{L}_°]*`},
	{Name: "Keyword", Pattern: keywordPattern()},
	// A name may carry version numbers (squeezenet1.0): reference models
	// are named so; the checker refuses them in declarations.
	{Name: "Ident", Pattern: `[\p{L}_][\p{L}\p{N}_]*(?:\.\d+\b)*`},
	{Name: "Punct", Pattern: `\.\.<|\.\.|=>|==|!=|<=|>=|[-+*/%^<>=(){}\[\],:.~]`},
	// Invalid catches any other character so that lexing never stops early;
	// the parser reports each one and skips it.
	{Name: "Invalid", Pattern: `"[^"\n]*|.`},
})
