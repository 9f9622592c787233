package gitrepo

import "io/fs"

// BlobID returns the Git object id of the content of the file at name,
// following symlinks inside the tree as ReadFile does, without reading the
// content. Two files with one id hold the same bytes, in this repository
// and in any other, so a reader can keep what it computed from a file
// under its id. It reports false for a directory, a submodule, or a path
// that does not resolve.
func (t *Tree) BlobID(name string) (string, bool) {
	// A path listed as it is goes through no symlink: git lists the
	// files of real directories only.
	if e, ok := t.entries[name]; ok && fs.ValidPath(name) && (e.kind == kindFile || e.kind == kindExecutable) {
		return e.oid, true
	}
	_, e, err := t.resolve("stat", name, true)
	if err != nil || e.isDir() || e.oid == "" {
		return "", false
	}
	return e.oid, true
}
