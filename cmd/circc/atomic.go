package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/afero"
)

// writeAtomic replaces name with data through a temporary file in the same
// directory and a rename, so that readers see the old or the new content,
// never a mix, and a failure leaves the old file as it was.
func writeAtomic(fs afero.Fs, name string, data []byte) error {
	mode := os.FileMode(0o644)
	if st, err := fs.Stat(name); err == nil {
		mode = st.Mode().Perm()
	}
	tmp, err := afero.TempFile(fs, filepath.Dir(name), "."+filepath.Base(name)+".tmp*")
	if err != nil {
		return err
	}
	ok := false
	defer func() {
		if !ok {
			fs.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", name, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := fs.Chmod(tmp.Name(), mode); err != nil {
		return err
	}
	if err := fs.Rename(tmp.Name(), name); err != nil {
		return err
	}
	ok = true
	return nil
}
