package runtime

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"

	ort "github.com/yalue/onnxruntime_go"

	"github.com/circc/circc/internal/places"
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
	return filepath.Join(circcHome(), "onnxruntime", Version, "libonnxruntime.so.1")
}

func circcHome() string { return places.Home() }

var (
	initMu     sync.Mutex
	initDone   bool
	initErr    error
	initDevice string // the device the loaded library serves
)

// Init loads the CPU build of onnxruntime and creates the process's one
// environment. It is safe to call many times; the first load sticks.
func Init() error { return initFor("cpu") }

// Load loads the onnxruntime library the options' device needs; sessions
// do this themselves, so call it only to fix the library early (before
// work that might load the CPU build, when CUDA sessions come later).
func Load(opt Options) error { return initFor(opt.device()) }

// initFor loads the library a device needs: a process holds one
// onnxruntime, so the first session's device decides which.
func initFor(device string) error {
	initMu.Lock()
	defer initMu.Unlock()
	if initDone {
		if initErr == nil && device == "cuda" && initDevice != "cuda" {
			return fmt.Errorf("this process already loaded the CPU build of onnxruntime; choose --device cuda before anything runs")
		}
		return initErr
	}
	initDone, initDevice = true, device
	var p string
	if device == "cuda" {
		var plan *cudaPlan
		if plan, initErr = cudaReady(); initErr != nil {
			return initErr
		}
		if initErr = preloadCUDA(plan); initErr != nil {
			return initErr
		}
		p = GPULibraryPath()
	} else if p, initErr = findLibrary(); initErr != nil {
		return initErr
	}
	ort.SetSharedLibraryPath(p)
	if err := ort.InitializeEnvironment(); err != nil {
		initErr = fmt.Errorf("loading onnxruntime from %s: %w", p, err)
	}
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
