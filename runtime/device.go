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

// ParseDevices turns a comma-separated list of devices ("cpu,cuda") into
// session options, CUDA first: a process loads one onnxruntime library,
// and only the GPU build serves both devices, so it must be loaded before
// any CPU session exists.
func ParseDevices(list string) ([]Options, error) {
	var opts []Options
	seen := map[string]bool{}
	for _, d := range strings.Split(list, ",") {
		o, err := ParseDevice(strings.TrimSpace(d))
		if err != nil {
			return nil, err
		}
		if o.Device == "" {
			o.Device = "cpu"
		}
		if !seen[o.Device] {
			seen[o.Device] = true
			opts = append(opts, o)
		}
	}
	sort.SliceStable(opts, func(i, j int) bool { return opts[i].Device == "cuda" && opts[j].Device != "cuda" })
	return opts, nil
}

// GPULibraryPath is where the GPU build of onnxruntime is looked for:
// $ONNXRUNTIME_LIB when set, else beside the CPU build under CIRCC_HOME.
func GPULibraryPath() string {
	if p := os.Getenv(EnvLibrary); p != "" {
		return p
	}
	return filepath.Join(circcHome(), "onnxruntime", GPUVersion+"-gpu", "libonnxruntime.so.1")
}

// CUDALibStatus is one needed CUDA library and the file found for it.
type CUDALibStatus struct {
	CUDALib
	// Path is the file that provides it ("" when missing).
	Path string `json:"path"`
}

// cudaReady checks the CUDA path without loading anything but the driver
// library: it returns the plan for loading the CUDA libraries, and an
// error naming everything missing and how to get it.
func cudaReady() (*cudaPlan, error) {
	var lacks []string
	lib := GPULibraryPath()
	if _, err := os.Stat(lib); err != nil {
		lacks = append(lacks, fmt.Sprintf("the GPU build of onnxruntime %s at %s (run scripts/install-onnxruntime-gpu.sh, or set %s)", GPUVersion, lib, EnvLibrary))
	} else if _, err := os.Stat(filepath.Join(filepath.Dir(lib), "libonnxruntime_providers_cuda.so")); err != nil {
		lacks = append(lacks, "libonnxruntime_providers_cuda.so beside "+lib+" (run scripts/install-onnxruntime-gpu.sh)")
	}
	dirs := CUDALibDirs()
	plan := planCUDA(dirs, cudaNeeds)
	if len(plan.Missing) > 0 {
		var names []string
		for _, m := range plan.Missing {
			names = append(names, fmt.Sprintf("%s (pip package %s)", m.Soname, m.Package))
		}
		lacks = append(lacks, fmt.Sprintf("CUDA 13 / cuDNN 9 libraries %s; searched %d folders: set %s to the folders that hold them, e.g. site-packages/nvidia/*/lib of a PyTorch install",
			strings.Join(names, ", "), len(dirs), EnvCUDALibs))
	}
	if problem := loadDriver(); problem != "" {
		lacks = append(lacks, "the NVIDIA driver: "+problem)
	}
	if len(lacks) == 0 {
		return plan, nil
	}
	return nil, fmt.Errorf("--device cuda is not available here; missing: %s. Run circc doctor for details", strings.Join(lacks, "; "))
}

// Report is what circc doctor says about the machine.
type Report struct {
	CPULibrary   string            `json:"cpu_library"`
	CPUOK        bool              `json:"cpu_ok"`
	CPUVersion   string            `json:"cpu_version,omitempty"`
	CPUProblem   string            `json:"cpu_problem,omitempty"`
	GPULibrary   string            `json:"gpu_library"`
	GPUBuild     bool              `json:"gpu_build"`
	GPUProvider  bool              `json:"gpu_provider_library"`
	CUDALibDirs  []string          `json:"cuda_lib_dirs"`
	CUDALibs     []CUDALibStatus   `json:"cuda_libs"`
	Driver       string            `json:"driver"`
	GPUs         []string          `json:"nvidia_devices"`
	CUDAOK       bool              `json:"cuda_ok"`
	CUDAProblem  string            `json:"cuda_problem,omitempty"`
	SettingsHelp map[string]string `json:"settings"`
}

// Doctor inspects both execution paths without running a model on the GPU.
func Doctor() *Report {
	r := &Report{CPULibrary: LibraryPath(), GPULibrary: GPULibraryPath(), CUDALibDirs: CUDALibDirs(), GPUs: NVIDIADevices(),
		SettingsHelp: map[string]string{
			EnvLibrary:   "path of the onnxruntime library to load (either device)",
			"CIRCC_HOME": "where the install scripts put onnxruntime (default ~/.local/share/circc)",
			EnvCUDALibs:  "folders holding the CUDA 13 and cuDNN 9 libraries, colon-separated",
		}}
	if r.GPUs == nil {
		r.GPUs = []string{}
	}
	if r.CUDALibDirs == nil {
		r.CUDALibDirs = []string{}
	}
	if _, err := findLibrary(); err != nil {
		r.CPUProblem = err.Error()
	} else {
		r.CPUOK = true
	}
	_, err := os.Stat(r.GPULibrary)
	r.GPUBuild = err == nil
	_, err = os.Stat(filepath.Join(filepath.Dir(r.GPULibrary), "libonnxruntime_providers_cuda.so"))
	r.GPUProvider = err == nil
	plan := planCUDA(r.CUDALibDirs, cudaNeeds)
	for _, need := range cudaNeeds {
		r.CUDALibs = append(r.CUDALibs, CUDALibStatus{CUDALib: need, Path: plan.Found[need.Soname]})
	}
	if problem := loadDriver(); problem != "" {
		r.Driver = "missing: " + problem
	} else {
		r.Driver = "libcuda.so.1 loaded"
	}
	if _, err := cudaReady(); err != nil {
		r.CUDAProblem = err.Error()
	} else {
		r.CUDAOK = true
	}
	return r
}
