package planner

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// kustomizeMount is where the repository root appears in the file system
// Kustomize sees. Any path Kustomize asks for outside it has left the
// repository.
const kustomizeMount = "/repo"

// errReadOnly is returned by every write to the Kustomize file system.
var errReadOnly = errors.New("the repository is read-only during rendering")

// kustomizeFS is a read-only filesys.FileSystem over a repository fs.FS,
// mounted at kustomizeMount, with a few files replaced in memory (the
// kustomization edited with the app's overrides). It refuses any path
// outside the repository, including through symbolic links, and records
// the first such path so the renderer can name it.
type kustomizeFS struct {
	repo    fs.FS
	overlay map[string][]byte // repository path -> content

	mu      sync.Mutex
	escaped string
}

var _ filesys.FileSystem = (*kustomizeFS)(nil)

func newKustomizeFS(repo fs.FS, overlay map[string][]byte) *kustomizeFS {
	return &kustomizeFS{repo: repo, overlay: overlay}
}

// mountPath returns the Kustomize path of a repository path.
func mountPath(repoPath string) string {
	if repoPath == "." {
		return kustomizeMount
	}
	return kustomizeMount + "/" + repoPath
}

// toRepo maps a Kustomize path to a repository path that contains no
// symbolic link leaving the repository.
func (k *kustomizeFS) toRepo(p string) (string, error) {
	p = filepath.ToSlash(p)
	if !strings.HasPrefix(p, "/") {
		p = kustomizeMount + "/" + p
	}
	p = path.Clean(p)
	var rel string
	switch {
	case p == kustomizeMount:
		rel = "."
	case strings.HasPrefix(p, kustomizeMount+"/"):
		rel = p[len(kustomizeMount)+1:]
	default:
		return "", k.escape(p, fmt.Errorf("%s is outside the repository", p))
	}
	resolved, err := ResolveRepoPath(k.repo, rel)
	if err != nil {
		return "", k.escape(rel, err)
	}
	return resolved, nil
}

func (k *kustomizeFS) escape(p string, err error) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.escaped == "" {
		k.escaped = p
	}
	return &fs.PathError{Op: "open", Path: p, Err: err}
}

// Escaped returns the first path outside the repository that Kustomize
// asked for, or "".
func (k *kustomizeFS) Escaped() string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.escaped
}

// Create is refused: the file system is read-only.
func (k *kustomizeFS) Create(string) (filesys.File, error) { return nil, errReadOnly }

// Mkdir is refused: the file system is read-only.
func (k *kustomizeFS) Mkdir(string) error { return errReadOnly }

// MkdirAll is refused: the file system is read-only.
func (k *kustomizeFS) MkdirAll(string) error { return errReadOnly }

// RemoveAll is refused: the file system is read-only.
func (k *kustomizeFS) RemoveAll(string) error { return errReadOnly }

// WriteFile is refused: the file system is read-only.
func (k *kustomizeFS) WriteFile(string, []byte) error { return errReadOnly }

// Open opens a file for reading.
func (k *kustomizeFS) Open(p string) (filesys.File, error) {
	rp, err := k.toRepo(p)
	if err != nil {
		return nil, err
	}
	if data, ok := k.overlay[rp]; ok {
		return &memFile{name: path.Base(rp), Reader: strings.NewReader(string(data)), size: int64(len(data))}, nil
	}
	f, err := k.repo.Open(rp)
	if err != nil {
		return nil, err
	}
	return readOnlyFile{f}, nil
}

// IsDir reports whether p is a directory.
func (k *kustomizeFS) IsDir(p string) bool {
	rp, err := k.toRepo(p)
	if err != nil {
		return false
	}
	if _, ok := k.overlay[rp]; ok {
		return false
	}
	info, err := fs.Stat(k.repo, rp)
	return err == nil && info.IsDir()
}

// ReadDir lists the names in directory p.
func (k *kustomizeFS) ReadDir(p string) ([]string, error) {
	rp, err := k.toRepo(p)
	if err != nil {
		return nil, err
	}
	entries, err := fs.ReadDir(k.repo, rp)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names, nil
}

// CleanedAbs splits p into a directory that exists and a file name, which
// is empty when p is itself a directory.
func (k *kustomizeFS) CleanedAbs(p string) (filesys.ConfirmedDir, string, error) {
	if !strings.HasPrefix(filepath.ToSlash(p), "/") {
		p = kustomizeMount + "/" + p
	}
	p = path.Clean(filepath.ToSlash(p))
	if !k.Exists(p) {
		return "", "", fmt.Errorf("%s does not exist in the repository", strings.TrimPrefix(p, kustomizeMount+"/"))
	}
	// As on disk, where Kustomize evaluates symbolic links here, a path
	// is confirmed as its resolved location, so that the paths a base
	// names are relative to where it really is.
	rp, err := k.toRepo(p)
	if err != nil {
		return "", "", err
	}
	if k.IsDir(mountPath(rp)) {
		return filesys.ConfirmedDir(mountPath(rp)), "", nil
	}
	return filesys.ConfirmedDir(mountPath(path.Dir(rp))), path.Base(rp), nil
}

// Exists reports whether p exists.
func (k *kustomizeFS) Exists(p string) bool {
	rp, err := k.toRepo(p)
	if err != nil {
		return false
	}
	if _, ok := k.overlay[rp]; ok {
		return true
	}
	_, err = fs.Stat(k.repo, rp)
	return err == nil
}

// Glob returns the paths matching pattern, sorted.
func (k *kustomizeFS) Glob(pattern string) ([]string, error) {
	dir, file := path.Split(path.Clean(filepath.ToSlash(pattern)))
	rdir, err := k.toRepo(dir)
	if err != nil {
		return nil, err
	}
	matches, err := fs.Glob(k.repo, joinRepo(rdir, file))
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(matches))
	for _, m := range matches {
		out = append(out, mountPath(m))
	}
	sort.Strings(out)
	return out, nil
}

// ReadFile returns the content of file p.
func (k *kustomizeFS) ReadFile(p string) ([]byte, error) {
	rp, err := k.toRepo(p)
	if err != nil {
		return nil, err
	}
	if data, ok := k.overlay[rp]; ok {
		return data, nil
	}
	return fs.ReadFile(k.repo, rp)
}

// Walk walks the tree at p in lexical order, as filepath.Walk does.
func (k *kustomizeFS) Walk(p string, walkFn filepath.WalkFunc) error {
	rp, err := k.toRepo(p)
	if err != nil {
		return walkFn(p, nil, err)
	}
	return fs.WalkDir(k.repo, rp, func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return walkFn(mountPath(name), nil, err)
		}
		info, err := d.Info()
		return walkFn(mountPath(name), info, err)
	})
}

// readOnlyFile is a repository file opened through the Kustomize file
// system.
type readOnlyFile struct{ fs.File }

// Write is refused: the file system is read-only.
func (readOnlyFile) Write([]byte) (int, error) { return 0, errReadOnly }

// Stat describes the file.
func (f readOnlyFile) Stat() (os.FileInfo, error) { return f.File.Stat() }

// memFile is an overlay file opened through the Kustomize file system.
type memFile struct {
	name string
	size int64
	io.Reader
}

// Write is refused: the file system is read-only.
func (*memFile) Write([]byte) (int, error) { return 0, errReadOnly }

// Close does nothing.
func (*memFile) Close() error { return nil }

// Stat describes the file.
func (m *memFile) Stat() (os.FileInfo, error) { return memInfo{m}, nil }

// memInfo is the os.FileInfo of a memFile.
type memInfo struct{ f *memFile }

func (i memInfo) Name() string       { return i.f.name }
func (i memInfo) Size() int64        { return i.f.size }
func (i memInfo) Mode() fs.FileMode  { return 0o444 }
func (i memInfo) ModTime() time.Time { return time.Time{} }
func (i memInfo) IsDir() bool        { return false }
func (i memInfo) Sys() any           { return nil }
