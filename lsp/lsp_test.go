package lsp

import (
	"math/rand"
	"os"
	"path/filepath"
	"testing"

	"github.com/spf13/afero"
	"github.com/tliron/glsp"
	protocol "github.com/tliron/glsp/protocol_3_16"

	"github.com/circc/circc/internal/corpus"
	"github.com/circc/circc/models"
)

var quiet = &glsp.Context{Notify: func(string, any) {}}

func open(t testing.TB, s *Server, uri, text string) {
	t.Helper()
	if err := s.didOpen(quiet, &protocol.DidOpenTextDocumentParams{TextDocument: protocol.TextDocumentItem{URI: uri, LanguageID: "circ", Version: 1, Text: text}}); err != nil {
		t.Fatal(err)
	}
}

func change(t testing.TB, s *Server, uri, text string) {
	t.Helper()
	p := &protocol.DidChangeTextDocumentParams{TextDocument: protocol.VersionedTextDocumentIdentifier{TextDocumentIdentifier: protocol.TextDocumentIdentifier{URI: uri}, Version: 2},
		ContentChanges: []any{protocol.TextDocumentContentChangeEventWhole{Text: text}}}
	if err := s.didChange(quiet, p); err != nil {
		t.Fatal(err)
	}
}

// everything asks the server every question at a position: none may
// panic, whatever the text.
func everything(s *Server, uri string, pos protocol.Position) {
	doc := protocol.TextDocumentIdentifier{URI: uri}
	tp := protocol.TextDocumentPositionParams{TextDocument: doc, Position: pos}
	s.hover(quiet, &protocol.HoverParams{TextDocumentPositionParams: tp})
	s.definition(quiet, &protocol.DefinitionParams{TextDocumentPositionParams: tp})
	s.references(quiet, &protocol.ReferenceParams{TextDocumentPositionParams: tp, Context: protocol.ReferenceContext{IncludeDeclaration: true}})
	s.completion(quiet, &protocol.CompletionParams{TextDocumentPositionParams: tp})
	s.signatureHelp(quiet, &protocol.SignatureHelpParams{TextDocumentPositionParams: tp})
	s.symbols(quiet, &protocol.DocumentSymbolParams{TextDocument: doc})
	s.formatting(quiet, &protocol.DocumentFormattingParams{TextDocument: doc})
}

// FuzzEdits: from every circ source of the repository, any edit (the text
// the fuzzer makes), then every request at positions in and past it,
// never panics. Incremental edits with ranges anywhere go through too.
func FuzzEdits(f *testing.F) {
	root, _ := filepath.Abs("../")
	for _, src := range corpus.CircSources(root) {
		f.Add(string(src), uint32(len(src)/2))
	}
	f.Fuzz(func(t *testing.T, text string, at uint32) {
		s := New(afero.NewMemMapFs(), models.Builtin, "test")
		uri := "file:///work/x.circ"
		open(t, s, uri, "library x\n")
		change(t, s, uri, text)
		rng := rand.New(rand.NewSource(int64(at)))
		for k := 0; k < 4; k++ {
			pos := protocol.Position{Line: protocol.UInteger(rng.Intn(40)), Character: protocol.UInteger(rng.Intn(120))}
			everything(s, uri, pos)
		}
		r := protocol.Range{Start: protocol.Position{Line: protocol.UInteger(at % 50), Character: protocol.UInteger(at % 7)}, End: protocol.Position{Line: protocol.UInteger(at % 13), Character: 200}}
		p := &protocol.DidChangeTextDocumentParams{TextDocument: protocol.VersionedTextDocumentIdentifier{TextDocumentIdentifier: protocol.TextDocumentIdentifier{URI: uri}, Version: 3},
			ContentChanges: []any{protocol.TextDocumentContentChangeEvent{Range: &r, Text: "(let ]"}}}
		if err := s.didChange(quiet, p); err != nil {
			t.Fatal(err)
		}
		everything(s, uri, protocol.Position{Line: protocol.UInteger(at % 30), Character: protocol.UInteger(at % 40)})
	})
}

// BenchmarkKeystroke: typing in curves.circ, one character at a time: the
// time from the change to its diagnostics (the whole check), per
// keystroke, warmed up. The target is below 100 ms.
func BenchmarkKeystroke(b *testing.B) {
	src, err := os.ReadFile("../circuits/curves.circ")
	if err != nil {
		b.Fatal(err)
	}
	repo, _ := filepath.Abs("..")
	path := filepath.Join(repo, "circuits", "curves.circ")
	s := New(afero.NewOsFs(), models.Builtin, "bench")
	uri := "file://" + path
	open(b, s, uri, string(src))
	texts := []string{string(src) + "\nlet typed = 1", string(src) + "\nlet typed = 12"}
	change(b, s, uri, texts[0])
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		change(b, s, uri, texts[i%2])
		s.mu.Lock()
		s.fresh(uri) // the check the change leads to
		s.mu.Unlock()
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/keystroke")
}
