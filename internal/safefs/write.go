package safefs

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/spf13/afero"
)

// File is one output: its path and its content. Mode is used for a file
// that does not exist yet (0644 when zero); an existing file keeps its own.
type File struct {
	Path string
	Data []byte
	Mode os.FileMode
	// Rewrite says the file is the input it was made from (circc fmt -w),
	// so being an input of the run does not refuse it.
	Rewrite bool
}

// Check inspects the written temporary files (by destination path, the
// temporary path) before they replace anything; an error stops the write.
type Check func(temps map[string]string) error

// WriteFile replaces one file; see WriteFiles.
func WriteFile(fs afero.Fs, path string, data []byte) error {
	return WriteFiles(fs, []File{{Path: path, Data: data}}, nil)
}

// WriteFiles replaces every file of the group, together: all are written
// and checked before any is renamed into place, the renames happen under a
// lock on each directory, and when one fails the files already renamed are
// put back. On error nothing of the group is left behind.
func WriteFiles(fsys afero.Fs, files []File, check Check) (err error) {
	s := sessionOf(fsys)
	fs := s.Fs
	dests := make([]dest, len(files))
	for i, f := range files {
		if dests[i], err = prepare(s, f); err != nil {
			return err
		}
		for _, d := range dests[:i] {
			if d.path == dests[i].path {
				return fmt.Errorf("%s is named twice among the outputs", f.Path)
			}
		}
	}
	defer func() {
		for _, d := range dests {
			if d.tmp != "" && err != nil {
				fs.Remove(d.tmp)
			}
			s.forget(d.tmp)
		}
	}()
	temps := map[string]string{}
	for i := range dests {
		removeStale(fs, dests[i].path)
		if err := dests[i].writeTemp(s); err != nil {
			return err
		}
		temps[files[i].Path] = dests[i].tmp
	}
	if check != nil {
		if err := check(temps); err != nil {
			return err
		}
	}
	unlock, err := s.lockDirs(dests)
	if err != nil {
		return err
	}
	defer unlock()
	return s.renameAll(dests)
}

// dest is one output being written.
type dest struct {
	name   string // as given, for messages
	path   string // resolved: a link's target
	mode   os.FileMode
	exists bool
	uid    int
	gid    int
	data   []byte
	tmp    string
}

func prepare(s *Session, f File) (dest, error) {
	fs := s.Fs
	d := dest{name: f.Path, path: Resolve(fs, f.Path), mode: f.Mode, uid: -1, gid: -1, data: f.Data}
	if d.mode == 0 {
		d.mode = 0o644
	}
	if !f.Rewrite && s.isInput(d.path) {
		return d, &refused{fmt.Sprintf("refusing to write %s: it is an input of this run", f.Path), ErrRefusedOutput}
	}
	fi, err := fs.Stat(d.path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if _, err := fs.Stat(filepath.Dir(d.path)); err != nil && isOS(fs) {
			return d, fmt.Errorf("cannot write %s: its folder %s does not exist", f.Path, filepath.Dir(f.Path))
		}
		return d, nil
	case err != nil:
		return d, fmt.Errorf("cannot write %s: %w", f.Path, err)
	case !fi.Mode().IsRegular():
		return d, &refused{fmt.Sprintf("refusing to replace %s: it is %s, not a regular file", f.Path, kind(fi.Mode())), ErrRefusedOutput}
	case fi.Mode().Perm()&0o200 == 0:
		return d, &refused{fmt.Sprintf("refusing to replace %s: it is read-only (mode %v)", f.Path, fi.Mode().Perm()), ErrRefusedOutput}
	}
	d.exists, d.mode = true, fi.Mode().Perm()
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		d.uid, d.gid = int(st.Uid), int(st.Gid)
	}
	return d, nil
}

// tempPrefix names the temporary files of a destination:
// .NAME.circc-PID-RANDOM.tmp, so that a later run can tell whose they are.
func tempPrefix(path string) string { return "." + filepath.Base(path) + ".circc-" }

func (d *dest) writeTemp(s *Session) error {
	fs := s.Fs
	var rnd [6]byte
	rand.Read(rnd[:])
	name := filepath.Join(filepath.Dir(d.path), fmt.Sprintf("%s%d-%s.tmp", tempPrefix(d.path), os.Getpid(), hex.EncodeToString(rnd[:])))
	s.track(name)
	f, err := fs.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		s.forget(name)
		return fmt.Errorf("cannot write %s: %w", d.name, unwrapPath(err))
	}
	d.tmp = name
	_, werr := f.Write(d.data)
	serr := f.Sync()
	cerr := f.Close()
	for _, err := range []error{werr, serr, cerr, fs.Chmod(name, d.mode)} {
		if err != nil {
			return fmt.Errorf("writing %s: %w", d.name, unwrapPath(err))
		}
	}
	if d.exists && d.uid >= 0 {
		if err := fs.Chown(name, d.uid, d.gid); err != nil && os.Geteuid() == 0 {
			return fmt.Errorf("cannot keep the owner of %s: %w", d.name, unwrapPath(err))
		}
	}
	return nil
}

// unwrapPath drops the temporary file's name from an error about it.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// removeStale removes the temporary files of path that processes no longer
// running left behind.
func removeStale(fs afero.Fs, path string) {
	dir := filepath.Dir(path)
	entries, err := afero.ReadDir(fs, dir)
	if err != nil {
		return
	}
	prefix := tempPrefix(path)
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), prefix)
		if !ok || !strings.HasSuffix(rest, ".tmp") && !strings.HasSuffix(rest, ".old") {
			continue
		}
		pidText, _, _ := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidText)
		if err != nil || pid == os.Getpid() || alive(pid) {
			continue
		}
		fs.Remove(filepath.Join(dir, e.Name()))
	}
}

func alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// lockDirs locks the destinations' folders: a mutex serialises the
// session's writers, flock other processes on the real file system.
func (s *Session) lockDirs(dests []dest) (unlock func(), err error) {
	var dirs []string
	for _, d := range dests {
		dir := filepath.Dir(d.path)
		if !slices.Contains(dirs, dir) {
			dirs = append(dirs, dir)
		}
	}
	// One order for every process, so that two runs never deadlock.
	slices.Sort(dirs)
	var undo []func()
	unlock = func() {
		for i := len(undo) - 1; i >= 0; i-- {
			undo[i]()
		}
	}
	for _, dir := range dirs {
		m, _ := s.locks.LoadOrStore(dir, &sync.Mutex{})
		mu := m.(*sync.Mutex)
		mu.Lock()
		undo = append(undo, mu.Unlock)
		if isOS(s.Fs) {
			f, err := os.Open(dir)
			if err != nil {
				unlock()
				return nil, fmt.Errorf("cannot lock %s: %w", dir, err)
			}
			if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
				f.Close()
				unlock()
				return nil, fmt.Errorf("cannot lock %s: %w", dir, err)
			}
			undo = append(undo, func() { syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() })
		}
	}
	return unlock, nil
}

// renameAll moves every temporary file into place. The files it replaces
// are first kept under a backup name (a hard link on the real file
// system, a copy elsewhere), so that a failed rename can put back the ones
// already replaced.
func (s *Session) renameAll(dests []dest) error {
	fs := s.Fs
	backups := make([]string, len(dests))
	defer func() {
		for _, b := range backups {
			if b != "" {
				fs.Remove(b)
				s.forget(b)
			}
		}
	}()
	for i, d := range dests {
		if !d.exists {
			continue
		}
		b := strings.TrimSuffix(d.tmp, ".tmp") + ".old"
		s.track(b)
		if err := backup(fs, d.path, b); err != nil {
			s.forget(b)
			return fmt.Errorf("cannot write %s: %w", d.name, unwrapPath(err))
		}
		backups[i] = b
	}
	for i, d := range dests {
		if err := fs.Rename(d.tmp, d.path); err != nil {
			for j := i - 1; j >= 0; j-- {
				if backups[j] != "" {
					fs.Rename(backups[j], dests[j].path)
					backups[j] = ""
				} else {
					fs.Remove(dests[j].path)
				}
			}
			return fmt.Errorf("cannot write %s: %w (nothing was written)", d.name, unwrapPath(err))
		}
		s.forget(d.tmp)
		dests[i].tmp = ""
	}
	if isOS(fs) {
		for _, d := range dests {
			syncDir(filepath.Dir(d.path))
		}
	}
	return nil
}

// backup keeps path's content under the name b.
func backup(fs afero.Fs, path, b string) error {
	if isOS(fs) {
		return os.Link(path, b)
	}
	data, err := afero.ReadFile(fs, path)
	if err != nil {
		return err
	}
	return afero.WriteFile(fs, b, data, 0o600)
}

func syncDir(dir string) {
	if f, err := os.Open(dir); err == nil {
		f.Sync()
		f.Close()
	}
}
