// Package places says where circc finds what a user keeps outside the
// repository: the reference models, the photo sets and the onnxruntime
// library. The answer is the same from any working directory.
//
// The folders of kind K (models, datasets) are a stack, searched top
// first: the command's flag, the environment variable, the user's own
// folder $CIRCC_HOME/K (CIRCC_HOME defaults to ~/.local/share/circc), and
// the shared/K folders beside the circc checkouts that hold the working
// directory and the circc executable (the bundled setup: ../shared from
// the repository root). What a user adds goes to the top: the flag's
// folder, else the variable's, else their own.
package places

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/afero"
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
	return checkoutOf(dir)
}

// checkoutOf is the root of the circc checkout that holds dir, or "".
func checkoutOf(dir string) string {
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

// Dir is the top of the stack of a kind, where what a user adds goes: the
// flag when given, else the variable env when set, else Home()/KIND.
func Dir(flag, env, kind string) string {
	if flag != "" {
		return flag
	}
	if v := os.Getenv(env); v != "" {
		return v
	}
	return filepath.Join(Home(), kind)
}

// Dirs is the stack of folders of a kind, top first, without repeats:
// Dir's folder, the user's own folder, and shared/KIND beside the
// checkouts of the working directory and of the circc executable, the
// last two when they exist.
func Dirs(flag, env, kind string) []string {
	out := []string{Dir(flag, env, kind)}
	add := func(d string) {
		for _, x := range out {
			if x == d {
				return
			}
		}
		out = append(out, d)
	}
	add(filepath.Join(Home(), kind))
	repos := []string{Repository()}
	if exe, err := os.Executable(); err == nil {
		if exe, err = filepath.EvalSymlinks(exe); err == nil {
			repos = append(repos, checkoutOf(filepath.Dir(exe)))
		}
	}
	for _, repo := range repos {
		if repo == "" {
			continue
		}
		shared := filepath.Join(filepath.Dir(repo), "shared", kind)
		if st, err := os.Stat(shared); err == nil && st.IsDir() {
			add(shared)
		}
	}
	return out
}

// Beside is shared/KIND beside the circc checkout that holds path (a
// circuit's own checkout), or "" when there is none.
func Beside(path, kind string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return ""
	}
	repo := checkoutOf(filepath.Dir(abs))
	if repo == "" {
		return ""
	}
	shared := filepath.Join(filepath.Dir(repo), "shared", kind)
	if st, err := os.Stat(shared); err != nil || !st.IsDir() {
		return ""
	}
	return shared
}

// Find is the first folder of the stack that holds name on fsys (the file
// system the caller reads), joined with it; when none does, the top's.
func Find(fsys afero.Fs, flag, env, kind, name string) string {
	dirs := Dirs(flag, env, kind)
	for _, d := range dirs {
		if _, err := fsys.Stat(filepath.Join(d, name)); err == nil {
			return filepath.Join(d, name)
		}
	}
	return filepath.Join(dirs[0], name)
}
