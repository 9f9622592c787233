package gitrepo

import (
	"context"
	"errors"
	"io/fs"
	"path"
)

// Errors for reading a directory as a file and listing a file.
var (
	errIsDir  = errors.New("is a directory")
	errNotDir = errors.New("not a directory")
)

// Interfaces Tree implements.
var (
	_ fs.FS         = (*Tree)(nil)
	_ fs.ReadFileFS = (*Tree)(nil)
	_ fs.ReadDirFS  = (*Tree)(nil)
	_ fs.StatFS     = (*Tree)(nil)
	_ fs.ReadLinkFS = (*Tree)(nil)
)

// Open opens the file or directory at name, following symlinks inside the
// tree. A file's content is read on its first Read.
func (t *Tree) Open(name string) (fs.File, error) {
	clean, e, err := t.resolve("open", name, true)
	if err != nil {
		return nil, err
	}
	info := &fileInfo{name: path.Base(name), e: e}
	if e.isDir() {
		return &treeDir{tree: t, path: clean, info: info}, nil
	}
	return &treeFile{tree: t, name: name, info: info}, nil
}

// ReadFile returns the content of the file at name, following symlinks
// inside the tree.
func (t *Tree) ReadFile(name string) ([]byte, error) {
	_, e, err := t.resolve("read", name, true)
	if err != nil {
		return nil, err
	}
	if e.isDir() {
		return nil, &fs.PathError{Op: "read", Path: name, Err: errIsDir}
	}
	return t.readBlob("read", name, e)
}

// ReadDir lists the directory at name sorted by name. As os.ReadDir does, it
// reports a symlink as a symlink; Stat, Open and ReadFile follow it. A
// submodule is an empty directory.
func (t *Tree) ReadDir(name string) ([]fs.DirEntry, error) {
	clean, e, err := t.resolve("readdir", name, true)
	if err != nil {
		return nil, err
	}
	if !e.isDir() {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: errNotDir}
	}
	return t.dirEntries(clean), nil
}

// Stat describes the file or directory at name, following symlinks.
func (t *Tree) Stat(name string) (fs.FileInfo, error) {
	_, e, err := t.resolve("stat", name, true)
	if err != nil {
		return nil, err
	}
	return &fileInfo{name: path.Base(name), e: e}, nil
}

// Lstat describes the entry at name without following a symlink there.
func (t *Tree) Lstat(name string) (fs.FileInfo, error) {
	_, e, err := t.resolve("lstat", name, false)
	if err != nil {
		return nil, err
	}
	return &fileInfo{name: path.Base(name), e: e}, nil
}

// ReadLink returns the target of the symlink at name as stored, without
// checking where it leads.
func (t *Tree) ReadLink(name string) (string, error) {
	_, e, err := t.resolve("readlink", name, false)
	if err != nil {
		return "", err
	}
	if e.kind != kindSymlink {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: fs.ErrInvalid}
	}
	target, err := t.linkTarget(e)
	if err != nil {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: err}
	}
	return target, nil
}

// dirEntries lists the resolved directory dir.
func (t *Tree) dirEntries(dir string) []fs.DirEntry {
	names := t.children[dir]
	out := make([]fs.DirEntry, len(names))
	for i, n := range names {
		full := n
		if dir != "." {
			full = dir + "/" + n
		}
		out[i] = fs.FileInfoToDirEntry(&fileInfo{name: n, e: t.entries[full]})
	}
	return out
}

// readBlob reads a file's content through the Repo's blob reader.
func (t *Tree) readBlob(op, name string, e *entry) ([]byte, error) {
	data, err := t.repo.blobs.read(context.Background(), e.oid)
	if err != nil {
		return nil, &fs.PathError{Op: op, Path: name, Err: err}
	}
	return data, nil
}
