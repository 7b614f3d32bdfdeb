package main

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/afero"

	"github.com/circc/circc/compiler"
)

func main() {
	os.Exit(run(os.Args[1:], afero.NewOsFs(), os.Stdout, os.Stderr))
}

// Exit codes shared by all commands.
const (
	exitOK    = 0
	exitDiags = 1 // the input has problems (diagnostics were printed)
	exitUsage = 2 // the command line is wrong or a file cannot be read
)

type command struct {
	name, args, summary string
	run                 func(env *env, args []string) int
}

// env is what a command reads and writes.
type env struct {
	fs             afero.Fs
	stdout, stderr io.Writer
}

var commands []*command

func init() {
	commands = []*command{
		{"check", "[--json] [-v] FILE...", "parse and check circuits; report every problem", runCheck},
		{"build", "[-o OUT.onnx] FILE", "compile a circuit to an ONNX model and a units manifest", runBuild},
		{"ir", "--after STAGE FILE", "print a compiler stage's result", runIR},
		{"eval", "--against MODEL [FILE]", "top-1/top-5 accuracy of the model, intact and with the circuit's edits", runEval},
		{"verify", "--against MODEL FILE", "compare hand-made units with the reference model's own", runVerify},
		{"stimuli", "--kind KIND --out DIR", "write contact sheets of the synthetic stimuli", runStimuli},
		{"models", "list|test [NAME]", "list the reference models; test one against its stored activations", runModels},
		{"doctor", "[--json]", "say what the CPU and CUDA paths have found and what they lack", runDoctor},
		{"fmt", "[-w] [--check] FILE...", "print circuits in canonical layout (-w: rewrite the files)", runFmt},
		{"grammar", "", "print the grammar of circ (EBNF)", runGrammar},
		{"version", "", "print the compiler version", func(e *env, _ []string) int { fmt.Fprintln(e.stdout, "circc", compiler.Version); return exitOK }},
	}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "circc compiles hand-written neural-network circuits.")
	fmt.Fprintln(w, "\nUsage:")
	for _, c := range commands {
		fmt.Fprintf(w, "  circc %-8s %-26s %s\n", c.name, c.args, c.summary)
	}
}

func run(args []string, fs afero.Fs, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	e := &env{fs: fs, stdout: stdout, stderr: stderr}
	for _, c := range commands {
		if c.name == args[0] {
			return c.run(e, args[1:])
		}
	}
	fmt.Fprintf(stderr, "circc: unknown command %q\n", args[0])
	usage(stderr)
	return exitUsage
}
