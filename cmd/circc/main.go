package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/circc/circc/models"

	"github.com/spf13/afero"

	"github.com/circc/circc/compiler"
	"github.com/circc/circc/diag"
	"github.com/circc/circc/internal/safefs"
)

func main() {
	sess := safefs.NewSession(afero.NewOsFs())
	removeTempsOnSignal(sess)
	os.Exit(run(os.Args[1:], sess, os.Stdout, os.Stderr))
}

// removeTempsOnSignal makes SIGINT, SIGTERM and SIGHUP remove the run's
// temporary files before circc exits with 128 + the signal's number.
func removeTempsOnSignal(sess *safefs.Session) {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	go func() {
		s := <-sig
		sess.RemoveTemps()
		n := 1
		if s, ok := s.(syscall.Signal); ok {
			n = int(s)
		}
		os.Exit(128 + n)
	}()
}

// Exit codes shared by all commands; exitCode maps an error to one.
const (
	exitOK       = 0
	exitDiags    = 1 // the input has problems (diagnostics), or a check it asked for failed
	exitUsage    = 2 // the command line is wrong: a flag, an argument, an input that cannot be read, an output that may not be replaced
	exitInternal = 3 // a bug in circc: it panicked
	exitFailed   = 4 // the work failed: a model that does not load or run, the runtime, an output not written
)

// usageError is a mistake in the command line.
type usageError struct{ err error }

func (u *usageError) Error() string { return u.err.Error() }
func (u *usageError) Unwrap() error { return u.err }

// badUsage marks err as a mistake in the command line.
func badUsage(err error) error { return &usageError{err} }

// problemError is a problem of the input that is not a diagnostic, or a
// failed check (a model that differs from its stored activations).
type problemError struct{ err error }

func (p *problemError) Error() string { return p.err.Error() }
func (p *problemError) Unwrap() error { return p.err }

// problem marks err as the input's problem.
func problem(err error) error { return &problemError{err} }

// exitCode is the one map from the error that ends a command to its exit
// code.
func exitCode(err error) int {
	var ds diag.List
	var u *usageError
	var p *problemError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ds), errors.As(err, &p):
		return exitDiags
	case errors.As(err, &u), errors.Is(err, fs.ErrNotExist), errors.Is(err, fs.ErrPermission),
		errors.Is(err, safefs.ErrNotRegular), errors.Is(err, safefs.ErrTooBig), errors.Is(err, safefs.ErrRefusedOutput),
		errors.Is(err, models.ErrUnknown):
		return exitUsage
	}
	return exitFailed
}

// reportBugsAt is where a panic's message tells the user to report it.
const reportBugsAt = "https://github.com/circc/circc/issues"

type command struct {
	name, args, summary string
	run                 func(env *env, args []string) int
}

// env is what a command reads and writes.
type env struct {
	fs             afero.Fs
	stdout, stderr io.Writer
	rawStderr      io.Writer // stderr as given, to tell whether it is a terminal
	// jsonTo is where the command was asked to write JSON ("-": stdout,
	// "": nowhere); jsonWritten says it did. When it did not, run writes an
	// error object there, so --json gives valid JSON on every path.
	jsonTo      string
	jsonWritten bool
	diags       diag.List     // the diagnostics the command reported
	errs        []error       // the errors it failed with (fail)
	messages    *bytes.Buffer // what it wrote to stderr, for that object
}

// fail reports the error that ends the command, and returns its exit code.
func (e *env) fail(err error) int {
	e.errs = append(e.errs, err)
	fmt.Fprintf(e.stderr, "circc: %v\n", err)
	return exitCode(err)
}

// end reports the error that ends a command: diagnostics (a diag.List)
// against their sources, any other error as fail does.
func (e *env) end(err error, src diag.Sources) int {
	var ds diag.List
	if errors.As(err, &ds) {
		e.report(ds, src)
		return exitDiags
	}
	return e.fail(err)
}

// report prints diagnostics for people and keeps them for the JSON object.
func (e *env) report(ds diag.List, src diag.Sources) {
	e.diags = append(e.diags, ds...)
	ds.WriteText(e.stderr, src)
}

// writeJSON writes v as indented JSON where the command line asked for
// it: stdout for a --json switch or verify's --json -, else verify's
// --json FILE.
func writeJSON(e *env, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	if e.jsonTo == "" || e.jsonTo == "-" {
		e.stdout.Write(b)
	} else if err := safefs.WriteFile(e.fs, e.jsonTo, b); err != nil {
		return err
	}
	e.jsonWritten = true
	return nil
}

var commands []*command

func init() {
	commands = []*command{
		{"check", "[--json] [-v] FILE...", "parse and check circuits; report every problem", runCheck},
		{"build", "[-o OUT.onnx] FILE", "compile a circuit to an ONNX model and a units manifest", runBuild},
		{"ir", "--after STAGE FILE", "print a compiler stage's result", runIR},
		{"eval", "--against MODEL [FILE]", "top-1/top-5 accuracy of the model, intact and with the circuit's edits", runEval},
		{"verify", "--against MODEL FILE", "compare hand-made units with the reference model's own", runVerify},
		{"weights", "--against MODEL FROM TO[CHANNELS]", "expanded weights between two layers of a reference model (JSON, PNG)", runWeights},
		{"vis", "--against MODEL -o DIR UNIT...", "feature visualizations: images optimised to excite units, natural or hand-made", runVis},
		{"atlas", "[plan|run|merge|submit] -o DIR", "an atlas of a network: every unit's portraits, photos, weights and tuning, as a static site", runAtlas},
		{"stimuli", "--list | --kind KIND --out DIR", "describe the synthetic stimuli, or write their contact sheets", runStimuli},
		{"models", "list|tensors|test|add [NAME]", "list the reference models, a model's tensors, test one against its stored activations, or add one", runModels},
		{"doctor", "[--json]", "say what the CPU and CUDA paths have found and what they lack", runDoctor},
		{"doc", "[MODULE[.NAME]]", "print the standard library's signatures and doc comments", runDoc},
		{"lsp", "", "serve the Language Server Protocol on stdin and stdout, for editors", runLSP},
		{"fmt", "[-w] [--check] FILE...", "print circuits in canonical layout (-w: rewrite the files)", runFmt},
		{"grammar", "", "print the grammar of circ (EBNF)", runGrammar},
		{"version", "", "print the compiler version", func(e *env, _ []string) int { fmt.Fprintln(e.stdout, "circc", compiler.Version); return exitOK }},
	}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "circc compiles hand-written neural-network circuits.")
	fmt.Fprintln(w, "\nUsage:")
	for _, c := range commands {
		fmt.Fprintf(w, "  circc %-8s %-34s %s\n", c.name, c.args, c.summary)
	}
	fmt.Fprintln(w, "\n\"circc COMMAND --help\" describes a command and its flags.")
}

// run runs one command line as one run: the files it reads are its
// inputs, which it never overwrites.
func run(args []string, fs afero.Fs, stdout, stderr io.Writer) int {
	if _, ok := fs.(*safefs.Session); !ok {
		fs = safefs.NewSession(fs)
	}
	switch {
	case len(args) == 0:
		usage(stderr)
		return exitUsage
	case args[0] == "--version":
		args = []string{"version"}
	case len(args) >= 2 && args[0] == "help":
		args = []string{args[1], "--help"} // help COMMAND is COMMAND --help
	case args[0] == "-h" || args[0] == "--help" || args[0] == "help":
		usage(stdout) // asked for: on stdout
		return exitOK
	}
	msgs := &bytes.Buffer{}
	e := &env{fs: fs, stdout: stdout, stderr: io.MultiWriter(stderr, &limitedWriter{msgs, 64 << 10}), rawStderr: stderr, messages: msgs, jsonTo: jsonRequest(args)}
	for _, c := range commands {
		if c.name == args[0] {
			return runCommand(e, c, args[1:])
		}
	}
	fmt.Fprintf(stderr, "circc: unknown command %q\n", args[0])
	usage(stderr)
	return exitUsage
}

// runCommand runs c, turning a panic into exit code 3 with a request to
// report it, and writes the JSON error object when JSON was asked for and
// the command wrote none.
func runCommand(e *env, c *command, args []string) (code int) {
	help := asksHelp(args)
	if help {
		e.stderr = e.stdout // help that was asked for goes to stdout
	}
	defer func() {
		if help && code == exitUsage {
			code = exitOK // the help was asked for and printed
		}
		if r := recover(); r != nil {
			fmt.Fprintf(e.stderr, "circc: internal error: %v\n%s\nThis is a bug in circc %s; please report it, with the command and its input, at %s\n",
				r, debug.Stack(), compiler.Version, reportBugsAt)
			code = exitInternal
		}
		if e.jsonTo != "" && !e.jsonWritten && code != exitOK {
			e.writeErrorJSON(code)
		}
	}()
	return c.run(e, args)
}

// asksHelp reports whether a command line asks for its command's help.
func asksHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "-help", "--help":
			return true
		}
	}
	return false
}

// errorReport is the JSON a command writes when it fails before its own.
type errorReport struct {
	OK          bool      `json:"ok"`
	ExitCode    int       `json:"exit_code"`
	Error       string    `json:"error"`
	Diagnostics diag.List `json:"diagnostics"`
}

func (e *env) writeErrorJSON(code int) {
	r := errorReport{ExitCode: code, Error: e.errorMessage(), Diagnostics: e.diags}
	if r.Diagnostics == nil {
		r.Diagnostics = diag.List{}
	}
	writeJSON(e, r)
}

// errorMessage is the JSON error object's message: the errors the command
// failed with, else a count of its diagnostics, else what it printed (a
// flag's usage).
func (e *env) errorMessage() string {
	var msgs []string
	for _, err := range e.errs {
		msgs = append(msgs, err.Error())
	}
	switch n := len(e.diags); {
	case len(msgs) > 0:
		return strings.Join(msgs, "\n")
	case n > 0:
		return fmt.Sprintf("%d problem%s", n, map[bool]string{true: "", false: "s"}[n == 1])
	}
	return strings.TrimSpace(e.messages.String())
}

// jsonFlag is --json, one meaning on every command: alone (or =-, =true)
// the JSON goes to stdout, --json=FILE writes it to FILE, --json=false
// writes none.
type jsonFlag struct{ to string }

func (j *jsonFlag) String() string   { return j.to }
func (j *jsonFlag) IsBoolFlag() bool { return true }
func (j *jsonFlag) Set(v string) error {
	j.to = jsonTarget(v)
	return nil
}

// jsonTarget is where a --json value sends the JSON: "-" stdout, "" none,
// else a file.
func jsonTarget(v string) string {
	switch v {
	case "true", "-":
		return "-"
	case "false", "":
		return ""
	}
	return v
}

// addJSON registers --json; the result is "-", a file or "".
func addJSON(fl *flags, what string) *string {
	j := &jsonFlag{}
	fl.Var(j, "json", "write "+what+" as JSON on stdout (--json), or to a file (--json=FILE)")
	return &j.to
}

// jsonRequest finds where the command line asks for JSON, before the
// command parses it, so that a failure can still write its error object
// there: "-" (stdout), a file, or "" for none.
func jsonRequest(args []string) string {
	for _, a := range args {
		if a == "--" {
			break
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || name != "json" {
			continue
		}
		if !hasValue {
			return "-"
		}
		return jsonTarget(value)
	}
	return ""
}

// limitedWriter keeps the first n bytes written to it.
type limitedWriter struct {
	buf *bytes.Buffer
	n   int
}

func (w *limitedWriter) Write(p []byte) (int, error) {
	if room := w.n - w.buf.Len(); room > 0 {
		w.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}
