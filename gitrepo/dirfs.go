package gitrepo

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"
	"sync"
)

// WorkDir is a working tree on disk read through os.Root: symlinks are
// followed only while they stay under the root, and the .git directory (or
// file, in a worktree or submodule) is hidden at every level, also from a
// symlink that points into it. It implements
// fs.FS, fs.ReadFileFS, fs.ReadDirFS, fs.StatFS and fs.ReadLinkFS. Close
// releases the root.
type WorkDir struct {
	root *os.Root
	fsys fs.FS
}

// Interfaces WorkDir implements.
var (
	_ fs.ReadFileFS = (*WorkDir)(nil)
	_ fs.ReadDirFS  = (*WorkDir)(nil)
	_ fs.StatFS     = (*WorkDir)(nil)
	_ fs.ReadLinkFS = (*WorkDir)(nil)
)

// DirFS returns the working tree at root as a *WorkDir. gitwave reads it
// when the user gives a local directory and no revision.
func DirFS(root string) (*WorkDir, error) {
	r, err := os.OpenRoot(root)
	if err != nil {
		return nil, fmt.Errorf("open working tree %s: %w", root, err)
	}
	return &WorkDir{root: r, fsys: r.FS()}, nil
}

// Close releases the root directory.
func (w *WorkDir) Close() error { return w.root.Close() }

// Open opens name, following symlinks that stay under the root.
func (w *WorkDir) Open(name string) (fs.File, error) {
	name, err := w.resolve("open", name, true)
	if err != nil {
		return nil, err
	}
	f, err := w.fsys.Open(name)
	if err != nil {
		return nil, outsideRoot(err)
	}
	if dir, ok := f.(fs.ReadDirFile); ok {
		return &workDirFile{ReadDirFile: dir}, nil
	}
	return f, nil
}

// ReadFile returns the content of name.
func (w *WorkDir) ReadFile(name string) ([]byte, error) {
	name, err := w.resolve("read", name, true)
	if err != nil {
		return nil, err
	}
	data, err := fs.ReadFile(w.fsys, name)
	return data, outsideRoot(err)
}

// ReadDir lists name sorted by name, without .git.
func (w *WorkDir) ReadDir(name string) ([]fs.DirEntry, error) {
	name, err := w.resolve("readdir", name, true)
	if err != nil {
		return nil, err
	}
	entries, err := fs.ReadDir(w.fsys, name)
	return withoutGit(entries), outsideRoot(err)
}

// Stat describes name, following symlinks that stay under the root.
func (w *WorkDir) Stat(name string) (fs.FileInfo, error) {
	name, err := w.resolve("stat", name, true)
	if err != nil {
		return nil, err
	}
	info, err := fs.Stat(w.fsys, name)
	return info, outsideRoot(err)
}

// Lstat describes name without following a symlink there.
func (w *WorkDir) Lstat(name string) (fs.FileInfo, error) {
	name, err := w.resolve("lstat", name, false)
	if err != nil {
		return nil, err
	}
	return fs.Lstat(w.fsys, name)
}

// ReadLink returns the target of the symlink at name as stored.
func (w *WorkDir) ReadLink(name string) (string, error) {
	name, err := w.resolve("readlink", name, false)
	if err != nil {
		return "", err
	}
	return fs.ReadLink(w.fsys, name)
}

// workDirFile is an open directory whose listing hides .git.
type workDirFile struct {
	fs.ReadDirFile
}

// ReadDir returns up to n entries other than .git.
func (f *workDirFile) ReadDir(n int) ([]fs.DirEntry, error) {
	entries, err := f.ReadDirFile.ReadDir(n)
	return withoutGit(entries), err
}

// checkName rejects invalid names and any path through a .git component.
func checkName(op, name string) error {
	if !fs.ValidPath(name) {
		return &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	if hasGitComponent(name) {
		return &fs.PathError{Op: op, Path: name, Err: fs.ErrNotExist}
	}
	return nil
}

// hasGitComponent reports whether a component of name is ".git".
func hasGitComponent(name string) bool {
	for part := range strings.SplitSeq(name, "/") {
		if part == ".git" {
			return true
		}
	}
	return false
}

// withoutGit drops the .git entry from a listing.
func withoutGit(entries []fs.DirEntry) []fs.DirEntry {
	out := entries[:0]
	for _, e := range entries {
		if e.Name() != ".git" {
			out = append(out, e)
		}
	}
	return out
}

// escapeErr is the error os.Root returns for a path that escapes it. The
// os package does not export it, so it is captured once from os.Root itself.
var escapeErr = sync.OnceValue(func() error {
	r, err := os.OpenRoot(os.TempDir())
	if err != nil {
		return nil
	}
	defer r.Close()
	_, err = r.Open(path.Join("..", "gitwave-probe"))
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return nil
})

// outsideRoot adds ErrOutsideRepo to an os.Root error about a path that
// leaves the root, so that callers check one sentinel for both Tree and
// WorkDir.
func outsideRoot(err error) error {
	sentinel := escapeErr()
	if err == nil || sentinel == nil || !errors.Is(err, sentinel) {
		return err
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return &fs.PathError{Op: pe.Op, Path: pe.Path, Err: fmt.Errorf("%w: %w", ErrOutsideRepo, pe.Err)}
	}
	return fmt.Errorf("%w: %w", ErrOutsideRepo, err)
}
