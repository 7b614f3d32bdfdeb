package places

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/spf13/afero"
)

// TestSameFromAnywhere: inside the checkout, from its root or a folder
// below, the stack holds the user's folder over the shared one; outside
// it, the user's alone. The flag and the variable go on top; what a user
// adds goes to the top.
func TestSameFromAnywhere(t *testing.T) {
	t.Setenv("CIRCC_TEST_DIR", "")
	t.Setenv(EnvHome, "/home/u/circc")
	repo, _ := filepath.Abs("../..")
	shared := filepath.Join(filepath.Dir(repo), "shared", "models")
	if _, err := os.Stat(shared); err != nil {
		t.Fatalf("no shared folder beside the checkout: %v", err)
	}
	for _, wd := range []string{repo, filepath.Join(repo, "circuits"), filepath.Join(repo, "compiler", "check")} {
		t.Chdir(wd)
		if got := Dirs("", "CIRCC_TEST_DIR", "models"); fmt.Sprint(got) != fmt.Sprint([]string{"/home/u/circc/models", shared}) {
			t.Errorf("from %s: %v", wd, got)
		}
		if got := Find(afero.NewOsFs(), "", "CIRCC_TEST_DIR", "models", "inceptionv1"); got != filepath.Join(shared, "inceptionv1") {
			t.Errorf("from %s: inceptionv1 in %s", wd, got)
		}
		if got := Dir("", "CIRCC_TEST_DIR", "models"); got != "/home/u/circc/models" {
			t.Errorf("from %s: a user adds to %s", wd, got)
		}
	}
	home := t.TempDir()
	t.Setenv(EnvHome, home)
	os.MkdirAll(filepath.Join(home, "models", "inceptionv1"), 0o755)
	t.Chdir(repo)
	if got := Find(afero.NewOsFs(), "", "CIRCC_TEST_DIR", "models", "inceptionv1"); got != filepath.Join(home, "models", "inceptionv1") {
		t.Errorf("the user's folder does not hide the shared one: %s", got)
	}
	t.Setenv(EnvHome, "/home/u/circc")
	t.Chdir(t.TempDir())
	if got := Dirs("", "CIRCC_TEST_DIR", "models"); fmt.Sprint(got) != "[/home/u/circc/models]" {
		t.Errorf("outside the checkout: %v", got)
	}
	if got := Find(afero.NewOsFs(), "", "CIRCC_TEST_DIR", "models", "inceptionv1"); got != "/home/u/circc/models/inceptionv1" {
		t.Errorf("outside the checkout, a model nowhere: %s", got)
	}
	t.Setenv("CIRCC_TEST_DIR", "/env")
	if got := Dirs("", "CIRCC_TEST_DIR", "models"); fmt.Sprint(got) != "[/env /home/u/circc/models]" {
		t.Errorf("with the variable: %v", got)
	}
	if got := Dirs("/flag", "CIRCC_TEST_DIR", "models"); fmt.Sprint(got) != "[/flag /home/u/circc/models]" || Dir("/flag", "CIRCC_TEST_DIR", "models") != "/flag" {
		t.Errorf("with the flag: %v", got)
	}
	t.Setenv(EnvHome, "")
	t.Setenv("HOME", "/home/v")
	if got := Home(); got != "/home/v/.local/share/circc" {
		t.Errorf("default home: %s", got)
	}
}
