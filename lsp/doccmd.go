package lsp

import (
	"fmt"
	"sort"
	"strings"

	"github.com/circc/circc/compiler/check"
	"github.com/circc/circc/lang/ast"
	"github.com/circc/circc/lang/parser"
	"github.com/circc/circc/stdlib"
)

func parseQuiet(name string, src []byte) *ast.File {
	f, ds := parser.ParseFile("std/"+name+".circ", src)
	if ds.HasErrors() {
		return nil
	}
	return f
}

// Doc is circc doc's text: with no name, every standard-library module
// and its functions and lets; with MODULE, that module's; with
// MODULE.NAME, that declaration's signature and doc comment (what hover
// shows for it).
func Doc(name string) (string, error) {
	mod, member, _ := strings.Cut(name, ".")
	mods := stdlib.Modules()
	if mod != "" {
		if _, ok := stdlib.Source(mod); !ok {
			return "", fmt.Errorf("no standard-library module %q (there are %s)", mod, strings.Join(mods, ", "))
		}
		mods = []string{mod}
	}
	var b strings.Builder
	found := false
	for _, m := range mods {
		src, _ := stdlib.Source(m)
		f := parseQuiet(m, src)
		if f == nil {
			return "", fmt.Errorf("std/%s.circ does not parse", m)
		}
		if member == "" {
			fmt.Fprintf(&b, "module %s", m)
			if doc := check.DocComment(f.Header.Doc); doc != "" {
				fmt.Fprintf(&b, ": %s", firstLine(doc))
			}
			b.WriteString("\n")
		}
		var entries []string
		for _, decl := range f.Decls {
			var sig, doc, n string
			switch {
			case decl.Fn != nil:
				n, sig, doc = decl.Fn.Name.Name, "fn "+decl.Fn.Signature(), check.DocComment(decl.Fn.Doc)
			case decl.Let != nil:
				n, sig, doc = decl.Let.Name.Name, "let "+decl.Let.Name.Name, check.DocComment(decl.Let.Doc)
			default:
				continue
			}
			if member != "" && n != member {
				continue
			}
			found = true
			e := sig
			if member != "" {
				e = fmt.Sprintf("%s.%s\n%s\n\n%s\n", m, n, sig, doc)
			} else if doc != "" {
				e = fmt.Sprintf("  %s\n      %s", sig, firstLine(doc))
			} else {
				e = "  " + sig
			}
			entries = append(entries, e)
		}
		sort.Strings(entries)
		for _, e := range entries {
			b.WriteString(e + "\n")
		}
	}
	if member != "" && !found {
		return "", fmt.Errorf("module %s has no function or let %q", mod, member)
	}
	return b.String(), nil
}

// firstLine is a doc comment's first sentence, on one line: a sentence
// may run over several lines of the comment, and "et al." or "e.g." do not
// end one.
func firstLine(s string) string {
	para, _, _ := strings.Cut(s, "\n\n")
	text := strings.Join(strings.Fields(para), " ")
	for i := 0; i < len(text); i++ {
		if text[i] != '.' || i+1 < len(text) && text[i+1] != ' ' {
			continue
		}
		word := text[strings.LastIndexByte(text[:i], ' ')+1 : i]
		switch strings.ToLower(word) {
		case "al", "e.g", "i.e", "cf", "vs", "fig", "eq":
			continue
		}
		return text[:i+1]
	}
	return text
}
