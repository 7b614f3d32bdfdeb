// Package places says where circc finds what a user keeps outside the
// repository: the reference models, the photo sets and the onnxruntime
// library. The answer is the same from any working directory.
//
// A folder of kind K (models, datasets) is, in order: the command's flag,
// the environment variable, the shared/K folder beside the circc checkout
// that the working directory is in (the bundled setup: ../shared from the
// repository root), and $CIRCC_HOME/K, where CIRCC_HOME defaults to
// ~/.local/share/circc.
package places

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
)

// EnvHome names circc's per-user folder.
const EnvHome = "CIRCC_HOME"

// module is the module path that marks a circc checkout.
const module = "github.com/circc/circc"

// Home is $CIRCC_HOME, else ~/.local/share/circc.
func Home() string {
	if h := os.Getenv(EnvHome); h != "" {
		return h
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".local", "share", "circc")
	}
	return filepath.Join(os.TempDir(), "circc")
}

// Repository is the root of the circc checkout the working directory is
// in, or "".
func Repository() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if isCircc(filepath.Join(dir, "go.mod")) {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

func isCircc(gomod string) bool {
	f, err := os.Open(gomod)
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if m, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "module "); ok {
			return strings.TrimSpace(m) == module
		}
	}
	return false
}

// Dir resolves the folder of a kind: flag when given, else the variable
// env when set, else shared/KIND beside the checkout when it exists, else
// Home()/KIND.
func Dir(flag, env, kind string) string {
	if flag != "" {
		return flag
	}
	if v := os.Getenv(env); v != "" {
		return v
	}
	if repo := Repository(); repo != "" {
		shared := filepath.Join(filepath.Dir(repo), "shared", kind)
		if st, err := os.Stat(shared); err == nil && st.IsDir() {
			return shared
		}
	}
	return filepath.Join(Home(), kind)
}
