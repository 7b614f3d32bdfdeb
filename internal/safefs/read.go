package safefs

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"syscall"

	"github.com/spf13/afero"
)

// Size limits for ReadFile.
const (
	MaxSource = 16 << 20 // a circ source file
	MaxModel  = 2 << 30  // an ONNX model (protobuf's own limit)
	MaxData   = 1 << 30  // a test-data tensor, a photo, a label file
)

// inputs are the files read in this run, by resolved path, with their
// FileInfo for os.SameFile.
var inputs = struct {
	sync.Mutex
	byPath map[string]os.FileInfo
}{byPath: map[string]os.FileInfo{}}

// remember records name as an input of the run.
func remember(fs afero.Fs, name string, fi os.FileInfo) {
	inputs.Lock()
	defer inputs.Unlock()
	inputs.byPath[Resolve(fs, name)] = fi
}

// Open opens a regular file for reading after checking that it is one and
// that it holds at most limit bytes; the file is remembered as an input.
func Open(fs afero.Fs, name string, limit int64) (afero.File, os.FileInfo, error) {
	// O_NONBLOCK: opening a named pipe must not wait for a writer; the
	// check below then refuses it. It changes nothing for regular files.
	f, err := fs.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, nil, fmt.Errorf("%s is not a regular file (%s)", name, kind(fi.Mode()))
	}
	if fi.Size() > limit {
		f.Close()
		return nil, nil, fmt.Errorf("%s is %d bytes, more than the limit of %d for this kind of file", name, fi.Size(), limit)
	}
	remember(fs, name, fi)
	return f, fi, nil
}

// ReadFile reads a whole regular file of at most limit bytes. It reads
// past the size the file had when opened only up to the limit, so a file
// that grows while read is still bounded.
func ReadFile(fs afero.Fs, name string, limit int64) ([]byte, error) {
	f, fi, err := Open(fs, name, limit)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var buf bytes.Buffer
	buf.Grow(int(fi.Size()) + bytes.MinRead) // one allocation for a file that keeps its size
	if _, err := buf.ReadFrom(io.LimitReader(f, limit+1)); err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	if int64(buf.Len()) > limit {
		return nil, fmt.Errorf("%s grew past the limit of %d bytes while it was read", name, limit)
	}
	return buf.Bytes(), nil
}

func kind(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&os.ModeNamedPipe != 0:
		return "a named pipe"
	case m&os.ModeDevice != 0 || m&os.ModeCharDevice != 0:
		return "a device"
	case m&os.ModeSocket != 0:
		return "a socket"
	case m&os.ModeSymlink != 0:
		return "a symbolic link"
	}
	return "not a plain file"
}

// Resolve gives the path that name stands for: absolute, with symbolic
// links followed on the real file system.
func Resolve(fs afero.Fs, name string) string {
	if !isOS(fs) {
		return filepath.Clean(name) // names are the file system's own
	}
	abs, err := filepath.Abs(name)
	if err != nil {
		abs = filepath.Clean(name)
	}
	// Follow links one by one, so that a link to a file not yet there
	// (a dangling link) resolves to where that file will be.
	for hops := 0; hops < 40; hops++ {
		if d, err := filepath.EvalSymlinks(filepath.Dir(abs)); err == nil {
			abs = filepath.Join(d, filepath.Base(abs))
		}
		target, err := os.Readlink(abs)
		if err != nil {
			return abs
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(filepath.Dir(abs), target)
		}
		abs = filepath.Clean(target)
	}
	return abs
}

func isOS(fs afero.Fs) bool {
	_, ok := fs.(*afero.OsFs)
	return ok
}

// IsInput reports whether name is a file this run has read.
func IsInput(fs afero.Fs, name string) bool { return isInput(fs, Resolve(fs, name)) }

// isInput is IsInput of a path already resolved.
func isInput(fs afero.Fs, p string) bool {
	inputs.Lock()
	defer inputs.Unlock()
	if _, ok := inputs.byPath[p]; ok {
		return true
	}
	if !isOS(fs) {
		return false
	}
	fi, err := os.Stat(p)
	if err != nil {
		return false
	}
	for path, in := range inputs.byPath {
		// The input must still be that file: a deleted input's inode may
		// have been given to a new file since.
		if cur, err := os.Stat(path); err == nil && os.SameFile(cur, in) && os.SameFile(fi, in) {
			return true
		}
	}
	return false
}
