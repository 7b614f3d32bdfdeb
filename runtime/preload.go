package runtime

/*
#cgo LDFLAGS: -ldl
#include <dlfcn.h>
#include <stdlib.h>

static const char *load_global(const char *path) {
	if (dlopen(path, RTLD_NOW | RTLD_GLOBAL) == NULL) {
		return dlerror();
	}
	return NULL;
}
*/
import "C"

import (
	"fmt"
	"path/filepath"
	"strings"
	"unsafe"
)

// loadGlobal dlopens a library with global symbols; it returns dlerror's
// text, or "".
func loadGlobal(path string) string {
	cp := C.CString(path)
	defer C.free(unsafe.Pointer(cp))
	if msg := C.load_global(cp); msg != nil {
		return C.GoString(msg)
	}
	return ""
}

// driverDirs are where NVIDIA's container runtimes and WSL put the driver
// library when the system loader is not told about it.
var driverDirs = []string{"/usr/local/nvidia/lib64", "/usr/lib/wsl/lib", "/usr/lib/x86_64-linux-gnu", "/usr/lib64"}

// loadDriver loads the NVIDIA driver library libcuda.so.1, by name (the
// system loader's path) or from driverDirs; it returns what went wrong, or "".
func loadDriver() string {
	first := loadGlobal("libcuda.so.1")
	if first == "" {
		return ""
	}
	for _, d := range driverDirs {
		if loadGlobal(filepath.Join(d, "libcuda.so.1")) == "" {
			return ""
		}
	}
	return first + " (install the NVIDIA driver, or add the folder of libcuda.so.1 to LD_LIBRARY_PATH)"
}

// preloadCUDA loads the planned CUDA and cuDNN libraries with global
// symbols, dependencies first, so that onnxruntime's CUDA provider, which
// asks for them by soname, finds them without LD_LIBRARY_PATH (which only
// counts when a process starts). A companion that fails to load is left
// out: its library reports it if it is ever needed.
func preloadCUDA(p *cudaPlan) error {
	var failed []string
	for _, path := range p.Load {
		if msg := loadGlobal(path); msg != "" && !p.Companions[path] {
			failed = append(failed, msg)
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("loading the CUDA libraries failed: %s", strings.Join(failed, "; "))
	}
	return nil
}
