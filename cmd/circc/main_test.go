package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/spf13/afero"

	"github.com/circc/circc/runtime"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"circc": func() { os.Exit(run(os.Args[1:], afero.NewOsFs(), os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs the command-line scenarios in testdata/script. $REPO is
// the repository root, for the bundled circuits.
func TestScripts(t *testing.T) {
	repo, _ := filepath.Abs("../..")
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(e *testscript.Env) error {
			e.Setenv("REPO", repo)
			e.Setenv("MODELS", filepath.Join(repo, "..", "shared", "models"))
			e.Setenv("DATA", filepath.Join(repo, "..", "shared", "datasets"))
			// Scripts run with HOME unset: point them at the installed
			// library; npm's cache lives in the real home.
			e.Setenv("USERHOME", os.Getenv("HOME"))
			e.Setenv(runtime.EnvLibrary, runtime.LibraryPath())
			return nil
		},
	})
}

func TestExitCodes(t *testing.T) {
	fs := afero.NewMemMapFs()
	afero.WriteFile(fs, "ok.circ", []byte("library ok\n\nlet a = 1\n"), 0o644)
	afero.WriteFile(fs, "bad.circ", []byte("library bad\n\nlet a = 1deg + 1px\n"), 0o644)
	afero.WriteFile(fs, "ugly.circ", []byte("library ugly\nlet a=1\n"), 0o644)
	for _, tc := range []struct {
		args []string
		want int
	}{
		{[]string{"check", "ok.circ"}, exitOK},
		{[]string{"check", "ok.circ", "bad.circ"}, exitDiags},
		{[]string{"check", "--json", "bad.circ"}, exitDiags},
		{[]string{"check", "missing.circ"}, exitUsage},
		{[]string{"check"}, exitUsage},
		{[]string{"check", "--nope", "ok.circ"}, exitUsage},
		{[]string{"fmt", "--check", "ok.circ"}, exitOK},
		{[]string{"fmt", "--check", "ugly.circ"}, exitDiags},
		{[]string{}, exitUsage},
		{[]string{"frobnicate"}, exitUsage},
		{[]string{"version"}, exitOK},
	} {
		var out, errb bytes.Buffer
		if got := run(tc.args, fs, &out, &errb); got != tc.want {
			t.Errorf("circc %s: exit %d, want %d\n%s", strings.Join(tc.args, " "), got, tc.want, errb.String())
		}
	}
}

func TestFmtWriteIsAtomic(t *testing.T) {
	fs := afero.NewMemMapFs()
	afero.WriteFile(fs, "dir/u.circ", []byte("library u\nlet a=1\n"), 0o600)
	var out, errb bytes.Buffer
	if code := run([]string{"fmt", "-w", "dir/u.circ"}, fs, &out, &errb); code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	got, _ := afero.ReadFile(fs, "dir/u.circ")
	if string(got) != "library u\nlet a = 1\n" {
		t.Errorf("got %q", got)
	}
	st, _ := fs.Stat("dir/u.circ")
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v: the file's permissions must be kept", st.Mode())
	}
	entries, _ := afero.ReadDir(fs, "dir")
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %d entries", len(entries))
	}
}
