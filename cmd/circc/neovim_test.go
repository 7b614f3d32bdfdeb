package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// neovimScript opens the file named by $CIRC_FILE in Neovim with its
// built-in LSP client running `circc lsp`, waits for the diagnostics,
// hovers over filters.gabor and jumps to the definition of double, and
// writes what it saw, one line each, to $OUT.
const neovimScript = `
local out = {}
vim.cmd("edit " .. os.getenv("CIRC_FILE"))
local client = vim.lsp.start_client({
  name = "circc",
  cmd = { os.getenv("CIRCC"), "lsp", "--models", os.getenv("MODELS") },
  root_dir = vim.fn.fnamemodify(os.getenv("CIRC_FILE"), ":h"),
})
vim.lsp.buf_attach_client(0, client)
vim.wait(15000, function() return #vim.diagnostic.get(0) >= 2 end, 50)
for _, d in ipairs(vim.diagnostic.get(0)) do
  table.insert(out, string.format("diagnostic %d %d %s", d.lnum + 1, d.col + 1, (d.message:gsub("\n", " | "))))
end
local uri = vim.uri_from_bufnr(0)
local function request(method, line, col)
  local res = vim.lsp.buf_request_sync(0, method, { textDocument = { uri = uri }, position = { line = line, character = col } }, 5000)
  for _, r in pairs(res or {}) do
    if r.result then return r.result end
  end
end
local h = request("textDocument/hover", 8, 18)
if h then table.insert(out, "hover " .. (h.contents.value:gsub("\n", " | "))) end
local def = request("textDocument/definition", 9, 9)
if def then
  if def.uri == nil then def = def[1] end
  table.insert(out, string.format("definition %s %d", vim.uri_to_fname(def.uri), def.range.start.line + 1))
end
vim.fn.writefile(out, os.getenv("OUT"))
vim.lsp.stop_client(client)
vim.cmd("qa!")
`

// TestNeovim: Neovim's built-in LSP client, headless, with circc lsp:
// the diagnostics of a broken circuit arrive at the lines circc check
// reports, hover shows a stdlib function's signature, and go to
// definition finds a function's declaration.
func TestNeovim(t *testing.T) {
	nvim, err := exec.LookPath("nvim")
	if err != nil {
		t.Fatal("no nvim: run scripts/install-test-tools.sh")
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "broken.circ")
	src := "library broken\n\nimport filters\n\n/// Twice a width.\nfn double(x: length) = 2 * x\n\nlet a = 1deg + 1px\nlet k = filters.gabor(7, 0deg, 0px)\nlet d = double(3px)\nlet e = dubble(3px)\n"
	os.WriteFile(file, []byte(src), 0o644)
	script := filepath.Join(dir, "test.lua")
	os.WriteFile(script, []byte(neovimScript), 0o644)
	out := filepath.Join(dir, "out.txt")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, nvim, "--headless", "-u", "NONE", "-i", "NONE", "-n", "-c", "luafile "+script)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CIRC_FILE="+file, "CIRCC="+circcBinary(t), "MODELS="+sharedModelsDir(), "OUT="+out, "XDG_STATE_HOME="+dir, "XDG_DATA_HOME="+dir)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("nvim: %v\n%s", err, b)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	text := string(got)
	t.Logf("Neovim saw:\n%s", text)
	for _, want := range []string{
		"diagnostic 8 9 cannot add angle and length",
		`diagnostic 11 9 undefined name "dubble" | hint: did you mean "double"?`,
		"hover function **gabor** | ```circ | fn gabor(size: number, a: angle, shift: length)",
		"definition " + file + " 6",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("Neovim did not see %q", want)
		}
	}
}
