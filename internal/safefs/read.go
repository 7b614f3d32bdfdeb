package safefs

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"syscall"

	"github.com/spf13/afero"
)

// ErrNotRegular and ErrTooBig say why an input was refused,
// ErrRefusedOutput that an output may not be replaced (an input of the
// run, not a regular file, read-only).
const (
	ErrNotRegular    = inputError("not a regular file")
	ErrTooBig        = inputError("more than the size limit")
	ErrRefusedOutput = inputError("refused output")
)

// inputError is a constant sentinel: errors.Is finds it, and nothing can
// reassign it.
type inputError string

func (e inputError) Error() string { return string(e) }

// refused wraps a sentinel under a message of its own.
type refused struct {
	msg  string
	kind error
}

func (r *refused) Error() string { return r.msg }
func (r *refused) Unwrap() error { return r.kind }

// Size limits for ReadFile.
const (
	MaxSource = 16 << 20 // a circ source file
	MaxModel  = 2 << 30  // an ONNX model (protobuf's own limit)
	MaxData   = 1 << 30  // a test-data tensor, a photo, a label file
)

// Session is one run's view of the files: the files it read, and the
// temporary files it has written but not yet renamed into place. It is an
// afero.Fs. The functions of this package, given a Session, record into
// it, so that a run never overwrites one of its own inputs; given another
// Fs, they remember nothing beyond the call. Nothing is kept per process.
type Session struct {
	afero.Fs
	mu     sync.Mutex
	inputs map[string]os.FileInfo // by resolved path, for os.SameFile
	temps  map[string]bool
	locks  sync.Map // directory -> *sync.Mutex: writers within the run
}

// NewSession starts a run's session on fs.
func NewSession(fs afero.Fs) *Session {
	if s, ok := fs.(*Session); ok {
		fs = s.Fs
	}
	return &Session{Fs: fs, inputs: map[string]os.FileInfo{}, temps: map[string]bool{}}
}

// sessionOf is fs's session, or a session for this call only.
func sessionOf(fs afero.Fs) *Session {
	if s, ok := fs.(*Session); ok {
		return s
	}
	return NewSession(fs)
}

// RemoveTemps removes the temporary files written and not yet renamed, as
// a run that is interrupted must (see cmd/circc's signal handling), and
// returns how many it removed.
func (s *Session) RemoveTemps() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for name := range s.temps {
		if s.Fs.Remove(name) == nil {
			n++
		}
		delete(s.temps, name)
	}
	return n
}

// Inputs lists the resolved paths of the files read in the session.
func (s *Session) Inputs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.inputs))
	for p := range s.inputs {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

func (s *Session) remember(name string, fi os.FileInfo) {
	p := Resolve(s.Fs, name)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inputs[p] = fi
}

func (s *Session) track(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.temps[name] = true
}

func (s *Session) forget(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.temps, name)
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
		return nil, nil, &refused{fmt.Sprintf("%s is not a regular file (%s)", name, kind(fi.Mode())), ErrNotRegular}
	}
	if fi.Size() > limit {
		f.Close()
		return nil, nil, &refused{fmt.Sprintf("%s is %d bytes, more than the limit of %d for this kind of file", name, fi.Size(), limit), ErrTooBig}
	}
	if s, ok := fs.(*Session); ok {
		s.remember(name, fi)
	}
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

// isOS reports whether fs is the real file system, where links, locks
// and inode identity exist.
func isOS(fs afero.Fs) bool {
	if s, ok := fs.(*Session); ok {
		fs = s.Fs
	}
	_, ok := fs.(*afero.OsFs)
	return ok
}

// IsInput reports whether name is a file the session fs has read.
func IsInput(fs afero.Fs, name string) bool {
	s, ok := fs.(*Session)
	return ok && s.isInput(Resolve(fs, name))
}

// isInput is IsInput of a path already resolved.
func (s *Session) isInput(p string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.inputs[p]; ok {
		return true
	}
	if !isOS(s.Fs) {
		return false
	}
	fi, err := os.Stat(p)
	if err != nil {
		return false
	}
	for path, in := range s.inputs {
		// The input must still be that file: a deleted input's inode may
		// have been given to a new file since.
		if cur, err := os.Stat(path); err == nil && os.SameFile(cur, in) && os.SameFile(fi, in) {
			return true
		}
	}
	return false
}

// The optional interfaces of the file system underneath, passed through,
// so that a session over the real file system still sees links as links.

// LstatIfPossible is afero.Lstater's.
func (s *Session) LstatIfPossible(name string) (os.FileInfo, bool, error) {
	if l, ok := s.Fs.(afero.Lstater); ok {
		return l.LstatIfPossible(name)
	}
	fi, err := s.Fs.Stat(name)
	return fi, false, err
}

// SymlinkIfPossible is afero.Linker's.
func (s *Session) SymlinkIfPossible(oldname, newname string) error {
	if l, ok := s.Fs.(afero.Linker); ok {
		return l.SymlinkIfPossible(oldname, newname)
	}
	return &os.LinkError{Op: "symlink", Old: oldname, New: newname, Err: afero.ErrNoSymlink}
}

// ReadlinkIfPossible is afero.LinkReader's.
func (s *Session) ReadlinkIfPossible(name string) (string, error) {
	if l, ok := s.Fs.(afero.LinkReader); ok {
		return l.ReadlinkIfPossible(name)
	}
	return "", &os.PathError{Op: "readlink", Path: name, Err: afero.ErrNoReadlink}
}
