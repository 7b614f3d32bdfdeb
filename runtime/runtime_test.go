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

// TestCUDAMissingIsExplained: on a machine without the GPU build, CUDA
// libraries or a GPU, asking for CUDA is an error that names what is
// missing and how to get it.
func TestCUDAMissingIsExplained(t *testing.T) {
	t.Setenv(EnvLibrary, "/nonexistent/gpu/libonnxruntime.so.1")
	t.Setenv(EnvCUDALibs, t.TempDir())
	_, err := cudaReady()
	if err == nil {
		t.Skip("this machine has a complete CUDA setup") // never on CI, which has no GPU
	}
	for _, want := range []string{"--device cuda is not available here", "scripts/install-onnxruntime-gpu.sh",
		"libcudart.so.13 (pip package nvidia-cuda-runtime)", "libcudnn.so.9 (pip package nvidia-cudnn-cu13)", EnvCUDALibs, "circc doctor"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the message lacks %q:\n%s", want, err)
		}
	}
	if strings.Contains(err.Error(), "libcufft") {
		t.Errorf("an optional library is reported as missing:\n%s", err)
	}
	if _, err := ParseDevice("tpu"); err == nil {
		t.Error("an unknown device was accepted")
	}
	r := Doctor()
	if r.CUDAOK || r.GPUBuild || len(r.CUDALibs) != len(cudaNeeds) || r.CUDALibs[0].Path != "" {
		t.Errorf("doctor: %+v", r)
	}
}

// TestParseDevices: lists keep each device once, CUDA first (the GPU build
// must be loaded before any CPU session).
func TestParseDevices(t *testing.T) {
	opts, err := ParseDevices("cpu, gpu,cpu")
	if err != nil {
		t.Fatal(err)
	}
	if len(opts) != 2 || opts[0].Device != "cuda" || opts[1].Device != "cpu" {
		t.Errorf("got %+v, want cuda then cpu", opts)
	}
	if _, err := ParseDevices("cpu,tpu"); err == nil || !strings.Contains(err.Error(), `unknown device "tpu"`) {
		t.Errorf("got %v", err)
	}
}
