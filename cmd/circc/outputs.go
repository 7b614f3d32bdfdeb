package main

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/afero"

	"github.com/circc/circc/internal/safefs"
	"github.com/circc/circc/models"
)

// distinctOutputs refuses, before any work is done, two outputs of one
// command that would land on the same file, or a file inside a folder
// output: each flag names its own destination. outs maps a flag's name to
// its value ("" when not given, "-" for stdout).
func distinctOutputs(fs afero.Fs, outs map[string]string) error {
	flags := make([]string, 0, len(outs))
	for f := range outs {
		flags = append(flags, f)
	}
	sort.Strings(flags)
	seen := map[string]string{}
	for _, f := range flags {
		v := outs[f]
		if v == "" || v == "-" {
			continue
		}
		p := safefs.Resolve(fs, v)
		if other, ok := seen[p]; ok {
			return fmt.Errorf("--%s and --%s both name %s: give each output its own file", other, f, v)
		}
		seen[p] = f
	}
	for p, f := range seen {
		for q, g := range seen {
			if f != g && strings.HasPrefix(p, q+string(filepath.Separator)) {
				return fmt.Errorf("--%s %s lies inside --%s's folder %s: give each output its own place", f, outs[f], g, outs[g])
			}
		}
	}
	return nil
}

// againstList splits --against's comma-separated list and checks it before
// any work: no empty name, no name twice, every name registered.
func againstList(fs afero.Fs, list, root string) ([]string, error) {
	reg := models.Registered(fs, root)
	var out []string
	seen := map[string]bool{}
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		switch {
		case name == "":
			return nil, fmt.Errorf("--against %q has an empty model name", list)
		case seen[name]:
			return nil, fmt.Errorf("--against %q names %s twice", list, name)
		}
		if err := reg.Problem(name); err != nil {
			return nil, err
		}
		if _, ok := reg.Lookup(name); !ok {
			return nil, fmt.Errorf("--against: no reference model %q (registered: %s)", name, strings.Join(reg.Names(), ", "))
		}
		seen[name] = true
		out = append(out, name)
	}
	return out, nil
}
