package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/circc/circc/runtime"
)

func runDoctor(e *env, args []string) int {
	fl := newFlags("doctor", e.stderr)
	asJSON := fl.Bool("json", false, "write the report as JSON on stdout")
	if fl.Parse(args) != nil {
		return exitUsage
	}
	r := runtime.Doctor()
	if r.CPUOK {
		if err := runtime.Init(); err != nil {
			r.CPUOK, r.CPUProblem = false, err.Error()
		} else {
			r.CPUVersion = runtime.LoadedVersion()
		}
	}
	if *asJSON {
		b, _ := json.MarshalIndent(r, "", "  ")
		fmt.Fprintln(e.stdout, string(b))
	} else {
		mark := func(ok bool) string {
			if ok {
				return "ok"
			}
			return "missing"
		}
		fmt.Fprintf(e.stdout, "cpu:  %s  onnxruntime %s at %s\n", mark(r.CPUOK), r.CPUVersion, r.CPULibrary)
		if r.CPUProblem != "" {
			fmt.Fprintf(e.stdout, "      %s\n", r.CPUProblem)
		}
		fmt.Fprintf(e.stdout, "cuda: %s\n", mark(r.CUDAOK))
		fmt.Fprintf(e.stdout, "      onnxruntime %s GPU build: %s (CUDA provider library: %s)\n", runtime.GPUVersion, r.GPULibrary, mark(r.GPUProvider))
		fmt.Fprintf(e.stdout, "      CUDA library folders searched: %d (%s)\n", len(r.CUDALibDirs), runtime.EnvCUDALibs)
		for _, n := range []string{"libcudart.so", "libcublasLt.so", "libcublas.so", "libcufft.so", "libcurand.so", "libcudnn.so"} {
			if fs := r.CUDALibs[n]; len(fs) > 0 {
				fmt.Fprintf(e.stdout, "      %-15s %s\n", n, fs[0])
			} else {
				fmt.Fprintf(e.stdout, "      %-15s missing\n", n)
			}
		}
		gpus := "none"
		if len(r.GPUs) > 0 {
			gpus = strings.Join(r.GPUs, " ")
		}
		fmt.Fprintf(e.stdout, "      NVIDIA devices: %s\n", gpus)
		if r.CUDAProblem != "" {
			fmt.Fprintf(e.stdout, "      %s\n", r.CUDAProblem)
		}
	}
	if !r.CPUOK {
		return exitDiags
	}
	return exitOK
}
