package runtime

/*
#cgo LDFLAGS: -ldl
#include <dlfcn.h>
#include <stdlib.h>

static const char *preload(const char *path) {
	if (dlopen(path, RTLD_NOW | RTLD_GLOBAL) == NULL) {
		return dlerror();
	}
	return NULL;
}
*/
import "C"

import (
	"fmt"
	"sort"
	"strings"
	"unsafe"
)

// preloadCUDA loads the CUDA and cuDNN libraries found in CUDALibDirs with
// global symbols, so that onnxruntime's CUDA provider, which asks for them
// by name, finds them without LD_LIBRARY_PATH (which only counts when a
// process starts).
func preloadCUDA() error {
	found, _ := CUDALibs()
	var paths []string
	for _, n := range cudaLibNames {
		paths = append(paths, found[n]...)
	}
	// Dependencies first: the runtime, then BLAS, then the rest.
	rank := func(p string) int {
		for i, n := range cudaLibNames {
			if strings.Contains(p, strings.TrimSuffix(n, ".so")) {
				return i
			}
		}
		return len(cudaLibNames)
	}
	sort.SliceStable(paths, func(i, j int) bool { return rank(paths[i]) < rank(paths[j]) })
	var failed []string
	for _, p := range paths {
		cp := C.CString(p)
		msg := C.preload(cp)
		C.free(unsafe.Pointer(cp))
		if msg != nil {
			failed = append(failed, C.GoString(msg))
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("loading the CUDA libraries failed: %s", strings.Join(failed, "; "))
	}
	return nil
}
