package runtime

import (
	"context"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// EnvCUDALibs names the setting that lists the folders holding the CUDA 13
// and cuDNN 9 libraries (colon-separated). Unset, circc looks in the
// nvidia-* Python packages that PyTorch installs (site-packages/nvidia/*/lib,
// found by asking python3, then in the usual install places).
const EnvCUDALibs = "CIRCC_CUDA_LIBS"

// CUDALib is one library the CUDA provider of the GPU build loads, named by
// its soname (what the provider asks the dynamic loader for).
type CUDALib struct {
	Soname string `json:"soname"`
	// Package is the pip package that ships it.
	Package string `json:"package"`
	// Optional libraries serve only some operators (FFT, run-time
	// compiled kernels); a missing one is reported but does not stop CUDA.
	Optional bool `json:"optional,omitempty"`
}

// cudaNeeds are the libraries of the GPU build (GPUVersion): the CUDA
// provider's DT_NEEDED entries from the CUDA toolkit, and those it opens
// itself at run time (cuDNN, cuFFT, NVRTC). The driver library libcuda.so.1
// is not here: it comes with the NVIDIA driver, not a package.
var cudaNeeds = []CUDALib{
	{"libcudart.so.13", "nvidia-cuda-runtime", false},
	{"libcublas.so.13", "nvidia-cublas", false},
	{"libcublasLt.so.13", "nvidia-cublas", false},
	{"libcurand.so.10", "nvidia-curand", false},
	{"libcudnn.so.9", "nvidia-cudnn-cu13", false},
	{"libcufft.so.12", "nvidia-cufft", true},
	{"libnvrtc.so.13", "nvidia-cuda-nvrtc", true},
}

// CUDALibDirs lists the folders searched for the CUDA libraries, in order
// of preference: $CIRCC_CUDA_LIBS alone when set; else the nvidia package
// folders of the python3 on PATH, of the active virtual or conda
// environment, of the usual Python install places, and /usr/local/cuda.
func CUDALibDirs() []string {
	if v := os.Getenv(EnvCUDALibs); v != "" {
		return filepath.SplitList(v)
	}
	var dirs []string
	for _, root := range pythonNvidiaRoots() {
		m, _ := filepath.Glob(filepath.Join(root, "*", "lib"))
		dirs = append(dirs, m...)
	}
	home, _ := os.UserHomeDir()
	patterns := []string{
		"/usr/local/lib/python3*/dist-packages/nvidia/*/lib",
		"/usr/local/lib/python3*/site-packages/nvidia/*/lib",
		"/usr/lib/python3/dist-packages/nvidia/*/lib",
		"/opt/conda/lib/python3*/site-packages/nvidia/*/lib",
		"/opt/*/.venv/lib/python3*/site-packages/nvidia/*/lib",
		home + "/.local/lib/python3*/site-packages/nvidia/*/lib",
		home + "/.pyenv/versions/*/lib/python3*/site-packages/nvidia/*/lib",
		"/usr/local/cuda/lib64",
	}
	for _, env := range []string{"VIRTUAL_ENV", "CONDA_PREFIX"} {
		if p := os.Getenv(env); p != "" {
			patterns = append([]string{p + "/lib/python3*/site-packages/nvidia/*/lib"}, patterns...)
		}
	}
	for _, pat := range patterns {
		m, _ := filepath.Glob(pat)
		sort.Strings(m)
		dirs = append(dirs, m...)
	}
	seen := map[string]bool{}
	unique := dirs[:0]
	for _, d := range dirs {
		if abs, err := filepath.Abs(d); err == nil && !seen[abs] {
			seen[abs] = true
			unique = append(unique, abs)
		}
	}
	return unique
}

var (
	pythonOnce  sync.Once
	pythonRoots []string
)

// pythonNvidiaRoots asks the python3 on PATH where its nvidia namespace
// package lives: the reliable way to find PyTorch's CUDA libraries, which
// virtual environments put anywhere. It gives nothing when python3 or the
// package is absent.
func pythonNvidiaRoots() []string {
	pythonOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		out, err := exec.CommandContext(ctx, "python3", "-c", "import nvidia; print('\\n'.join(nvidia.__path__))").Output()
		if err != nil {
			return
		}
		for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			if l = strings.TrimSpace(l); l != "" {
				pythonRoots = append(pythonRoots, l)
			}
		}
	})
	return pythonRoots
}

// cudaPlan is what loading the CUDA libraries takes: the files to load, in
// dependency order, and what could not be found.
type cudaPlan struct {
	// Found maps each needed soname to the file that provides it.
	Found map[string]string
	// Load lists the files to load, each after the ones it needs.
	Load []string
	// Companions are files loaded only if they can be: the parts that a
	// library opens itself (cuDNN's libcudnn_*.so.9 beside libcudnn.so.9,
	// NVRTC's libnvrtc-builtins.so.13.*).
	Companions map[string]bool
	// Missing and OptionalMissing list the needs not found.
	Missing, OptionalMissing []CUDALib
}

// planCUDA finds the needed libraries in dirs (the first folder holding a
// soname wins) and orders them so that each file comes after the files it
// names in its own DT_NEEDED entries that were found in dirs too; other
// dependencies (libc, libstdc++) are the system loader's.
func planCUDA(dirs []string, needs []CUDALib) *cudaPlan {
	index := map[string]string{}
	for _, d := range dirs {
		entries, _ := os.ReadDir(d)
		for _, e := range entries {
			n := e.Name()
			if _, ok := index[n]; !ok && strings.HasPrefix(n, "lib") && strings.Contains(n, ".so") {
				index[n] = filepath.Join(d, n)
			}
		}
	}
	p := &cudaPlan{Found: map[string]string{}, Companions: map[string]bool{}}
	done := map[string]bool{}
	var visit func(path string)
	visit = func(path string) {
		if done[path] {
			return
		}
		done[path] = true
		if f, err := elf.Open(path); err == nil {
			deps, _ := f.ImportedLibraries()
			f.Close()
			for _, d := range deps {
				if dp, ok := index[d]; ok {
					visit(dp)
				}
			}
		}
		p.Load = append(p.Load, path)
	}
	for _, need := range needs {
		path, ok := index[need.Soname]
		if !ok {
			if need.Optional {
				p.OptionalMissing = append(p.OptionalMissing, need)
			} else {
				p.Missing = append(p.Missing, need)
			}
			continue
		}
		p.Found[need.Soname] = path
		visit(path)
		// libX.so.N opens its parts (libX_*.so.N, libX-*.so.N.M) by name
		// at run time: cuDNN its sub-libraries, NVRTC its built-ins.
		base, version, _ := strings.Cut(need.Soname, ".so")
		var parts []string
		for _, sep := range []string{"_", "-"} {
			m, _ := filepath.Glob(filepath.Join(filepath.Dir(path), base+sep+"*.so"+version+"*"))
			parts = append(parts, m...)
		}
		sort.Strings(parts)
		for _, part := range parts {
			p.Companions[part] = true
		}
		for _, part := range parts {
			visit(part)
		}
	}
	return p
}

// NVIDIADevices lists the NVIDIA device files present (/dev/nvidia0…).
func NVIDIADevices() []string {
	m, _ := filepath.Glob("/dev/nvidia[0-9]*")
	return m
}
