package lsp

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/afero"
	"github.com/tliron/glsp"
	protocol "github.com/tliron/glsp/protocol_3_16"

	"github.com/circc/circc/internal/safefs"
	"github.com/circc/circc/models"
)

// TestStdlibCopyIsPrivateAndFollowsNoLink: a link planted where the copy
// goes is replaced, its target untouched; the folder is the user's alone;
// without a cache folder the copy goes to a fresh private folder.
func TestStdlibCopyIsPrivateAndFollowsNoLink(t *testing.T) {
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)
	victim := filepath.Join(t.TempDir(), "victim.txt")
	os.WriteFile(victim, []byte("mine"), 0o600)
	dir := filepath.Join(cache, "circc", "stdlib")
	os.MkdirAll(dir, 0o700)
	os.Symlink(victim, filepath.Join(dir, "filters.circ"))

	s := New(afero.NewOsFs(), models.Builtin, "test")
	p, err := s.stdlibCopy("filters")
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(victim); string(got) != "mine" {
		t.Errorf("the link's target was written: %q", got)
	}
	if fi, _ := os.Stat(victim); fi.Mode().Perm() != 0o600 {
		t.Errorf("the link's target's mode became %v", fi.Mode())
	}
	fi, err := os.Lstat(p)
	if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm() != 0o444 {
		t.Errorf("the copy %s: %v %v", p, fi, err)
	}
	if d, _ := os.Lstat(filepath.Dir(p)); d.Mode().Perm()&0o077 != 0 {
		t.Errorf("the folder's mode is %v", d.Mode())
	}

	// A cache folder others can write to is not used; nor is one without
	// a home: a fresh 0700 folder is.
	os.Chmod(dir, 0o777)
	s2 := New(afero.NewOsFs(), models.Builtin, "test")
	p2, err := s2.stdlibCopy("filters")
	if err != nil || filepath.Dir(p2) == dir {
		t.Fatalf("a world-writable cache folder was used: %s %v", p2, err)
	}
	if d, _ := os.Lstat(filepath.Dir(p2)); d.Mode().Perm() != 0o700 {
		t.Errorf("fallback folder mode %v", d.Mode())
	}
	os.RemoveAll(filepath.Dir(p2))
}

// TestLoneCarriageReturnEndsALine: "// note\r bias 5" is a comment and a
// line of code, as editors show it, and positions count the line.
func TestLoneCarriageReturnEndsALine(t *testing.T) {
	var published []protocol.Diagnostic
	ctx := &glsp.Context{Notify: func(m string, p any) {
		if d, ok := p.(protocol.PublishDiagnosticsParams); ok {
			published = d.Diagnostics
		}
	}}
	s := New(afero.NewMemMapFs(), models.Builtin, "test")
	uri := "file:///w/x.circ"
	text := "library x\r// note\rlet a = 1deg + 1px\r"
	if err := s.didOpen(ctx, &protocol.DidOpenTextDocumentParams{TextDocument: protocol.TextDocumentItem{URI: uri, Text: text}}); err != nil {
		t.Fatal(err)
	}
	if len(published) != 1 || published[0].Range.Start.Line != 2 || published[0].Range.Start.Character != 8 {
		t.Fatalf("diagnostics %+v, want one on line 2 (0-based) at column 8", published)
	}
}

// TestBurstOfChangesIsCheckedOnce: 3,000 quick edits cost one check of the
// latest text, so the next hover answers at once, about that text.
func TestBurstOfChangesIsCheckedOnce(t *testing.T) {
	src, err := os.ReadFile("../circuits/curves.circ")
	if err != nil {
		t.Fatal(err)
	}
	s := New(afero.NewOsFs(), models.Builtin, "test")
	repo, _ := filepath.Abs("..")
	uri := "file://" + filepath.Join(repo, "circuits", "curves.circ")
	open(t, s, uri, string(src))
	start := time.Now()
	for i := 0; i < 3000; i++ {
		change(t, s, uri, string(src)+"\nlet typed"+strings.Repeat("x", i%7)+" = 1")
	}
	final := string(src) + "\nlet typed_last = 1deg\nlet use_it = typed_last"
	change(t, s, uri, final)
	h, err := s.hover(quiet, &protocol.HoverParams{TextDocumentPositionParams: protocol.TextDocumentPositionParams{
		TextDocument: protocol.TextDocumentIdentifier{URI: uri}, Position: position(final, len(final)-3)}})
	if err != nil || h == nil || !strings.Contains(h.Contents.(protocol.MarkupContent).Value, "typed_last") {
		t.Fatalf("hover on the latest text: %+v %v", h, err)
	}
	// Each check of curves.circ takes about 20 ms: 3,000 of them would
	// take a minute; one takes well under the bound.
	if el := time.Since(start); el > 15*time.Second {
		t.Errorf("3,000 changes and a hover took %v", el)
	}
}

// TestHugeDocumentIsNotChecked: a document past the command line's limit
// on a source is refused with one diagnostic, as circc check refuses it.
func TestHugeDocumentIsNotChecked(t *testing.T) {
	var published []protocol.Diagnostic
	ctx := &glsp.Context{Notify: func(m string, p any) {
		if d, ok := p.(protocol.PublishDiagnosticsParams); ok {
			published = d.Diagnostics
		}
	}}
	s := New(afero.NewMemMapFs(), models.Builtin, "test")
	text := "library x\n" + strings.Repeat("let a = 1\n", safefs.MaxSource/10+1)
	s.didOpen(ctx, &protocol.DidOpenTextDocumentParams{TextDocument: protocol.TextDocumentItem{URI: "file:///w/x.circ", Text: text}})
	if len(published) != 1 || !strings.Contains(published[0].Message, "more than the limit of 16777216") {
		t.Fatalf("got %d diagnostics: %+v", len(published), published[:min(2, len(published))])
	}
}

// panicky is a registry whose lookups panic: a stand-in for a bug in the
// checker.
type panicky struct{ models.Registry }

func (panicky) Lookup(string) (*models.Manifest, bool) { panic("boom") }

// TestCheckerBugIsADiagnostic: the checker no longer hides its own panics
// (the command line reports them as bugs, exit 3); the language server
// shows one as a diagnostic and goes on serving.
func TestCheckerBugIsADiagnostic(t *testing.T) {
	var published []protocol.Diagnostic
	ctx := &glsp.Context{Notify: func(m string, p any) {
		if d, ok := p.(protocol.PublishDiagnosticsParams); ok {
			published = d.Diagnostics
		}
	}}
	s := New(afero.NewMemMapFs(), panicky{models.Builtin}, "test")
	text := "circuit c\n\ninput image(c in [\"r\"]) size 8x8 range 0 .. 1\nlayer l = conv 1x1\nablate inceptionv1.mixed3b[1]\n"
	s.didOpen(ctx, &protocol.DidOpenTextDocumentParams{TextDocument: protocol.TextDocumentItem{URI: "file:///w/x.circ", Text: text}})
	if len(published) != 1 || !strings.Contains(published[0].Message, "internal error in the checker: boom") {
		t.Fatalf("%+v", published)
	}
	if _, err := s.hover(quiet, &protocol.HoverParams{TextDocumentPositionParams: protocol.TextDocumentPositionParams{TextDocument: protocol.TextDocumentIdentifier{URI: "file:///w/x.circ"}}}); err != nil {
		t.Errorf("the server stopped serving: %v", err)
	}
}
