package runtime

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Execution providers.
const (
	CUDA = "CUDAExecutionProvider"
)

// GPUVersion is the onnxruntime release of the GPU build that
// scripts/install-onnxruntime-gpu.sh installs (core library and CUDA
// provider, built for CUDA 13 and cuDNN 9).
const GPUVersion = "1.29.0"

// EnvCUDALibs names the setting that lists the folders holding the CUDA 13
// and cuDNN 9 libraries (colon-separated). Unset, circc looks in the
// nvidia-* Python packages that PyTorch installs (site-packages/nvidia/*/lib).
const EnvCUDALibs = "CIRCC_CUDA_LIBS"

// ParseDevice turns a --device value into session options.
func ParseDevice(device string) (Options, error) {
	switch strings.ToLower(device) {
	case "", "cpu":
		return Options{}, nil
	case "cuda", "gpu":
		return Options{Device: "cuda"}, nil
	}
	return Options{}, fmt.Errorf("unknown device %q: use cpu or cuda", device)
}

// GPULibraryPath is where the GPU build of onnxruntime is looked for:
// $ONNXRUNTIME_LIB when set, else beside the CPU build under CIRCC_HOME.
func GPULibraryPath() string {
	if p := os.Getenv(EnvLibrary); p != "" {
		return p
	}
	return filepath.Join(circcHome(), "onnxruntime", GPUVersion+"-gpu", "libonnxruntime.so.1")
}

// cudaLibNames are the CUDA and cuDNN libraries the CUDA provider loads.
var cudaLibNames = []string{"libcudart.so", "libcublasLt.so", "libcublas.so", "libcufft.so", "libcurand.so", "libcudnn.so"}

// CUDALibDirs lists the folders searched for the CUDA libraries.
func CUDALibDirs() []string {
	if v := os.Getenv(EnvCUDALibs); v != "" {
		return filepath.SplitList(v)
	}
	var dirs []string
	home, _ := os.UserHomeDir()
	for _, pat := range []string{
		"/usr/local/lib/python3*/dist-packages/nvidia/*/lib",
		"/usr/local/lib/python3*/site-packages/nvidia/*/lib",
		"/usr/lib/python3/dist-packages/nvidia/*/lib",
		"/opt/conda/lib/python3*/site-packages/nvidia/*/lib",
		home + "/.local/lib/python3*/site-packages/nvidia/*/lib",
		home + "/.pyenv/versions/*/lib/python3*/site-packages/nvidia/*/lib",
		"/usr/local/cuda/lib64",
	} {
		m, _ := filepath.Glob(pat)
		dirs = append(dirs, m...)
	}
	sort.Strings(dirs)
	return dirs
}

// CUDALibs finds the CUDA libraries: for each wanted name, the files
// (any version suffix) in CUDALibDirs. Missing names are listed apart.
func CUDALibs() (found map[string][]string, missing []string) {
	found = map[string][]string{}
	for _, d := range CUDALibDirs() {
		entries, _ := os.ReadDir(d)
		for _, e := range entries {
			for _, n := range cudaLibNames {
				if strings.HasPrefix(e.Name(), n) || strings.HasPrefix(e.Name(), "libcudnn") && n == "libcudnn.so" {
					found[n] = append(found[n], filepath.Join(d, e.Name()))
				}
			}
		}
	}
	for _, n := range cudaLibNames {
		if len(found[n]) == 0 {
			missing = append(missing, n)
		}
	}
	return found, missing
}

// NVIDIADevices lists the NVIDIA device files present (/dev/nvidia0…).
func NVIDIADevices() []string {
	m, _ := filepath.Glob("/dev/nvidia[0-9]*")
	return m
}

// cudaReady explains what the CUDA path lacks, or returns nil.
func cudaReady() error {
	var lacks []string
	lib := GPULibraryPath()
	if _, err := os.Stat(lib); err != nil {
		lacks = append(lacks, fmt.Sprintf("the GPU build of onnxruntime %s at %s (run scripts/install-onnxruntime-gpu.sh, or set %s)", GPUVersion, lib, EnvLibrary))
	} else if _, err := os.Stat(filepath.Join(filepath.Dir(lib), "libonnxruntime_providers_cuda.so")); err != nil {
		lacks = append(lacks, "libonnxruntime_providers_cuda.so beside "+lib)
	}
	if _, missing := CUDALibs(); len(missing) > 0 {
		lacks = append(lacks, fmt.Sprintf("CUDA 13 / cuDNN 9 libraries %s (searched %d folders; set %s to the folders that hold them, e.g. site-packages/nvidia/*/lib of a PyTorch install)",
			strings.Join(missing, ", "), len(CUDALibDirs()), EnvCUDALibs))
	}
	if len(NVIDIADevices()) == 0 {
		lacks = append(lacks, "an NVIDIA GPU (no /dev/nvidia0)")
	}
	if len(lacks) == 0 {
		return nil
	}
	return fmt.Errorf("--device cuda is not available here; missing: %s. Run circc doctor for details", strings.Join(lacks, "; "))
}

// Report is what circc doctor says about the machine.
type Report struct {
	CPULibrary   string              `json:"cpu_library"`
	CPUOK        bool                `json:"cpu_ok"`
	CPUVersion   string              `json:"cpu_version,omitempty"`
	CPUProblem   string              `json:"cpu_problem,omitempty"`
	GPULibrary   string              `json:"gpu_library"`
	GPUProvider  bool                `json:"gpu_provider_library"`
	CUDALibDirs  []string            `json:"cuda_lib_dirs"`
	CUDALibs     map[string][]string `json:"cuda_libs"`
	CUDAMissing  []string            `json:"cuda_missing"`
	GPUs         []string            `json:"nvidia_devices"`
	CUDAOK       bool                `json:"cuda_ok"`
	CUDAProblem  string              `json:"cuda_problem,omitempty"`
	SettingsHelp map[string]string   `json:"settings"`
}

// Doctor inspects both execution paths without running a model on the GPU.
func Doctor() *Report {
	r := &Report{CPULibrary: LibraryPath(), GPULibrary: GPULibraryPath(), CUDALibDirs: CUDALibDirs(), GPUs: NVIDIADevices(),
		SettingsHelp: map[string]string{
			EnvLibrary:   "path of the onnxruntime library to load (either device)",
			"CIRCC_HOME": "where the install scripts put onnxruntime (default ~/.local/share/circc)",
			EnvCUDALibs:  "folders holding the CUDA 13 and cuDNN 9 libraries, colon-separated",
		}}
	if r.CUDALibDirs == nil {
		r.CUDALibDirs = []string{}
	}
	if _, err := findLibrary(); err != nil {
		r.CPUProblem = err.Error()
	} else {
		r.CPUOK = true
	}
	_, err := os.Stat(filepath.Join(filepath.Dir(r.GPULibrary), "libonnxruntime_providers_cuda.so"))
	r.GPUProvider = err == nil
	r.CUDALibs, r.CUDAMissing = CUDALibs()
	if err := cudaReady(); err != nil {
		r.CUDAProblem = err.Error()
	} else {
		r.CUDAOK = true
	}
	return r
}
