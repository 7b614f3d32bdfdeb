package runtime

import (
	"strings"
	"testing"
)

// TestInitLoadsInstalledLibrary loads the real library the install script
// put in place and checks its version.
func TestInitLoadsInstalledLibrary(t *testing.T) {
	if err := Init(); err != nil {
		t.Fatal(err)
	}
	if v := LoadedVersion(); v != Version {
		t.Errorf("loaded onnxruntime %q, want %q", v, Version)
	}
}

func TestMissingLibraryMessage(t *testing.T) {
	t.Setenv(EnvLibrary, "/nonexistent/libonnxruntime.so")
	_, err := findLibrary()
	want := "onnxruntime library not found at /nonexistent/libonnxruntime.so: run scripts/install-onnxruntime.sh"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("got %v", err)
	}
	t.Setenv(EnvLibrary, "")
	t.Setenv("CIRCC_HOME", "/opt/circc")
	if p := LibraryPath(); p != "/opt/circc/onnxruntime/"+Version+"/libonnxruntime.so.1" {
		t.Errorf("default path %s", p)
	}
}
