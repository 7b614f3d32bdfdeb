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
		o.Device = o.device()
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

// cudaState is what the CUDA path has found, inspected without loading
// anything but the driver library.
type cudaState struct {
	dirs        []string
	plan        *cudaPlan
	gpuBuild    bool   // the GPU build's core library exists
	gpuProvider bool   // its CUDA provider library sits beside it
	driver      string // what is wrong with the driver library, or ""
	// err names everything missing and how to get it; nil when ready.
	err error
}

func inspectCUDA() *cudaState {
	lib := GPULibraryPath()
	st := &cudaState{dirs: CUDALibDirs(), driver: loadDriver()}
	_, err := os.Stat(lib)
	st.gpuBuild = err == nil
	_, err = os.Stat(filepath.Join(filepath.Dir(lib), "libonnxruntime_providers_cuda.so"))
	st.gpuProvider = err == nil
	st.plan = planCUDA(st.dirs, cudaNeeds)

	var lacks []string
	if !st.gpuBuild {
		lacks = append(lacks, fmt.Sprintf("the GPU build of onnxruntime %s at %s (run scripts/install-onnxruntime-gpu.sh, or set %s)", GPUVersion, lib, EnvLibrary))
	} else if !st.gpuProvider {
		lacks = append(lacks, "libonnxruntime_providers_cuda.so beside "+lib+" (run scripts/install-onnxruntime-gpu.sh)")
	}
	if len(st.plan.Missing) > 0 {
		var names []string
		for _, m := range st.plan.Missing {
			names = append(names, fmt.Sprintf("%s (pip package %s)", m.Soname, m.Package))
		}
		lacks = append(lacks, fmt.Sprintf("CUDA 13 / cuDNN 9 libraries %s; searched %d folders: set %s to the folders that hold them, e.g. site-packages/nvidia/*/lib of a PyTorch install",
			strings.Join(names, ", "), len(st.dirs), EnvCUDALibs))
	}
	if st.driver != "" {
		lacks = append(lacks, "the NVIDIA driver: "+st.driver)
	}
	if len(lacks) > 0 {
		st.err = fmt.Errorf("--device cuda is not available here; missing: %s. Run circc doctor for details", strings.Join(lacks, "; "))
	}
	return st
}

// cudaReady returns the plan for loading the CUDA libraries, or an error
// naming everything missing and how to get it.
func cudaReady() (*cudaPlan, error) {
	st := inspectCUDA()
	if st.err != nil {
		return nil, st.err
	}
	return st.plan, nil
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
	r := &Report{CPULibrary: LibraryPath(), GPULibrary: GPULibraryPath(), GPUs: NVIDIADevices(),
		SettingsHelp: map[string]string{
			EnvLibrary:   "path of the onnxruntime library to load (either device)",
			"CIRCC_HOME": "where the install scripts put onnxruntime (default ~/.local/share/circc)",
			EnvCUDALibs:  "folders holding the CUDA 13 and cuDNN 9 libraries, colon-separated",
		}}
	if r.GPUs == nil {
		r.GPUs = []string{}
	}
	if _, err := findLibrary(); err != nil {
		r.CPUProblem = err.Error()
	} else {
		r.CPUOK = true
	}
	st := inspectCUDA()
	r.CUDALibDirs, r.GPUBuild, r.GPUProvider = st.dirs, st.gpuBuild, st.gpuProvider
	if r.CUDALibDirs == nil {
		r.CUDALibDirs = []string{}
	}
	for _, need := range cudaNeeds {
		r.CUDALibs = append(r.CUDALibs, CUDALibStatus{CUDALib: need, Path: st.plan.Found[need.Soname]})
	}
	if st.driver != "" {
		r.Driver = "missing: " + st.driver
	} else {
		r.Driver = "libcuda.so.1 loaded"
	}
	if st.err != nil {
		r.CUDAProblem = st.err.Error()
	} else {
		r.CUDAOK = true
	}
	return r
}
