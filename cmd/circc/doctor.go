package main

import (
	"fmt"
	"strings"

	"github.com/circc/circc/runtime"
)

func runDoctor(e *env, args []string) int {
	fl := newFlags("doctor", e.stderr)
	asJSON := addJSON(fl, "the report")
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
	if *asJSON != "" {
		writeJSON(e, r)
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
		if r.CUDAOK {
			// Everything is found, but nothing has run on the GPU yet.
			fmt.Fprintln(e.stdout, "cuda: found  (to run it: circc models test --device cpu,cuda inceptionv1)")
		} else {
			fmt.Fprintln(e.stdout, "cuda: missing")
		}
		fmt.Fprintf(e.stdout, "      onnxruntime %s GPU build: %s at %s\n", runtime.GPUVersion, mark(r.GPUBuild), r.GPULibrary)
		fmt.Fprintf(e.stdout, "      CUDA provider library beside it: %s\n", mark(r.GPUProvider))
		fmt.Fprintf(e.stdout, "      CUDA library folders searched: %d (set %s to choose them)\n", len(r.CUDALibDirs), runtime.EnvCUDALibs)
		for _, l := range r.CUDALibs {
			where := l.Path
			if where == "" {
				where = "missing (pip package " + l.Package + ")"
				if l.Optional {
					where += ", optional"
				}
			}
			fmt.Fprintf(e.stdout, "      %-18s %s\n", l.Soname, where)
		}
		fmt.Fprintf(e.stdout, "      driver: %s\n", r.Driver)
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
