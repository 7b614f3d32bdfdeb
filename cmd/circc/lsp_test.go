package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// circcBinary is the test binary under the name circc, which makes it run
// the command (testscript.Main dispatches on the program's name).
func circcBinary(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "circc")
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(self, bin); err != nil {
		t.Fatal(err)
	}
	return bin
}

// lspClient speaks JSON-RPC to a `circc lsp` process.
type lspClient struct {
	t     testing.TB
	cmd   *exec.Cmd
	in    io.WriteCloser
	msgs  chan map[string]any
	next  int
	done  chan error
	queue []map[string]any // notifications read while waiting for a reply
}

func startLSP(t testing.TB) *lspClient {
	t.Helper()
	cmd := exec.Command(circcBinary(t), "lsp", "--models", sharedModelsDir())
	cmd.Stderr = os.Stderr
	in, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &lspClient{t: t, cmd: cmd, in: in, msgs: make(chan map[string]any, 100), done: make(chan error, 1)}
	go func() {
		r := bufio.NewReader(out)
		for {
			n := 0
			for {
				line, err := r.ReadString('\n')
				if err != nil {
					close(c.msgs)
					return
				}
				line = strings.TrimSpace(line)
				if line == "" {
					break
				}
				if v, ok := strings.CutPrefix(line, "Content-Length: "); ok {
					n, _ = strconv.Atoi(v)
				}
			}
			body := make([]byte, n)
			if _, err := io.ReadFull(r, body); err != nil {
				close(c.msgs)
				return
			}
			var m map[string]any
			json.Unmarshal(body, &m)
			c.msgs <- m
		}
	}()
	go func() { c.done <- cmd.Wait() }()
	t.Cleanup(func() { cmd.Process.Kill() })
	return c
}

func sharedModelsDir() string {
	repo, _ := filepath.Abs("../..")
	return filepath.Join(repo, "..", "shared", "models")
}

func (c *lspClient) send(m map[string]any) {
	m["jsonrpc"] = "2.0"
	b, _ := json.Marshal(m)
	fmt.Fprintf(c.in, "Content-Length: %d\r\n\r\n%s", len(b), b)
}

func (c *lspClient) notify(method string, params any) {
	c.send(map[string]any{"method": method, "params": params})
}

// call sends a request and waits for its reply (5 s at most).
func (c *lspClient) call(method string, params any) map[string]any {
	c.t.Helper()
	c.next++
	id := c.next
	c.send(map[string]any{"id": id, "method": method, "params": params})
	for {
		select {
		case m, ok := <-c.msgs:
			if !ok {
				c.t.Fatalf("%s: the server closed the connection", method)
			}
			if v, ok := m["id"].(float64); ok && int(v) == id {
				if e, ok := m["error"]; ok {
					c.t.Fatalf("%s: %v", method, e)
				}
				return m
			}
			c.queue = append(c.queue, m)
		case <-time.After(5 * time.Second):
			c.t.Fatalf("%s: no reply in 5 s", method)
		}
	}
}

// diagnostics waits for the diagnostics of a URI.
func (c *lspClient) diagnostics(uri string) []any {
	c.t.Helper()
	for i, m := range c.queue {
		if p, _ := m["params"].(map[string]any); m["method"] == "textDocument/publishDiagnostics" && p["uri"] == uri {
			c.queue = append(c.queue[:i], c.queue[i+1:]...)
			return p["diagnostics"].([]any)
		}
	}
	for {
		select {
		case m, ok := <-c.msgs:
			if !ok {
				c.t.Fatal("the server closed the connection")
			}
			if p, _ := m["params"].(map[string]any); m["method"] == "textDocument/publishDiagnostics" && p["uri"] == uri {
				return p["diagnostics"].([]any)
			}
			c.queue = append(c.queue, m)
		case <-time.After(5 * time.Second):
			c.t.Fatalf("no diagnostics for %s in 5 s", uri)
		}
	}
}

func fileURI(p string) string { return (&url.URL{Scheme: "file", Path: p}).String() }

func pos(line, char int) map[string]any { return map[string]any{"line": line, "character": char} }

// TestLanguageServer drives `circc lsp` through JSON-RPC: a broken
// circuit's diagnostics are circc check's (codes, lines, hints), a fix
// clears them, and hover, definition (into the read-only stdlib copy),
// references, symbols, completion, signature help and formatting answer
// on curves.circ; shutdown and exit end the process cleanly.
func TestLanguageServer(t *testing.T) {
	c := startLSP(t)
	c.call("initialize", map[string]any{"processId": nil, "rootUri": nil, "capabilities": map[string]any{}})
	c.notify("initialized", map[string]any{})
	dir := t.TempDir()
	broken := filepath.Join(dir, "broken.circ")
	text := "library broken\n\nimport filters\n\nlet a = 1deg + 1px\nlet k = filters.edg(3, 0deg)\n"
	os.WriteFile(broken, []byte(text), 0o644)
	uri := fileURI(broken)
	c.notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{"uri": uri, "languageId": "circ", "version": 1, "text": text}})
	ds := c.diagnostics(uri)
	// The same problems as circc check --json.
	out, _ := exec.Command(circcBinary(t), "check", "--json", broken).Output()
	var rep struct {
		Diagnostics []struct {
			Code, Summary, Hint string
			Line, Column        int
		}
	}
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatal(err, string(out))
	}
	if len(ds) != len(rep.Diagnostics) || len(ds) < 2 {
		t.Fatalf("%d diagnostics from the server, %d from circc check", len(ds), len(rep.Diagnostics))
	}
	for i, d := range ds {
		m := d.(map[string]any)
		r := m["range"].(map[string]any)["start"].(map[string]any)
		want := rep.Diagnostics[i]
		if m["code"] != want.Code || int(r["line"].(float64)) != want.Line-1 || int(r["character"].(float64)) != want.Column-1 ||
			!strings.HasPrefix(m["message"].(string), want.Summary) || want.Hint != "" && !strings.Contains(m["message"].(string), want.Hint) {
			t.Errorf("diagnostic %d: %v, circc check says %+v", i, m, want)
		}
	}
	t.Logf("diagnostics: %v", ds)
	fixed := "library broken\n\nimport filters\n\nlet a = 1deg + 1deg\nlet k = filters.edge(3, 0deg)\n"
	c.notify("textDocument/didChange", map[string]any{"textDocument": map[string]any{"uri": uri, "version": 2}, "contentChanges": []any{map[string]any{"text": fixed}}})
	if ds := c.diagnostics(uri); len(ds) != 0 {
		t.Errorf("after the fix: %v", ds)
	}

	// A problem in an imported file goes to that file, and goes away
	// when the import is fixed in the editor, unsaved.
	lib := filepath.Join(dir, "lib.circ")
	os.WriteFile(lib, []byte("library lib\n\nlet width = 1deg + 1px\n"), 0o644)
	main := filepath.Join(dir, "main.circ")
	mainText := "library main\n\nimport \"lib.circ\"\n\nlet w = lib.width\n"
	os.WriteFile(main, []byte(mainText), 0o644)
	c.notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{"uri": fileURI(main), "languageId": "circ", "version": 1, "text": mainText}})
	if ds := c.diagnostics(fileURI(lib)); len(ds) != 1 || ds[0].(map[string]any)["code"] != "unit" {
		t.Errorf("diagnostics of the import: %v", ds)
	}
	c.notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{"uri": fileURI(lib), "languageId": "circ", "version": 1, "text": "library lib\n\nlet width = 1deg + 1px\n"}})
	c.diagnostics(fileURI(lib))
	c.notify("textDocument/didChange", map[string]any{"textDocument": map[string]any{"uri": fileURI(lib), "version": 2},
		"contentChanges": []any{map[string]any{"text": "library lib\n\nlet width = 1deg + 1deg\n"}}})
	c.diagnostics(fileURI(lib))
	c.notify("textDocument/didChange", map[string]any{"textDocument": map[string]any{"uri": fileURI(main), "version": 2}, "contentChanges": []any{map[string]any{"text": mainText}}})
	for _, u := range []string{fileURI(lib), fileURI(main)} {
		if ds := c.diagnostics(u); len(ds) != 0 {
			t.Errorf("after fixing the import in the editor, %s: %v", u, ds)
		}
	}

	repo, _ := filepath.Abs("../..")
	curves := filepath.Join(repo, "circuits", "curves.circ")
	src, _ := os.ReadFile(curves)
	curi := fileURI(curves)
	c.notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{"uri": curi, "languageId": "circ", "version": 1, "text": string(src)}})
	if ds := c.diagnostics(curi); len(ds) != 0 {
		t.Fatalf("curves.circ: %v", ds)
	}
	lines := strings.Split(string(src), "\n")
	find := func(needle string) map[string]any {
		for i, l := range lines {
			if j := strings.Index(l, needle); j >= 0 {
				return pos(i, j+1)
			}
		}
		t.Fatalf("no %q", needle)
		return nil
	}
	doc := map[string]any{"uri": curi}
	hover := c.call("textDocument/hover", map[string]any{"textDocument": doc, "position": find("gabor(7, o")})
	value := hover["result"].(map[string]any)["contents"].(map[string]any)["value"].(string)
	if !strings.Contains(value, "fn gabor(size: number, a: angle, shift: length)") || !strings.Contains(value, "Gabor") {
		t.Errorf("hover on filters.gabor: %q", value)
	}
	hover = c.call("textDocument/hover", map[string]any{"textDocument": doc, "position": find("conv2d0.gabor(i")})
	if v := hover["result"].(map[string]any)["contents"].(map[string]any)["value"].(string); !strings.Contains(v, "layer conv2d0 = conv 7x7") || !strings.Contains(v, "3x224x224 -> 72x112x112") {
		t.Errorf("hover on a layer: %q", v)
	}
	// Hover on a declaration's own name says what it declares.
	for needle, want := range map[string]string{"layer conv2d0 =": "layer conv2d0 = conv 7x7", "let edges =": "let **edges**"} {
		at := find(needle)
		at["character"] = at["character"].(int) + len(strings.Fields(needle)[0]) + 1 // on the name
		hover = c.call("textDocument/hover", map[string]any{"textDocument": doc, "position": at})
		r, _ := hover["result"].(map[string]any)
		if r == nil || !strings.Contains(r["contents"].(map[string]any)["value"].(string), want) {
			t.Errorf("hover on the declaration %q: %v", needle, hover["result"])
		}
	}
	// Definition on a model's name opens its description: a shipped
	// model's README.
	mdef := c.call("textDocument/definition", map[string]any{"textDocument": doc, "position": find("inceptionv1.mixed3b using")})
	if loc, _ := mdef["result"].(map[string]any); loc == nil || !strings.HasSuffix(loc["uri"].(string), "/inceptionv1/README.md") {
		t.Errorf("definition of inceptionv1: %v", mdef["result"])
	}
	def := c.call("textDocument/definition", map[string]any{"textDocument": doc, "position": find("gabor(7, o")})
	loc := def["result"].(map[string]any)
	stdPath := strings.TrimPrefix(loc["uri"].(string), "file://")
	if !strings.HasSuffix(stdPath, "stdlib/filters.circ") {
		t.Errorf("definition of filters.gabor: %v", loc)
	} else if st, err := os.Stat(stdPath); err != nil || st.Mode().Perm()&0o222 != 0 {
		t.Errorf("the stdlib copy %s: %v, mode %v", stdPath, err, st.Mode())
	}
	refs := c.call("textDocument/references", map[string]any{"textDocument": doc, "position": find("edges, s in"), "context": map[string]any{"includeDeclaration": true}})
	if n := len(refs["result"].([]any)); n != 6 { // let edges and its 5 uses (the family domains)
		t.Errorf("references of edges: %d", n)
	}
	syms := c.call("textDocument/documentSymbol", map[string]any{"textDocument": doc})
	var names []string
	for _, s := range syms["result"].([]any) {
		names = append(names, s.(map[string]any)["name"].(string))
	}
	if j := strings.Join(names, " "); !strings.Contains(j, "conv2d0 maxpool0") || !strings.Contains(j, "edges curves") || !strings.Contains(j, "gabor") {
		t.Errorf("symbols: %s", j)
	}
	labels := func(r map[string]any) string {
		var l []string
		for _, it := range r["result"].(map[string]any)["items"].([]any) {
			l = append(l, it.(map[string]any)["label"].(string))
		}
		return strings.Join(l, " ")
	}
	matchLine := find("match mixed3b.curve")
	at := func(line int, text string) map[string]any { return pos(line, len(text)) }
	_ = matchLine
	edit := func(newText string) {
		c.notify("textDocument/didChange", map[string]any{"textDocument": map[string]any{"uri": curi, "version": 3}, "contentChanges": []any{map[string]any{"text": newText}}})
		c.diagnostics(curi)
	}
	edit(string(src) + "\nmatch mixed3b.curve to inceptionv1.mixed3b using \n")
	if l := labels(c.call("textDocument/completion", map[string]any{"textDocument": doc, "position": at(len(lines), "match mixed3b.curve to inceptionv1.mixed3b using ")})); !strings.Contains(l, "curves") || !strings.Contains(l, "lines") {
		t.Errorf("completion after using: %s", l)
	}
	edit(string(src) + "\nlet z = 30\n")
	if l := labels(c.call("textDocument/completion", map[string]any{"textDocument": doc, "position": at(len(lines), "let z = 30")})); l != "deg px rad °" {
		t.Errorf("completion after a number: %s", l)
	}
	edit(string(src) + "\nlet w = filters.\n")
	if l := labels(c.call("textDocument/completion", map[string]any{"textDocument": doc, "position": at(len(lines), "let w = filters.")})); !strings.Contains(l, "edge ") || !strings.Contains(l, "gabor") {
		t.Errorf("completion of a module's members: %s", l)
	}
	edit(string(src) + "\nexpect mixed3b.curve: mean \n")
	if l := labels(c.call("textDocument/completion", map[string]any{"textDocument": doc, "position": at(len(lines), "expect mixed3b.curve: mean ")})); !strings.Contains(l, "pearson_r") || !strings.Contains(l, "echo") {
		t.Errorf("completion of metrics: %s", l)
	}
	edit(string(src) + "\nlet v = filters.edge(3, \n")
	sig := c.call("textDocument/signatureHelp", map[string]any{"textDocument": doc, "position": at(len(lines), "let v = filters.edge(3, ")})
	if r, _ := sig["result"].(map[string]any); r == nil || r["activeParameter"].(float64) != 1 || !strings.Contains(fmt.Sprint(r["signatures"]), "edge(size: number, a: angle)") {
		t.Errorf("signature help: %v", sig["result"])
	}
	edit("circuit   ugly\nlet  a=1\n")
	f := c.call("textDocument/formatting", map[string]any{"textDocument": doc, "options": map[string]any{"tabSize": 2, "insertSpaces": true}})
	if edits := f["result"].([]any); len(edits) != 1 || edits[0].(map[string]any)["newText"] != "circuit ugly\nlet a = 1\n" {
		t.Errorf("formatting: %v", f["result"])
	}
	c.call("shutdown", nil)
	c.notify("exit", nil)
	select {
	case err := <-c.done:
		if err != nil {
			t.Errorf("circc lsp exited with %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Error("circc lsp did not exit after exit")
	}
}

// TestLanguageServerEndsCleanly: a client that disconnects, or sends
// garbage, ends the server within seconds; it does not hang.
func TestLanguageServerEndsCleanly(t *testing.T) {
	for name, feed := range map[string]func(c *lspClient){
		"disconnect": func(c *lspClient) { c.in.Close() },
		"garbage":    func(c *lspClient) { io.WriteString(c.in, "this is not JSON-RPC\r\n\r\n{{{"); c.in.Close() },
		"bad header": func(c *lspClient) { io.WriteString(c.in, "Content-Length: 99999999999\r\n\r\n{}"); c.in.Close() },
	} {
		t.Run(name, func(t *testing.T) {
			c := startLSP(t)
			feed(c)
			select {
			case <-c.done:
			case <-time.After(5 * time.Second):
				t.Error("the server did not end")
			}
		})
	}
}
