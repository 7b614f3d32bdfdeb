package parser

import (
	"fmt"

	"github.com/alecthomas/participle/v2/lexer"

	"github.com/circc/circc/diag"
)

// MaxNesting is how deeply constructs may nest inside one declaration:
// brackets, prefix operators, "if", "^", "=>" and "for" each open a level.
// The parser, the checker, the evaluator and the formatter all recurse on
// the syntax tree, so the limit keeps their stacks small; no hand-written
// circuit comes near it.
const MaxNesting = 200

// tooDeep finds the first token of a declaration at which nesting passes
// MaxNesting, so that the declaration is reported instead of parsed. It
// works on tokens, before the recursive parser runs: each bracket opens a
// level that its partner closes; the other nesting tokens open a level that
// lasts until the end of the enclosing bracket or the next "," or ":" in it
// (an upper bound on the tree's depth, exact for the usual chains).
func tooDeep(toks []lexer.Token) (lexer.Token, bool) {
	type level struct{ extra int } // nesting tokens since the last separator
	stack := []level{{}}
	depth := 0
	prevEndsOperand := false
	for _, t := range toks {
		v := t.Value
		opens := false
		switch {
		case isOperand(t):
		case v == "(" || v == "[" || v == "{":
			stack = append(stack, level{})
			depth++
			opens = true
		case v == ")" || v == "]" || v == "}":
			if len(stack) > 1 {
				depth -= 1 + stack[len(stack)-1].extra
				stack = stack[:len(stack)-1]
			}
		case v == "," || v == ":":
			depth -= stack[len(stack)-1].extra
			stack[len(stack)-1].extra = 0
		case v == "if" || v == "^" || v == "=>" || v == "for" || v == "not",
			(v == "-" || v == "+") && !prevEndsOperand:
			stack[len(stack)-1].extra++
			depth++
			opens = true
		}
		if opens && depth > MaxNesting {
			return t, true
		}
		prevEndsOperand = isOperand(t) || v == ")" || v == "]" || v == "}" || v == "true" || v == "false"
	}
	return lexer.Token{}, false
}

func nestingDiag(t lexer.Token) *diag.Diagnostic {
	return &diag.Diagnostic{Code: diag.CodeNesting, Summary: fmt.Sprintf("constructs nested deeper than %d levels", MaxNesting),
		Detail:  "brackets, prefix operators, if, ^, => and for each open a level; name the inner parts with let",
		Subject: diag.RangeAt(t.Pos, len(t.Value))}
}

func isOperand(t lexer.Token) bool {
	return t.Type == tokString || t.Type == tokNumber || t.Type == tokSize || t.Type == tokIdent
}
