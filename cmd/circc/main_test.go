package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/spf13/afero"

	"github.com/circc/circc/diag"
	"github.com/circc/circc/internal/safefs"
	"github.com/circc/circc/models"
	"github.com/circc/circc/runtime"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"circc": main,
	})
}

// TestScripts runs the command-line scenarios in testdata/script. $REPO is
// the repository root, for the bundled circuits.
func TestScripts(t *testing.T) {
	repo, _ := filepath.Abs("../..")
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(e *testscript.Env) error {
			e.Setenv("REPO", repo)
			e.Setenv("MODELS", filepath.Join(repo, "..", "shared", "models"))
			e.Setenv("DATA", filepath.Join(repo, "..", "shared", "datasets"))
			// Scripts run with HOME unset: point them at the installed
			// library; npm's cache lives in the real home.
			e.Setenv("USERHOME", os.Getenv("HOME"))
			e.Setenv(runtime.EnvLibrary, runtime.LibraryPath())
			e.Setenv("ORT_LIB", runtime.LibraryPath())
			return nil
		},
	})
}

func TestExitCodes(t *testing.T) {
	fs := afero.NewMemMapFs()
	afero.WriteFile(fs, "ok.circ", []byte("library ok\n\nlet a = 1\n"), 0o644)
	afero.WriteFile(fs, "bad.circ", []byte("library bad\n\nlet a = 1deg + 1px\n"), 0o644)
	afero.WriteFile(fs, "ugly.circ", []byte("library ugly\nlet a=1\n"), 0o644)
	for _, tc := range []struct {
		args []string
		want int
	}{
		{[]string{"check", "ok.circ"}, exitOK},
		{[]string{"check", "ok.circ", "bad.circ"}, exitDiags},
		{[]string{"check", "--json", "bad.circ"}, exitDiags},
		{[]string{"check", "missing.circ"}, exitUsage},
		{[]string{"check"}, exitUsage},
		{[]string{"check", "--nope", "ok.circ"}, exitUsage},
		{[]string{"fmt", "--check", "ok.circ"}, exitOK},
		{[]string{"fmt", "--check", "ugly.circ"}, exitDiags},
		{[]string{}, exitUsage},
		{[]string{"frobnicate"}, exitUsage},
		{[]string{"version"}, exitOK},
	} {
		var out, errb bytes.Buffer
		if got := run(tc.args, fs, &out, &errb); got != tc.want {
			t.Errorf("circc %s: exit %d, want %d\n%s", strings.Join(tc.args, " "), got, tc.want, errb.String())
		}
	}
}

func TestFmtWriteIsAtomic(t *testing.T) {
	fs := afero.NewMemMapFs()
	afero.WriteFile(fs, "dir/u.circ", []byte("library u\nlet a=1\n"), 0o600)
	var out, errb bytes.Buffer
	if code := run([]string{"fmt", "-w", "dir/u.circ"}, fs, &out, &errb); code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	got, _ := afero.ReadFile(fs, "dir/u.circ")
	if string(got) != "library u\nlet a = 1\n" {
		t.Errorf("got %q", got)
	}
	st, _ := fs.Stat("dir/u.circ")
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v: the file's permissions must be kept", st.Mode())
	}
	entries, _ := afero.ReadDir(fs, "dir")
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %d entries", len(entries))
	}
}

// TestJSONOnEveryPath: every command that takes --json writes one valid
// JSON value on every path, success or failure, with the exit code in it
// when it failed.
func TestJSONOnEveryPath(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	ok := write("ok.circ", "library ok\nlet a = 1\n")
	bad := write("bad.circ", "circuit bad\nlet a = 1deg + 1px\n")
	os.MkdirAll(filepath.Join(dir, "altered", "inceptionv1"), 0o755)
	write("altered/inceptionv1/model.onnx", "not the model")
	models := filepath.Join("..", "..", "..", "shared", "models")
	report := filepath.Join(dir, "report.json")
	report2 := filepath.Join(dir, "check.json")
	for _, tc := range []struct {
		args []string
		code int
		file string // where the JSON goes when not stdout
	}{
		{args: []string{"check", "--json", ok}},
		{args: []string{"check", "--json", bad}, code: exitDiags},
		{args: []string{"check", "--json", filepath.Join(dir, "missing.circ")}, code: exitUsage},
		{args: []string{"check", "--json", "/dev/zero"}, code: exitUsage},
		{args: []string{"models", "list", "--json", "--models", models}},
		{args: []string{"models", "list", "--json", "--models", filepath.Join(dir, "altered")}, code: exitDiags},
		{args: []string{"models", "test", "--json", "--models", filepath.Join(dir, "altered"), "inceptionv1"}, code: exitFailed}, // the model does not load
		{args: []string{"models", "test", "--json", "--device", "tpu", "inceptionv1"}, code: exitUsage},
		{args: []string{"eval", "--json", "--against", "nosuchmodel"}, code: exitUsage},
		{args: []string{"eval", "--json", "--threads", "-1"}, code: exitUsage},
		{args: []string{"verify", "--json", "--against", "inceptionv1", bad}, code: exitDiags},
		{args: []string{"verify", "--json=" + report, "--against", "inceptionv1", bad}, code: exitDiags, file: report},
		{args: []string{"check", "--json=" + report2, bad}, code: exitDiags, file: report2},              // one meaning: a file on every command
		{args: []string{"verify", "--json", "r.json", "--against", "inceptionv1", bad}, code: exitUsage}, // the file goes after =
		{args: []string{"doctor", "--json"}},
	} {
		var out, errb bytes.Buffer
		code := run(tc.args, afero.NewOsFs(), &out, &errb)
		name := strings.Join(tc.args, " ")
		if tc.code != 0 && code != tc.code {
			t.Errorf("circc %s: exit %d, want %d\n%s", name, code, tc.code, errb.String())
		}
		got := out.Bytes()
		if tc.file != "" {
			got, _ = os.ReadFile(tc.file)
			if out.Len() > 0 {
				t.Errorf("circc %s: stdout %q, the JSON goes to %s", name, out.String(), tc.file)
			}
		}
		var v map[string]any
		if err := json.Unmarshal(got, &v); err != nil {
			t.Errorf("circc %s: not one JSON object (%v):\n%s", name, err, got)
			continue
		}
		if code != exitOK && (v["ok"] != false || (v["exit_code"] != nil && v["exit_code"] != float64(code))) {
			t.Errorf("circc %s: exit %d but JSON %s", name, code, got)
		}
	}
}

// TestFlagsValidated: numeric flags outside their ranges are usage errors
// that say the range, before anything runs.
func TestFlagsValidated(t *testing.T) {
	for _, args := range [][]string{
		{"eval", "--threads", "100000"},
		{"eval", "--threads", "-1"},
		{"eval", "--calibration", "-5"},
		{"eval", "--limit", "-1"},
		{"verify", "--window", "-1", "x.circ"},
		{"verify", "--window", "65", "x.circ"},
		{"verify", "--null-seeds", "-1", "x.circ"},
		{"verify", "--photos", "-1", "x.circ"},
		{"models", "tensors", "--size", "100000", "inceptionv1"},
		{"stimuli", "--size", "0", "--kind", "curves", "--out", "x"},
	} {
		var out, errb bytes.Buffer
		code := run(args, afero.NewMemMapFs(), &out, &errb)
		if code != exitUsage || !strings.Contains(errb.String(), "want a whole number from") {
			t.Errorf("circc %s: exit %d\n%s", strings.Join(args, " "), code, errb.String())
		}
	}
}

// TestPanicIsReported: a panic is exit code 3, distinct from usage
// errors, with where to report it, and --json still gets its object.
func TestPanicIsReported(t *testing.T) {
	commands = append(commands, &command{name: "panic", run: func(*env, []string) int { panic("boom") }})
	defer func() { commands = commands[:len(commands)-1] }()
	var out, errb bytes.Buffer
	code := run([]string{"panic", "--json"}, afero.NewMemMapFs(), &out, &errb)
	if code != exitInternal || !strings.Contains(errb.String(), "internal error: boom") || !strings.Contains(errb.String(), reportBugsAt) {
		t.Errorf("exit %d\n%s", code, errb.String())
	}
	if !json.Valid(out.Bytes()) || !strings.Contains(out.String(), `"exit_code": 3`) {
		t.Errorf("JSON %s", out.String())
	}
}

// TestExitCodeMap: the one map from errors to exit codes, by type, however
// deeply the error is wrapped.
func TestExitCodeMap(t *testing.T) {
	wrap := func(err error) error { return fmt.Errorf("reading it: %w", err) }
	for _, c := range []struct {
		err  error
		want int
	}{
		{nil, exitOK},
		{diag.List{{Summary: "x"}}, exitDiags},
		{wrap(problem(errors.New("the model differs from its activations"))), exitDiags},
		{badUsage(errors.New("--threads wants a whole number")), exitUsage},
		{wrap(fs.ErrNotExist), exitUsage},
		{wrap(safefs.ErrNotRegular), exitUsage},
		{wrap(models.ErrUnknown), exitUsage},
		{wrap(safefs.ErrRefusedOutput), exitUsage},
		{errors.New("onnxruntime: the session failed"), exitFailed},
		{wrap(models.ErrAltered), exitFailed},
	} {
		if got := exitCode(c.err); got != c.want {
			t.Errorf("%v: exit %d, want %d", c.err, got, c.want)
		}
	}
}
