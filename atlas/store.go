package atlas

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/spf13/afero"

	"github.com/circc/circc/internal/safefs"
)

// Store is an atlas folder: the plan, and each unit's result in
// units/KEY/ (unit.json and its images).
type Store struct {
	fs  afero.Fs
	Dir string
}

// PlanFile is the plan's name in the atlas folder.
const PlanFile = "atlas.json"

// NewStore opens (and makes) an atlas folder.
func NewStore(fsys afero.Fs, dir string) (*Store, error) {
	if err := fsys.MkdirAll(filepath.Join(dir, "units"), 0o755); err != nil {
		return nil, err
	}
	return &Store{fs: fsys, Dir: dir}, nil
}

// Fs is the store's file system.
func (s *Store) Fs() afero.Fs { return s.fs }

// unitDir is where a unit's result lives.
func (s *Store) unitDir(key string) string { return filepath.Join(s.Dir, "units", key) }

// Has says whether a unit's result is stored.
func (s *Store) Has(key string) bool {
	fi, err := s.fs.Stat(filepath.Join(s.unitDir(key), "unit.json"))
	return err == nil && fi.Mode().IsRegular()
}

// HasTask says whether every unit of a task is stored.
func (s *Store) HasTask(p *Plan, t Task) bool {
	for _, c := range t.Channels {
		if !s.Has(p.Key(t, c)) {
			return false
		}
	}
	return true
}

// Put stores a unit's files: written into a temporary folder beside the
// others, then renamed into place, so that a unit is whole or absent.
// When another shard stored the same key first, its copy stays.
func (s *Store) Put(key string, files map[string][]byte) error {
	var r [6]byte
	rand.Read(r[:])
	tmp := filepath.Join(s.Dir, "units", ".tmp-"+key+"-"+hex.EncodeToString(r[:]))
	if err := s.fs.MkdirAll(tmp, 0o755); err != nil {
		return err
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := writeSynced(s.fs, filepath.Join(tmp, n), files[n]); err != nil {
			s.fs.RemoveAll(tmp)
			return err
		}
	}
	if err := s.fs.Rename(tmp, s.unitDir(key)); err != nil {
		s.fs.RemoveAll(tmp)
		if s.Has(key) {
			return nil
		}
		return err
	}
	return nil
}

// writeSynced writes a file and syncs it, so that a renamed folder holds
// whole files after a crash.
func writeSynced(fsys afero.Fs, path string, data []byte) error {
	f, err := fsys.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Record reads a stored unit's record.
func (s *Store) Record(key string) (*Record, error) {
	b, err := safefs.ReadFile(s.fs, filepath.Join(s.unitDir(key), "unit.json"), 16<<20)
	if err != nil {
		return nil, err
	}
	var r Record
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("units/%s/unit.json: %w", key, err)
	}
	return &r, nil
}

// RemoveStaleTemps removes the temporary folders that killed runs left,
// those older than age: a shard still running writes its own, young ones.
func (s *Store) RemoveStaleTemps(age time.Duration) int {
	infos, _ := afero.ReadDir(s.fs, filepath.Join(s.Dir, "units"))
	n := 0
	for _, fi := range infos {
		if strings.HasPrefix(fi.Name(), ".tmp-") && time.Since(fi.ModTime()) > age {
			if s.fs.RemoveAll(filepath.Join(s.Dir, "units", fi.Name())) == nil {
				n++
			}
		}
	}
	return n
}

// SavePlan writes the plan to the folder.
func (s *Store) SavePlan(p *Plan) error {
	return safefs.WriteFile(s.fs, filepath.Join(s.Dir, PlanFile), p.Encode())
}

// LoadPlan reads the folder's plan.
func (s *Store) LoadPlan() (*Plan, error) {
	b, err := safefs.ReadFile(s.fs, filepath.Join(s.Dir, PlanFile), 64<<20)
	if err != nil {
		return nil, err
	}
	return DecodePlan(b)
}

// Missing counts the plan's units not stored.
func (s *Store) Missing(p *Plan) int {
	n := 0
	for _, t := range p.Tasks {
		for _, c := range t.Channels {
			if !s.Has(p.Key(t, c)) {
				n++
			}
		}
	}
	return n
}

func numCPU() int { return runtime.NumCPU() }
