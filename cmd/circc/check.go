package main

import (
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/circc/circc/compiler/check"
	"github.com/circc/circc/diag"
	"github.com/circc/circc/lang/parser"
	"github.com/circc/circc/models"
)

// newFlags makes the flag set of a command; its help (-h, --help) shows
// the command's arguments, what it does and its flags.
func newFlags(name string, stderr io.Writer) *flags {
	fl := flag.NewFlagSet("circc "+name, flag.ContinueOnError)
	fl.SetOutput(stderr)
	fl.Usage = func() { commandHelp(stderr, name, fl) }
	return &flags{FlagSet: fl}
}

// commandHelp writes a command's usage line, summary and flags.
func commandHelp(w io.Writer, name string, fl *flag.FlagSet) {
	top, _, _ := strings.Cut(name, " ")
	for _, c := range commands {
		if c.name == top {
			fmt.Fprintf(w, "usage: circc %s %s\n\n%s.\n", c.name, c.args, c.summary)
		}
	}
	var any bool
	fl.VisitAll(func(*flag.Flag) { any = true })
	if any {
		fmt.Fprintln(w, "\nflags:")
		fl.PrintDefaults()
	}
}

// flags is a flag set that accepts flags anywhere among the arguments
// ("circc build FILE -o OUT.onnx"); "--" ends the flags.
type flags struct {
	*flag.FlagSet
	args []string
}

func (f *flags) Parse(args []string) error {
	for i, a := range args {
		if a == "--" {
			break
		}
		// --json takes its file after "=": a file after a space would be
		// read as an argument of the command.
		if (a == "--json" || a == "-json") && i+1 < len(args) && strings.HasSuffix(args[i+1], ".json") {
			err := fmt.Errorf("--json %s: write --json=%s to name the file (--json alone writes to stdout)", args[i+1], args[i+1])
			fmt.Fprintln(f.Output(), err)
			return err
		}
	}
	for {
		if err := f.FlagSet.Parse(args); err != nil {
			return err
		}
		rest := f.FlagSet.Args()
		if len(rest) == 0 {
			return nil
		}
		if rest[0] == "--" {
			f.args = append(f.args, rest[1:]...)
			return nil
		}
		f.args = append(f.args, rest[0])
		args = rest[1:]
	}
}

// IntIn defines an int flag that accepts only values in [lo, hi]: anything
// else is a usage error (exit 2) that names the range.
func (f *flags) IntIn(name string, value, lo, hi int, usage string) *int {
	p := &value
	f.Var(&rangedInt{p, lo, hi}, name, fmt.Sprintf("%s (%d to %d)", usage, lo, hi))
	return p
}

type rangedInt struct {
	p      *int
	lo, hi int
}

func (r *rangedInt) String() string {
	if r == nil || r.p == nil {
		return "0"
	}
	return strconv.Itoa(*r.p)
}

func (r *rangedInt) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil || n < r.lo || n > r.hi {
		return fmt.Errorf("want a whole number from %d to %d", r.lo, r.hi)
	}
	*r.p = n
	return nil
}

// Args are the positional arguments.
func (f *flags) Args() []string { return f.args }

// Given says whether the flag was set on the command line.
func (f *flags) Given(name string) bool {
	given := false
	f.Visit(func(fl *flag.Flag) { given = given || fl.Name == name })
	return given
}

// NArg counts the positional arguments.
func (f *flags) NArg() int { return len(f.args) }

// Arg is the i-th positional argument.
func (f *flags) Arg(i int) string {
	if i < len(f.args) {
		return f.args[i]
	}
	return ""
}

// checkReport is the --json output of circc check.
type checkReport struct {
	OK          bool      `json:"ok"`
	Files       []string  `json:"files"`
	Diagnostics diag.List `json:"diagnostics"`
}

func runCheck(e *env, args []string) int {
	fl := newFlags("check", e.stderr)
	asJSON := addJSON(fl, "the diagnostics")
	verbose := fl.Bool("v", false, "print a summary of each clean circuit: its layers and units")
	if fl.Parse(args) != nil {
		return exitUsage
	}
	if fl.NArg() == 0 {
		fmt.Fprintln(e.stderr, "usage: circc check [--json] FILE...")
		return exitUsage
	}
	rep := checkReport{OK: true, Files: fl.Args(), Diagnostics: diag.List{}}
	code := exitOK
	reg := models.Registered(e.fs, "")
	for _, name := range fl.Args() {
		prog, ds, err := check.Check(e.fs, name, reg)
		if err != nil {
			return e.fail(err)
		}
		if len(ds) == 0 && *verbose && *asJSON == "" {
			writeSummary(e.stdout, name, prog)
		}
		if len(ds) > 0 {
			rep.OK = false
			code = exitDiags
			rep.Diagnostics = append(rep.Diagnostics, ds...)
			if *asJSON == "" {
				ds.WriteText(e.stderr, prog.Source)
			}
		}
	}
	if *asJSON != "" {
		if err := writeJSON(e, rep); err != nil {
			return e.fail(err)
		}
	} else if n := len(rep.Diagnostics); n > 0 {
		fmt.Fprintf(e.stderr, "%d problem%s\n", n, map[bool]string{true: "", false: "s"}[n == 1])
	}
	return code
}

// writeSummary prints "FILE: ok" and, for a circuit, one line per layer.
func writeSummary(w io.Writer, name string, prog *check.Program) {
	fmt.Fprintf(w, "%s: ok\n", name)
	for _, l := range prog.Layers() {
		units := ""
		if l.Op == check.LayerConv {
			n := fmt.Sprint(l.Units)
			if !l.UnitsKnown {
				n = "?"
			}
			var fams []string
			for _, f := range l.Families {
				if f.Template {
					fams = append(fams, f.Name+" (template)")
				} else {
					fams = append(fams, fmt.Sprintf("%s %d", f.Name, f.Units))
				}
			}
			units = fmt.Sprintf(", %s units: %s", n, strings.Join(fams, ", "))
		}
		kernel := ""
		if l.Kernel > 0 {
			kernel = fmt.Sprintf(" %dx%d", l.Kernel, l.Kernel)
		}
		fmt.Fprintf(w, "  %-10s %s%s%s\n", l.Name, l.Op, kernel, units)
	}
}

func runGrammar(e *env, args []string) int {
	fl := newFlags("grammar", e.stderr)
	if fl.Parse(args) != nil {
		return exitUsage
	}
	if fl.NArg() > 0 {
		return e.fail(badUsage(fmt.Errorf("grammar takes no arguments, got %s", strings.Join(fl.Args(), " "))))
	}
	fmt.Fprintln(e.stdout, parser.Grammar())
	return exitOK
}

// defineFlag collects -D name=value settings.
type defineFlag map[string]string

func (d defineFlag) String() string { return "" }

func (d defineFlag) Set(v string) error {
	name, value, ok := strings.Cut(v, "=")
	if !ok || name == "" {
		return fmt.Errorf("-D takes name=value")
	}
	d[strings.TrimSpace(name)] = value
	return nil
}

// addDefines adds -D to a command's flags.
func addDefines(fl *flags) defineFlag {
	d := defineFlag{}
	fl.Var(d, "D", "override a top-level let of the circuit: `name=value` (repeatable)")
	return d
}
