package lsp

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/spf13/afero"
	"github.com/tliron/glsp"
	protocol "github.com/tliron/glsp/protocol_3_16"
	glspserver "github.com/tliron/glsp/server"

	"github.com/circc/circc/compiler/check"
	"github.com/circc/circc/compiler/expand"
	"github.com/circc/circc/diag"
	"github.com/circc/circc/internal/safefs"
	"github.com/circc/circc/lang/ast"
	"github.com/circc/circc/lang/format"
	"github.com/circc/circc/models"
	"github.com/circc/circc/stdlib"
)

// Name is the server's name in the protocol.
const Name = "circc"

// Server holds the open documents.
type Server struct {
	fs      afero.Fs // files on disk
	reg     models.Registry
	version string
	mu      sync.Mutex
	docs    map[string]*document // by URI
	// published: the files each document's last diagnostics were about,
	// so that a problem fixed in an import is cleared there too.
	published map[string][]string
	stdDir    string // the read-only copy of the standard library
	handler   protocol.Handler
	// notify sends to the client; flush is the pending check of the
	// documents changed since their last one (nil when none is pending).
	notify glsp.NotifyFunc
	flush  *time.Timer
}

// settle is how long the server waits after a change before checking:
// changes that come faster are checked once, on the latest text.
const settle = 25 * time.Millisecond

// document is an open file: its text and what the checker made of it.
type document struct {
	uri, path string
	text      string
	stale     bool           // changed since the last check
	prog      *check.Program // the latest check (nil before the first)
	index     *check.Index
	diags     diag.List
	// expanded is the compiled network of expandedText, for hover.
	expanded     *expand.Network
	expandedText string
}

// New returns a server reading files through fsys and reference models
// through reg.
func New(fsys afero.Fs, reg models.Registry, version string) *Server {
	s := &Server{fs: fsys, reg: reg, version: version, docs: map[string]*document{}, published: map[string][]string{}}
	s.handler = protocol.Handler{
		Initialize:                 s.initialize,
		Initialized:                func(*glsp.Context, *protocol.InitializedParams) error { return nil },
		Shutdown:                   func(*glsp.Context) error { return nil },
		SetTrace:                   func(*glsp.Context, *protocol.SetTraceParams) error { return nil },
		TextDocumentDidOpen:        s.didOpen,
		TextDocumentDidChange:      s.didChange,
		TextDocumentDidClose:       s.didClose,
		TextDocumentDidSave:        func(*glsp.Context, *protocol.DidSaveTextDocumentParams) error { return nil },
		TextDocumentHover:          s.hover,
		TextDocumentDefinition:     s.definition,
		TextDocumentReferences:     s.references,
		TextDocumentDocumentSymbol: s.symbols,
		TextDocumentCompletion:     s.completion,
		TextDocumentFormatting:     s.formatting,
		TextDocumentSignatureHelp:  s.signatureHelp,
	}
	return s
}

// RunStdio serves one client on stdin and stdout until it exits or the
// connection ends.
func (s *Server) RunStdio() error {
	return glspserver.NewServer(&s.handler, Name, false).RunStdio()
}

func (s *Server) initialize(_ *glsp.Context, _ *protocol.InitializeParams) (any, error) {
	caps := s.handler.CreateServerCapabilities()
	full := protocol.TextDocumentSyncKindFull
	caps.TextDocumentSync = protocol.TextDocumentSyncOptions{OpenClose: &yes, Change: &full, Save: &protocol.SaveOptions{}}
	caps.CompletionProvider = &protocol.CompletionOptions{TriggerCharacters: []string{".", " "}}
	caps.SignatureHelpProvider = &protocol.SignatureHelpOptions{TriggerCharacters: []string{"(", ","}}
	return protocol.InitializeResult{Capabilities: caps, ServerInfo: &protocol.InitializeResultServerInfo{Name: Name, Version: &s.version}}, nil
}

var yes = true

func (s *Server) didOpen(ctx *glsp.Context, p *protocol.DidOpenTextDocumentParams) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := &document{uri: p.TextDocument.URI, path: pathOf(p.TextDocument.URI), text: diag.LineEnds(p.TextDocument.Text)}
	s.docs[d.uri] = d
	s.notify = ctx.Notify
	s.publish(ctx.Notify, d)
	return nil
}

// didChange takes the new text and leaves its check to a moment later
// (or to the next request on the document), so that a burst of changes
// costs one check of the latest text, not one per change.

func (s *Server) didChange(ctx *glsp.Context, p *protocol.DidChangeTextDocumentParams) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.docs[p.TextDocument.URI]
	if d == nil {
		return fmt.Errorf("%s is not open", p.TextDocument.URI)
	}
	for _, c := range p.ContentChanges {
		switch c := c.(type) {
		case protocol.TextDocumentContentChangeEventWhole:
			d.text = c.Text
		case protocol.TextDocumentContentChangeEvent:
			d.text = applyEdit(d.text, c.Range, c.Text)
		}
		d.text = diag.LineEnds(d.text)
	}
	d.stale = true
	s.notify = ctx.Notify
	if s.flush == nil {
		s.flush = time.AfterFunc(settle, s.checkStale)
	}
	return nil
}

// checkStale checks and publishes every document changed since its last
// check.
func (s *Server) checkStale() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.flush = nil
	uris := make([]string, 0, len(s.docs))
	for u, d := range s.docs {
		if d.stale {
			uris = append(uris, u)
		}
	}
	sort.Strings(uris)
	for _, u := range uris {
		s.publish(s.notify, s.docs[u])
	}
}

// fresh is an open document, checked first if it changed since its last
// check, so that a request answers about the text the editor has.
func (s *Server) fresh(uri string) *document {
	d := s.docs[uri]
	if d != nil && d.stale {
		s.publish(s.notify, d)
	}
	return d
}

func (s *Server) didClose(ctx *glsp.Context, p *protocol.DidCloseTextDocumentParams) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.docs, p.TextDocument.URI)
	for _, f := range s.published[p.TextDocument.URI] {
		ctx.Notify(protocol.ServerTextDocumentPublishDiagnostics, protocol.PublishDiagnosticsParams{URI: s.uriOf(f), Diagnostics: []protocol.Diagnostic{}})
	}
	delete(s.published, p.TextDocument.URI)
	return nil
}

// overlay is the files on disk with every open document's text over them,
// so that an unsaved import is checked as the editor shows it.
func (s *Server) overlay() afero.Fs {
	mem := afero.NewMemMapFs()
	for _, d := range s.docs {
		if d.path != "" {
			mem.MkdirAll(filepath.Dir(d.path), 0o755)
			afero.WriteFile(mem, d.path, []byte(d.text), 0o644)
		}
	}
	return afero.NewCopyOnWriteFs(afero.NewReadOnlyFs(s.fs), mem)
}

// Check runs the checker on a document's text: the same function, files
// and models as circc check.
func (s *Server) check(d *document) {
	d.stale = false
	path := d.path
	if path == "" {
		path = "untitled.circ"
	}
	if len(d.text) > safefs.MaxSource {
		d.diags = diag.List{{Severity: diag.Error, Code: diag.CodeInternal, Subject: diag.RangeAt(ast.Pos{Filename: path, Line: 1, Column: 1}, 0),
			Summary: fmt.Sprintf("the document is %d bytes, more than the limit of %d for a circ source; it is not checked", len(d.text), safefs.MaxSource)}}
		return
	}
	prog, ds, err := checkSafely(s.overlay(), path, []byte(d.text), s.reg)
	if err != nil {
		ds = diag.List{{Severity: diag.Error, Code: diag.CodeInternal, Summary: err.Error(), Subject: diag.RangeAt(ast.Pos{Filename: path, Line: 1, Column: 1}, 0)}}
	}
	d.diags = ds
	// A text that does not parse keeps the last index and syntax tree, so
	// that hover and completion go on working while a line is half typed.
	if prog != nil && prog.Main != nil && prog.Main.AST != nil {
		d.prog, d.index = prog, prog.Index()
	}
}

// publish checks a document and sends its diagnostics, grouped by file
// (problems in imports go to the imported files), clearing files whose
// problems are gone.
func (s *Server) publish(notify glsp.NotifyFunc, d *document) {
	s.check(d)
	byFile := map[string][]protocol.Diagnostic{}
	for _, dg := range d.diags {
		f := dg.Subject.Start.Filename
		byFile[f] = append(byFile[f], s.toProtocol(d, dg))
	}
	if _, ok := byFile[d.path]; !ok {
		byFile[d.path] = nil
	}
	for _, f := range s.published[d.uri] {
		if _, ok := byFile[f]; !ok {
			byFile[f] = nil
		}
	}
	files := make([]string, 0, len(byFile))
	for f := range byFile {
		files = append(files, f)
	}
	sort.Strings(files)
	s.published[d.uri] = files
	for _, f := range files {
		ds := byFile[f]
		if ds == nil {
			ds = []protocol.Diagnostic{}
		}
		notify(protocol.ServerTextDocumentPublishDiagnostics, protocol.PublishDiagnosticsParams{URI: s.uriOf(f), Diagnostics: ds})
	}
}

// toProtocol is a checker diagnostic in the protocol's terms: the same
// code, message, span and hints as circc check prints.
func (s *Server) toProtocol(d *document, dg *diag.Diagnostic) protocol.Diagnostic {
	src := s.sourceOf(d, dg.Subject.Start.Filename)
	sev := protocol.DiagnosticSeverityError
	if dg.Severity == diag.Warning {
		sev = protocol.DiagnosticSeverityWarning
	}
	msg := dg.Summary
	if dg.Detail != "" {
		msg += "\n" + dg.Detail
	}
	if dg.Hint != "" {
		msg += "\nhint: " + dg.Hint
	}
	code := protocol.IntegerOrString{Value: string(dg.Code)}
	source := Name
	out := protocol.Diagnostic{Range: rangeOf(src, dg.Subject.Start, dg.Subject.End), Severity: &sev, Code: &code, Source: &source, Message: msg}
	for _, n := range dg.Notes {
		nsrc := s.sourceOf(d, n.At.Start.Filename)
		out.RelatedInformation = append(out.RelatedInformation, protocol.DiagnosticRelatedInformation{
			Location: protocol.Location{URI: s.uriOf(n.At.Start.Filename), Range: rangeOf(nsrc, n.At.Start, n.At.End)}, Message: n.Message})
	}
	return out
}

// sourceOf is the text of a file of a document's program.
func (s *Server) sourceOf(d *document, file string) string {
	switch {
	case file == d.path:
		return d.text
	case d.prog == nil:
		return ""
	}
	return string(d.prog.Source(file))
}

// uriOf maps a checker file name to a URI: standard-library modules
// (std/NAME.circ) to their read-only copy.
func (s *Server) uriOf(file string) string {
	if mod, ok := strings.CutPrefix(file, "std/"); ok {
		if p, err := s.stdlibCopy(strings.TrimSuffix(mod, ".circ")); err == nil {
			file = p
		}
	}
	abs, err := filepath.Abs(file)
	if err != nil {
		abs = file
	}
	return (&url.URL{Scheme: "file", Path: abs}).String()
}

// stdlibCopy writes a standard-library module where the editor can open
// it, read-only, and returns its path. The copy lives in a folder only the
// user can use (see privateDir), and is written to a fresh temporary file
// renamed into place, so that nothing planted at its path is followed.
func (s *Server) stdlibCopy(mod string) (string, error) {
	src, ok := stdlib.Source(mod)
	if !ok {
		return "", fmt.Errorf("no module %s", mod)
	}
	if s.stdDir == "" {
		dir, err := privateDir()
		if err != nil {
			return "", err
		}
		s.stdDir = dir
	}
	p := filepath.Join(s.stdDir, mod+".circ")
	if fi, err := os.Lstat(p); err == nil && fi.Mode().IsRegular() {
		if old, err := os.ReadFile(p); err == nil && string(old) == string(src) {
			return p, nil
		}
	}
	f, err := os.CreateTemp(s.stdDir, "."+mod+".*.tmp")
	if err != nil {
		return "", err
	}
	_, err = f.Write(src)
	if err == nil {
		err = f.Chmod(0o444)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), p) // replaces a link at p, never its target
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return p, nil
}

// privateDir is the folder of the standard library's copy: circc/stdlib in
// the user's cache folder when that is the user's own and no one else can
// write to it, else a fresh folder of mode 0700 made for this server. It
// is never a path in a shared temporary folder that another user could
// have prepared.
func privateDir() (string, error) {
	if base, err := os.UserCacheDir(); err == nil {
		dir := filepath.Join(base, "circc", "stdlib")
		if err := os.MkdirAll(dir, 0o700); err == nil && ownedPrivate(dir) {
			return dir, nil
		}
	}
	return os.MkdirTemp("", "circc-stdlib-")
}

// ownedPrivate reports whether dir is a real folder (not a link) owned by
// this user and writable by no one else.
func ownedPrivate(dir string) bool {
	fi, err := os.Lstat(dir)
	if err != nil || !fi.IsDir() || fi.Mode().Perm()&0o022 != 0 {
		return false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == os.Getuid()
}

// pathOf is a file URI's path ("" for another scheme).
func pathOf(uri string) string {
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != "file" {
		return ""
	}
	return filepath.Clean(u.Path)
}

// fileOf maps a URI back to the checker's file name (std/NAME.circ for
// the stdlib copy).
func (s *Server) fileOf(uri string) string {
	p := pathOf(uri)
	if s.stdDir != "" && filepath.Dir(p) == s.stdDir {
		return "std/" + filepath.Base(p)
	}
	return p
}

// position is a byte offset as a protocol position: 0-based line, UTF-16
// column.
func position(src string, offset int) protocol.Position {
	offset = max(0, min(offset, len(src)))
	line := strings.Count(src[:offset], "\n")
	start := strings.LastIndexByte(src[:offset], '\n') + 1
	return protocol.Position{Line: protocol.UInteger(line), Character: protocol.UInteger(utf16Len(src[start:offset]))}
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += len(utf16.Encode([]rune{r}))
	}
	return n
}

// offsetOf is a protocol position as a byte offset (clamped to the text).
func offsetOf(src string, p protocol.Position) int {
	off := 0
	for line := 0; line < int(p.Line); line++ {
		i := strings.IndexByte(src[off:], '\n')
		if i < 0 {
			return len(src)
		}
		off += i + 1
	}
	units := int(p.Character)
	for off < len(src) && units > 0 && src[off] != '\n' {
		r, size := utf8.DecodeRuneInString(src[off:])
		units -= len(utf16.Encode([]rune{r}))
		off += size
	}
	return off
}

// rangeOf is a checker span as a protocol range; an empty span covers one
// character, so that editors show it.
func rangeOf(src string, start, end ast.Pos) protocol.Range {
	s, e := start.Offset, end.Offset
	if e <= s {
		e = s + 1
		if s < len(src) {
			_, size := utf8.DecodeRuneInString(src[s:])
			e = s + size
		}
	}
	return protocol.Range{Start: position(src, s), End: position(src, e)}
}

// applyEdit replaces a range of the text.
func applyEdit(text string, r *protocol.Range, with string) string {
	a, b := offsetOf(text, r.Start), offsetOf(text, r.End)
	if b < a {
		a, b = b, a
	}
	return text[:a] + with + text[b:]
}

func (s *Server) formatting(_ *glsp.Context, p *protocol.DocumentFormattingParams) ([]protocol.TextEdit, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.fresh(p.TextDocument.URI)
	if d == nil {
		return nil, fmt.Errorf("%s is not open", p.TextDocument.URI)
	}
	out, ds := format.Source(d.path, []byte(d.text))
	if ds.HasErrors() || string(out) == d.text {
		return []protocol.TextEdit{}, nil // a file that does not parse is left as it is
	}
	return []protocol.TextEdit{{Range: protocol.Range{Start: protocol.Position{}, End: position(d.text, len(d.text))}, NewText: string(out)}}, nil
}

// checkSafely is check.CheckSource for the editor: a bug in the checker
// becomes an error the user sees as a diagnostic, and the server goes on.
func checkSafely(fsys afero.Fs, path string, src []byte, reg models.Registry) (prog *check.Program, ds diag.List, err error) {
	defer func() {
		if r := recover(); r != nil {
			prog, ds, err = nil, nil, fmt.Errorf("internal error in the checker: %v (please report this with the file)", r)
		}
	}()
	return check.CheckSource(fsys, path, src, reg)
}
