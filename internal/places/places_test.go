package places

import (
	"os"
	"path/filepath"
	"testing"
)

// TestSameFromAnywhere: inside the checkout, from its root or a folder
// below, the shared folders are found; outside it, the per-user ones.
func TestSameFromAnywhere(t *testing.T) {
	t.Setenv("CIRCC_TEST_DIR", "")
	repo, _ := filepath.Abs("../..")
	want := filepath.Join(filepath.Dir(repo), "shared", "models")
	if _, err := os.Stat(want); err != nil {
		t.Fatalf("no shared folder beside the checkout: %v", err)
	}
	for _, wd := range []string{repo, filepath.Join(repo, "circuits"), filepath.Join(repo, "compiler", "check")} {
		t.Chdir(wd)
		if got := Dir("", "CIRCC_TEST_DIR", "models"); got != want {
			t.Errorf("from %s: %s, want %s", wd, got, want)
		}
	}
	t.Chdir(t.TempDir())
	t.Setenv(EnvHome, "/home/u/circc")
	if got := Dir("", "CIRCC_TEST_DIR", "models"); got != "/home/u/circc/models" {
		t.Errorf("outside the checkout: %s", got)
	}
	t.Setenv("CIRCC_TEST_DIR", "/env")
	if got := Dir("", "CIRCC_TEST_DIR", "models"); got != "/env" {
		t.Errorf("with the variable: %s", got)
	}
	if got := Dir("/flag", "CIRCC_TEST_DIR", "models"); got != "/flag" {
		t.Errorf("with the flag: %s", got)
	}
	t.Setenv(EnvHome, "")
	t.Setenv("HOME", "/home/v")
	if got := Home(); got != "/home/v/.local/share/circc" {
		t.Errorf("default home: %s", got)
	}
}
