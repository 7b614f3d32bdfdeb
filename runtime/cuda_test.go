package runtime

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// sharedLib builds a real shared library named by its soname in dir,
// linked against the sonames in needs (found in dirs).
func sharedLib(t *testing.T, dir, soname string, needs []string, dirs ...string) {
	t.Helper()
	src := filepath.Join(t.TempDir(), "lib.c")
	sym := strings.NewReplacer(".", "_", "-", "_").Replace(soname)
	if err := os.WriteFile(src, []byte("int "+sym+"(void) { return 1; }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"-shared", "-fPIC", "-Wl,--no-as-needed", "-Wl,-soname," + soname, "-o", filepath.Join(dir, soname), src}
	for _, d := range dirs {
		args = append(args, "-L"+d)
	}
	for _, n := range needs {
		args = append(args, "-l:"+n)
	}
	if out, err := exec.Command("gcc", args...).CombinedOutput(); err != nil {
		t.Fatalf("gcc %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// TestPlanAndPreloadCUDA builds stand-ins for the CUDA libraries (real ELF
// files with real DT_NEEDED entries, in two folders as pip packages lay
// them out), plans their loading and loads them: dependencies come first,
// cuDNN's parts come along, a part that cannot load is left out, and after
// the preload each library is found by soname alone, as onnxruntime's CUDA
// provider asks for it.
func TestPlanAndPreloadCUDA(t *testing.T) {
	blas, dnn := t.TempDir(), t.TempDir()
	sharedLib(t, blas, "libcublasLt.so.13", nil)
	sharedLib(t, blas, "libcublas.so.13", []string{"libcublasLt.so.13"}, blas)
	sharedLib(t, dnn, "libcudart.so.13", nil)
	sharedLib(t, dnn, "libcudnn_graph.so.9", nil)
	sharedLib(t, dnn, "libcudnn_ops.so.9", []string{"libcudnn_graph.so.9"}, dnn)
	sharedLib(t, dnn, "libcudnn_adv.so.9", []string{"libcudnn_ops.so.9"}, dnn)
	sharedLib(t, dnn, "libcudnn.so.9", nil)
	sharedLib(t, blas, "libnvrtc.so.13", nil)
	sharedLib(t, blas, "libnvrtc-builtins.so.13.0", nil)
	gone := t.TempDir()
	sharedLib(t, gone, "libgone.so.1", nil)
	sharedLib(t, dnn, "libcudnn_engines.so.9", []string{"libgone.so.1"}, gone)

	plan := planCUDA([]string{blas, dnn}, cudaNeeds)
	var missing, optional []string
	for _, m := range plan.Missing {
		missing = append(missing, m.Soname)
	}
	for _, m := range plan.OptionalMissing {
		optional = append(optional, m.Soname)
	}
	if strings.Join(missing, " ") != "libcurand.so.10" || strings.Join(optional, " ") != "libcufft.so.12" {
		t.Errorf("missing %v, optional missing %v", missing, optional)
	}
	var order []string
	for _, p := range plan.Load {
		order = append(order, filepath.Base(p))
	}
	want := "libcudart.so.13 libcublasLt.so.13 libcublas.so.13 libcudnn.so.9 libcudnn_graph.so.9 libcudnn_ops.so.9 libcudnn_adv.so.9 libcudnn_engines.so.9 libnvrtc.so.13 libnvrtc-builtins.so.13.0"
	if got := strings.Join(order, " "); got != want {
		t.Errorf("load order\n got %s\nwant %s", got, want)
	}
	if plan.Found["libcublas.so.13"] != filepath.Join(blas, "libcublas.so.13") || !plan.Companions[filepath.Join(dnn, "libcudnn_ops.so.9")] {
		t.Errorf("found %v, companions %v", plan.Found, plan.Companions)
	}

	if err := preloadCUDA(plan); err != nil {
		t.Fatalf("a companion that cannot load stopped the preload: %v", err)
	}
	for _, soname := range []string{"libcublas.so.13", "libcublasLt.so.13", "libcudnn_adv.so.9", "libnvrtc-builtins.so.13.0"} {
		if msg := loadGlobal(soname); msg != "" {
			t.Errorf("%s is not loaded after the preload: %s", soname, msg)
		}
	}
	if loadGlobal("libcudnn_engines.so.9") == "" {
		t.Error("a library with a missing dependency loaded")
	}

	bad := t.TempDir()
	sharedLib(t, bad, "libcurand.so.10", []string{"libgone.so.1"}, gone)
	err := preloadCUDA(planCUDA([]string{bad}, []CUDALib{{Soname: "libcurand.so.10"}}))
	if err == nil || !strings.Contains(err.Error(), "libgone.so.1") {
		t.Errorf("a required library that cannot load: %v", err)
	}
}

// TestCUDALibDirsSetting: the setting replaces the search, in its order.
func TestCUDALibDirsSetting(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	t.Setenv(EnvCUDALibs, b+string(os.PathListSeparator)+a)
	if got := CUDALibDirs(); len(got) != 2 || got[0] != b || got[1] != a {
		t.Errorf("got %v", got)
	}
}
