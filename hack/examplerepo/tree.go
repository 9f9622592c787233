package examplerepo

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// File modes of everything this package writes: Git records only the
// executable bit, and the example has no executables, so fixed modes keep
// commit ids the same on every machine.
const (
	fileMode = 0o644
	dirMode  = 0o755
)

// prepareDir creates dir, or checks that it is empty, so that Build and
// Scale never commit files that were already there.
func prepareDir(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(dir, dirMode); err != nil {
			return fmt.Errorf("create %s: %w", dir, err)
		}
		return nil
	case err != nil:
		return fmt.Errorf("read %s: %w", dir, err)
	case len(entries) > 0:
		return fmt.Errorf("%s is not empty: give an empty or new folder", dir)
	}
	return nil
}

// copyTree copies the regular files under src into dst, at the same
// relative paths, replacing files that exist. skip, when it returns true for
// a relative path, leaves that file out. Symbolic links and other special
// files are refused: the example has none.
func copyTree(src, dst string, skip func(rel string) bool) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("read %s: %w", p, err)
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return fmt.Errorf("copy %s: %w", p, err)
		}
		if rel == "." {
			return nil
		}
		slashRel := filepath.ToSlash(rel)
		if d.IsDir() {
			if d.Name() == ".git" {
				return fmt.Errorf("copy %s: the example must not hold a .git folder", p)
			}
			return os.MkdirAll(filepath.Join(dst, rel), dirMode)
		}
		if skip != nil && skip(slashRel) {
			return nil
		}
		if !d.Type().IsRegular() {
			return fmt.Errorf("copy %s: only regular files are supported, not %s", p, d.Type())
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return fmt.Errorf("copy %s: %w", p, err)
		}
		return writeFile(dst, slashRel, data)
	})
}

// writeFile writes data at the slash-separated path rel under root,
// creating folders.
func writeFile(root, rel string, data []byte) error {
	target := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(target), dirMode); err != nil {
		return fmt.Errorf("write %s: %w", rel, err)
	}
	// Remove first so that a replaced file gets fileMode, whatever it had.
	if err := os.Remove(target); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("write %s: %w", rel, err)
	}
	if err := os.WriteFile(target, data, fileMode); err != nil {
		return fmt.Errorf("write %s: %w", rel, err)
	}
	return nil
}

// readDeleteList reads pr/DELETE: one repository path a line; blank lines
// and lines starting with "#" are skipped. A missing file lists nothing.
// Every path must be relative, clean and inside the repository.
func readDeleteList(file string) ([]string, error) {
	data, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", file, err)
	}
	var paths []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if !fs.ValidPath(line) || line == "." || path.Clean(line) != line {
			return nil, fmt.Errorf("%s:%d: %q is not a clean relative path inside the repository", file, n, line)
		}
		paths = append(paths, line)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", file, err)
	}
	return paths, nil
}

// applyOverlay applies an example's pr/ folder to the working tree in dir:
// every file but DELETE is copied over, then every path DELETE lists is
// removed. Deleting a path that does not exist is an error, as it is a
// mistake in the example.
func applyOverlay(pr, dir string) error {
	deleteList := filepath.Join(pr, deleteFile)
	dels, err := readDeleteList(deleteList)
	if err != nil {
		return err
	}
	if err := copyTree(pr, dir, func(rel string) bool { return rel == deleteFile }); err != nil {
		return err
	}
	for _, rel := range dels {
		target := filepath.Join(dir, filepath.FromSlash(rel))
		if _, err := os.Lstat(target); err != nil {
			return fmt.Errorf("%s: delete %s: %w", deleteList, rel, err)
		}
		if err := os.RemoveAll(target); err != nil {
			return fmt.Errorf("%s: delete %s: %w", deleteList, rel, err)
		}
	}
	return nil
}
