package gitrepo

import (
	"bytes"
	"io"
	"io/fs"
	"time"
)

// fileInfo describes a tree entry.
type fileInfo struct {
	name string
	e    *entry
}

// Name returns the entry's base name.
func (fi *fileInfo) Name() string { return fi.name }

// Size returns a blob's size in bytes (a symlink's is its target's length),
// 0 for a directory.
func (fi *fileInfo) Size() int64 { return fi.e.size }

// Mode returns the mode Git records: 0644 or 0755 for files, a symlink or a
// directory bit otherwise.
func (fi *fileInfo) Mode() fs.FileMode {
	switch fi.e.kind {
	case kindExecutable:
		return 0o755
	case kindSymlink:
		return fs.ModeSymlink | 0o777
	case kindDir, kindSubmodule:
		return fs.ModeDir | 0o755
	}
	return 0o644
}

// ModTime returns the zero time: Git records no per-file times.
func (fi *fileInfo) ModTime() time.Time { return time.Time{} }

// IsDir reports whether the entry is a directory or a submodule.
func (fi *fileInfo) IsDir() bool { return fi.e.isDir() }

// Sys returns nil.
func (fi *fileInfo) Sys() any { return nil }

// treeFile is an open file whose content is read on first use.
type treeFile struct {
	tree   *Tree
	name   string
	info   *fileInfo
	reader *bytes.Reader
	closed bool
}

// Stat describes the file.
func (f *treeFile) Stat() (fs.FileInfo, error) { return f.info, nil }

// Read reads the file's content, loading it on the first call.
func (f *treeFile) Read(p []byte) (int, error) {
	if err := f.load("read"); err != nil {
		return 0, err
	}
	return f.reader.Read(p)
}

// ReadAt reads at an offset, as io.ReaderAt.
func (f *treeFile) ReadAt(p []byte, off int64) (int, error) {
	if err := f.load("read"); err != nil {
		return 0, err
	}
	return f.reader.ReadAt(p, off)
}

// Seek sets the read offset, as io.Seeker.
func (f *treeFile) Seek(offset int64, whence int) (int64, error) {
	if err := f.load("seek"); err != nil {
		return 0, err
	}
	return f.reader.Seek(offset, whence)
}

// Close releases the content.
func (f *treeFile) Close() error {
	if f.closed {
		return &fs.PathError{Op: "close", Path: f.name, Err: fs.ErrClosed}
	}
	f.closed, f.reader = true, nil
	return nil
}

// load reads the content once.
func (f *treeFile) load(op string) error {
	if f.closed {
		return &fs.PathError{Op: op, Path: f.name, Err: fs.ErrClosed}
	}
	if f.reader != nil {
		return nil
	}
	data, err := f.tree.readBlob(op, f.name, f.info.e)
	if err != nil {
		return err
	}
	f.reader = bytes.NewReader(data)
	return nil
}

// treeDir is an open directory.
type treeDir struct {
	tree    *Tree
	path    string
	info    *fileInfo
	entries []fs.DirEntry
	offset  int
	listed  bool
}

// Stat describes the directory.
func (d *treeDir) Stat() (fs.FileInfo, error) { return d.info, nil }

// Read fails: a directory has no content.
func (d *treeDir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.path, Err: errIsDir}
}

// Close does nothing.
func (d *treeDir) Close() error { return nil }

// ReadDir returns the next n entries, or all remaining ones when n <= 0, as
// fs.ReadDirFile says.
func (d *treeDir) ReadDir(n int) ([]fs.DirEntry, error) {
	if !d.listed {
		d.entries, d.listed = d.tree.dirEntries(d.path), true
	}
	rest := d.entries[d.offset:]
	if n <= 0 {
		d.offset = len(d.entries)
		return rest, nil
	}
	if len(rest) == 0 {
		return nil, io.EOF
	}
	n = min(n, len(rest))
	d.offset += n
	return rest[:n], nil
}
