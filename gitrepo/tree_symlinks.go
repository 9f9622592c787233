package gitrepo

import "slices"

// HasSymlinks reports whether the tree holds a symlink anywhere. A reader
// of a tree without one knows that every path names itself: a file it
// read is changed only when that path is.
func (t *Tree) HasSymlinks() bool {
	switch t.symlinks.Load() {
	case 1:
		return false
	case 2:
		return true
	}
	found := false
	for _, e := range t.entries {
		if e.kind == kindSymlink {
			found = true
			break
		}
	}
	if found {
		t.symlinks.Store(2)
	} else {
		t.symlinks.Store(1)
	}
	return found
}

// DerivedFrom returns, for a tree the Repo derived from another it kept,
// that tree's commit and the paths that differ between the two (files
// added, changed or removed): a reader that computed something from the
// other tree can redo only what those paths touch. It reports false for a
// tree listed in full.
func (t *Tree) DerivedFrom() (commit string, changed []string, ok bool) {
	if t.from == "" {
		return "", nil, false
	}
	return t.from, slices.Clone(t.fromChanged), true
}
