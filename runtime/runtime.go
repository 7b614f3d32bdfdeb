package runtime

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"

	ort "github.com/yalue/onnxruntime_go"
)

// Version is the onnxruntime release scripts/install-onnxruntime.sh installs.
const Version = "1.24.3"

// EnvLibrary overrides the path of the onnxruntime shared library.
const EnvLibrary = "ONNXRUNTIME_LIB"

// LibraryPath returns where the onnxruntime library is looked for:
// $ONNXRUNTIME_LIB, else $CIRCC_HOME/onnxruntime/VERSION/libonnxruntime.so.1
// with CIRCC_HOME defaulting to ~/.local/share/circc (where the install
// script puts it).
func LibraryPath() string {
	if p := os.Getenv(EnvLibrary); p != "" {
		return p
	}
	home := os.Getenv("CIRCC_HOME")
	if home == "" {
		h, err := os.UserHomeDir()
		if err != nil {
			h = "."
		}
		home = filepath.Join(h, ".local", "share", "circc")
	}
	return filepath.Join(home, "onnxruntime", Version, "libonnxruntime.so.1")
}

var (
	initOnce sync.Once
	initErr  error
)

// Init loads the onnxruntime library and creates the process's one
// environment. It is safe to call many times; the first result sticks.
func Init() error {
	initOnce.Do(func() {
		p, err := findLibrary()
		if err != nil {
			initErr = err
			return
		}
		ort.SetSharedLibraryPath(p)
		if err := ort.InitializeEnvironment(); err != nil {
			initErr = fmt.Errorf("loading onnxruntime from %s: %w", p, err)
		}
	})
	return initErr
}

// findLibrary returns LibraryPath when the file exists, or an error that
// says how to install it.
func findLibrary() (string, error) {
	p := LibraryPath()
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("onnxruntime library not found at %s: run scripts/install-onnxruntime.sh, or set %s to an onnxruntime >= 1.24 library", p, EnvLibrary)
	}
	return p, nil
}

// LoadedVersion is the version string of the loaded library ("" before Init).
func LoadedVersion() string {
	if !ort.IsInitialized() {
		return ""
	}
	return ort.GetVersion()
}
