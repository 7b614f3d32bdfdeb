package safefs

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/spf13/afero"
)

// osFs is the test binary's run: one session over the real file system.
var osFs = NewSession(afero.NewOsFs())

// TestMain lets the test binary act as a second process writing files, for
// the tests of concurrent writers and signals.
func TestMain(m *testing.M) {
	switch os.Getenv("SAFEFS_HELPER") {
	case "pair":
		writePairs(os.Getenv("SAFEFS_DIR"), os.Getenv("SAFEFS_TAG"))
		os.Exit(0)
	case "block":
		// What cmd/circc does on a signal: remove the run's temporary
		// files, then exit with 128 + the signal's number.
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
		go func() {
			s := (<-sig).(syscall.Signal)
			osFs.RemoveTemps()
			os.Exit(128 + int(s))
		}()
		dir := os.Getenv("SAFEFS_DIR")
		err := WriteFiles(osFs, []File{{Path: filepath.Join(dir, "m.onnx"), Data: []byte("model")}, {Path: filepath.Join(dir, "m.units.json"), Data: []byte("units")}},
			func(map[string]string) error {
				os.WriteFile(filepath.Join(dir, "ready"), nil, 0o644)
				time.Sleep(time.Minute)
				return nil
			})
		fmt.Println(err)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestReadRefusesWhatIsNotAPlainFile(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.circ")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.circ")
	os.WriteFile(big, bytes.Repeat([]byte("x"), 101), 0o644)
	ok := filepath.Join(dir, "ok.circ")
	os.WriteFile(ok, []byte("circuit ok\n"), 0o644)
	link := filepath.Join(dir, "link.circ")
	os.Symlink(ok, link)
	for _, tc := range []struct{ name, want string }{
		{fifo, "not a regular file (a named pipe)"},
		{"/dev/zero", "not a regular file (a device)"},
		{dir, "not a regular file (a directory)"},
		{big, "101 bytes, more than the limit of 100"},
		{filepath.Join(dir, "none.circ"), "no such file"},
		{ok, ""},
		{link, ""},
	} {
		data, err := ReadFile(osFs, tc.name, 100)
		switch {
		case tc.want == "" && (err != nil || string(data) != "circuit ok\n"):
			t.Errorf("%s: %q, %v", tc.name, data, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
	if !IsInput(osFs, ok) || !IsInput(osFs, link) {
		t.Error("a file read (and a link to it) is an input of the run")
	}
}

func TestWriteRefusesAndKeeps(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.circ")
	os.WriteFile(in, []byte("circuit in\n"), 0o644)
	if _, err := ReadFile(osFs, in, MaxSource); err != nil {
		t.Fatal(err)
	}
	inLink := filepath.Join(dir, "in-link.circ")
	os.Symlink("in.circ", inLink)
	ro := filepath.Join(dir, "ro.onnx")
	os.WriteFile(ro, []byte("old"), 0o444)
	sub := filepath.Join(dir, "sub")
	os.Mkdir(sub, 0o755)
	for _, tc := range []struct{ path, want string }{
		{in, "it is an input of this run"},
		{inLink, "it is an input of this run"},
		{"/dev/null", "it is a device, not a regular file"},
		{sub, "it is a directory, not a regular file"},
		{ro, "it is read-only"},
		{filepath.Join(dir, "missing", "x.onnx"), "its folder " + filepath.Join(dir, "missing") + " does not exist"},
	} {
		err := WriteFile(osFs, tc.path, []byte("new"))
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), ".tmp") {
			t.Errorf("%s: %v, want %q", tc.path, err, tc.want)
		}
	}
	if b, _ := os.ReadFile(in); string(b) != "circuit in\n" {
		t.Errorf("the input was changed: %q", b)
	}
	// Rewrite (fmt -w) may replace the input it came from.
	if err := WriteFiles(osFs, []File{{Path: in, Data: []byte("circuit in2\n"), Rewrite: true}}, nil); err != nil {
		t.Error(err)
	}

	// A link is followed, even one whose target does not exist yet.
	target := filepath.Join(dir, "target.onnx")
	link := filepath.Join(dir, "link.onnx")
	os.Symlink("target.onnx", link)
	if err := WriteFile(osFs, link, []byte("via link")); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Error("the link was replaced")
	}
	if b, _ := os.ReadFile(target); string(b) != "via link" {
		t.Errorf("the target holds %q", b)
	}

	// A replaced file keeps its mode and its owner.
	kept := filepath.Join(dir, "kept.json")
	os.WriteFile(kept, []byte("old"), 0o640)
	if os.Geteuid() == 0 {
		os.Chown(kept, 65534, 65534)
	}
	before, _ := os.Stat(kept)
	if err := WriteFile(osFs, kept, []byte("new")); err != nil {
		t.Fatal(err)
	}
	after, _ := os.Stat(kept)
	if after.Mode() != before.Mode() || after.Sys().(*syscall.Stat_t).Uid != before.Sys().(*syscall.Stat_t).Uid {
		t.Errorf("mode %v -> %v, owner %d -> %d", before.Mode(), after.Mode(), before.Sys().(*syscall.Stat_t).Uid, after.Sys().(*syscall.Stat_t).Uid)
	}
	if os.Geteuid() == 0 && after.Sys().(*syscall.Stat_t).Uid != 65534 {
		t.Error("the owner was not kept")
	}
	noTemps(t, dir)
}

// TestGroupIsAllOrNothing: a failing check leaves everything as it was,
// and when the second rename fails the first file is put back.
func TestGroupIsAllOrNothing(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "m.onnx"), filepath.Join(dir, "m.units.json")
	os.WriteFile(a, []byte("old model"), 0o644)
	err := WriteFiles(osFs, []File{{Path: a, Data: []byte("new model")}, {Path: b, Data: []byte("new units")}}, func(temps map[string]string) error {
		if got, _ := os.ReadFile(temps[a]); string(got) != "new model" {
			t.Errorf("the check reads %q", got)
		}
		return errors.New("the model does not run")
	})
	if err == nil || !strings.Contains(err.Error(), "does not run") {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(a); string(got) != "old model" {
		t.Errorf("after a failed check the model holds %q", got)
	}
	if _, err := os.Stat(b); err == nil {
		t.Error("a failed check wrote the units")
	}
	err = WriteFiles(osFs, []File{{Path: a, Data: []byte("new model")}, {Path: b, Data: []byte("new units")}}, func(map[string]string) error {
		return os.Mkdir(b, 0o755) // the second rename will fail
	})
	if err == nil || !strings.Contains(err.Error(), "nothing was written") {
		t.Fatalf("second rename: %v", err)
	}
	if got, _ := os.ReadFile(a); string(got) != "old model" {
		t.Errorf("after a failed rename the model holds %q", got)
	}
	os.Remove(b)
	noTemps(t, dir)
}

// writePairs writes a model and its manifest (holding the model's sha256)
// twenty times, as one process of TestConcurrentPairs.
func writePairs(dir, tag string) {
	for i := 0; i < 20; i++ {
		model := []byte(fmt.Sprintf("model of %s, round %d", tag, i))
		sum := sha256.Sum256(model)
		if err := WriteFiles(osFs, []File{{Path: filepath.Join(dir, "same.onnx"), Data: model}, {Path: filepath.Join(dir, "same.units.json"), Data: []byte(hex.EncodeToString(sum[:]))}}, nil); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}

// TestConcurrentPairs: processes writing the same pair at once never leave
// one's model beside another's manifest.
func TestConcurrentPairs(t *testing.T) {
	dir := t.TempDir()
	var cmds []*exec.Cmd
	for _, tag := range []string{"a", "b", "c"} {
		c := exec.Command(os.Args[0], "-test.run=^$")
		c.Env = append(os.Environ(), "SAFEFS_HELPER=pair", "SAFEFS_DIR="+dir, "SAFEFS_TAG="+tag)
		c.Stderr = os.Stderr
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, c)
	}
	done := make(chan error)
	go func() {
		var first error
		for _, c := range cmds {
			if err := c.Wait(); err != nil && first == nil {
				first = err
			}
		}
		done <- first
	}()
	mismatches, reads := 0, 0
	for running := true; running; {
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("a writer failed: %v", err)
			}
			running = false
		default:
		}
		// Readers take the same lock as writers.
		unlock, _ := osFs.lockDirs([]dest{{path: filepath.Join(dir, "same.onnx")}})
		model, err1 := os.ReadFile(filepath.Join(dir, "same.onnx"))
		units, err2 := os.ReadFile(filepath.Join(dir, "same.units.json"))
		unlock()
		if err1 == nil && err2 == nil {
			reads++
			sum := sha256.Sum256(model)
			if hex.EncodeToString(sum[:]) != string(units) {
				mismatches++
			}
		}
	}
	model, _ := os.ReadFile(filepath.Join(dir, "same.onnx"))
	units, _ := os.ReadFile(filepath.Join(dir, "same.units.json"))
	sum := sha256.Sum256(model)
	if hex.EncodeToString(sum[:]) != string(units) || mismatches > 0 {
		t.Errorf("mixed pairs: final %v, %d of %d reads mixed", hex.EncodeToString(sum[:]) != string(units), mismatches, reads)
	}
	noTemps(t, dir)
}

// TestSignalsRemoveTemps: SIGINT, SIGTERM and SIGHUP during a write leave
// no temporary file and nothing written, and exit with 128 + the signal.
func TestSignalsRemoveTemps(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP} {
		dir := t.TempDir()
		c := exec.Command(os.Args[0], "-test.run=^$")
		c.Env = append(os.Environ(), "SAFEFS_HELPER=block", "SAFEFS_DIR="+dir)
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 500; i++ {
			if _, err := os.Stat(filepath.Join(dir, "ready")); err == nil {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		if n := len(tempFiles(t, dir)); n != 2 {
			t.Fatalf("%v: %d temporary files while writing, want 2", sig, n)
		}
		c.Process.Signal(sig)
		err := c.Wait()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 128+int(sig) {
			t.Errorf("%v: exit %v, want %d", sig, err, 128+int(sig))
		}
		noTemps(t, dir)
		if _, err := os.Stat(filepath.Join(dir, "m.onnx")); err == nil {
			t.Errorf("%v: the model was written", sig)
		}
	}
}

// TestStaleTempsRemoved: a later write removes the temporary files of
// processes that are gone, and keeps those of running ones.
func TestStaleTempsRemoved(t *testing.T) {
	dir := t.TempDir()
	dead := exec.Command("true")
	dead.Run()
	deadPid := dead.ProcessState.Pid()
	stale := filepath.Join(dir, ".m.onnx.circc-"+strconv.Itoa(deadPid)+"-0a0b.tmp")
	live := filepath.Join(dir, ".m.onnx.circc-1-0a0b.tmp") // pid 1 runs
	other := filepath.Join(dir, ".other.onnx.circc-"+strconv.Itoa(deadPid)+"-0a0b.tmp")
	for _, p := range []string{stale, live, other} {
		os.WriteFile(p, nil, 0o600)
	}
	if err := WriteFile(osFs, filepath.Join(dir, "m.onnx"), []byte("m")); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]bool{stale: false, live: true, other: true} {
		if _, err := os.Stat(p); (err == nil) != want {
			t.Errorf("%s: exists %v, want %v", filepath.Base(p), err == nil, want)
		}
	}
}

func tempFiles(t *testing.T, dir string) []string {
	var out []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".circc-") {
			out = append(out, e.Name())
		}
	}
	return out
}

func noTemps(t *testing.T, dir string) {
	t.Helper()
	if left := tempFiles(t, dir); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// TestSessionsKeepNothingPerProcess: what one run read is an input of that
// run only; a plain Fs remembers nothing past the call.
func TestSessionsKeepNothingPerProcess(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.circ")
	os.WriteFile(in, []byte("circuit in\n"), 0o644)
	one, other := NewSession(afero.NewOsFs()), NewSession(afero.NewOsFs())
	if _, err := ReadFile(one, in, MaxSource); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(one, in, []byte("x")); err == nil || !strings.Contains(err.Error(), "input of this run") {
		t.Errorf("the session's own input: %v", err)
	}
	if got := one.Inputs(); len(got) != 1 || got[0] != in {
		t.Errorf("inputs %v", got)
	}
	if IsInput(other, in) || len(other.Inputs()) != 0 {
		t.Error("another session sees the first one's inputs")
	}
	plain := afero.NewOsFs()
	if _, err := ReadFile(plain, in, MaxSource); err != nil {
		t.Fatal(err)
	}
	if IsInput(plain, in) {
		t.Error("a plain Fs remembered a read")
	}
	if err := WriteFile(other, in, []byte("circuit in2\n")); err != nil {
		t.Errorf("another run may replace the file: %v", err)
	}
}

// failingRename is a file system whose renames onto one path fail.
type failingRename struct {
	afero.Fs
	path string
}

func (f failingRename) Rename(from, to string) error {
	if to == f.path {
		return &os.PathError{Op: "rename", Path: to, Err: syscall.EIO}
	}
	return f.Fs.Rename(from, to)
}

// TestRollbackOnAnyFs: the group's rollback works on a memory file system
// too, so it is tested without the real one: when the second rename
// fails, the first file is put back and no temporary or backup remains.
func TestRollbackOnAnyFs(t *testing.T) {
	mem := afero.NewMemMapFs()
	mem.MkdirAll("/out", 0o755)
	afero.WriteFile(mem, "/out/m.onnx", []byte("old model"), 0o644)
	s := NewSession(failingRename{mem, "/out/m.units.json"})
	err := WriteFiles(s, []File{{Path: "/out/m.onnx", Data: []byte("new model")}, {Path: "/out/m.units.json", Data: []byte("units")}}, nil)
	if err == nil || !strings.Contains(err.Error(), "nothing was written") {
		t.Fatalf("got %v", err)
	}
	if got, _ := afero.ReadFile(mem, "/out/m.onnx"); string(got) != "old model" {
		t.Errorf("the model holds %q after the rollback", got)
	}
	entries, _ := afero.ReadDir(mem, "/out")
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("left in the folder: %v", names)
	}
	if n := s.RemoveTemps(); n != 0 {
		t.Errorf("%d temporary files still tracked", n)
	}
}

// TestRemoveTemps: an interrupted run's temporary files are the session's
// to remove, and only those.
func TestRemoveTemps(t *testing.T) {
	mem := afero.NewMemMapFs()
	mem.MkdirAll("/out", 0o755)
	afero.WriteFile(mem, "/out/other.tmp", nil, 0o644)
	s := NewSession(mem)
	var temps map[string]string
	WriteFiles(s, []File{{Path: "/out/a"}, {Path: "/out/b"}}, func(t map[string]string) error {
		temps = t
		if n := s.RemoveTemps(); n != 2 {
			return fmt.Errorf("removed %d", n)
		}
		return errors.New("interrupted")
	})
	for _, tmp := range temps {
		if ok, _ := afero.Exists(mem, tmp); ok {
			t.Errorf("%s left", tmp)
		}
	}
	if ok, _ := afero.Exists(mem, "/out/other.tmp"); !ok {
		t.Error("removed a file that was not the session's")
	}
}

// TestSessionSeesLinks: a session over the real file system still reports
// a link as a link (afero's optional interfaces pass through).
func TestSessionSeesLinks(t *testing.T) {
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "target"), 0o755)
	link := filepath.Join(dir, "link")
	os.Symlink("target", link)
	fi, lstat, err := afero.Fs(osFs).(afero.Lstater).LstatIfPossible(link)
	if err != nil || !lstat || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("Lstat through the session: %v %v %v", fi, lstat, err)
	}
	if got, err := osFs.ReadlinkIfPossible(link); err != nil || got != "target" {
		t.Errorf("Readlink: %q %v", got, err)
	}
}
