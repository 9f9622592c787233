package gitrepo

// HasSymlinks reports whether the tree holds a symlink anywhere. A reader
// of a tree without one knows that every path names itself: a file it
// read is changed only when that path is.
func (t *Tree) HasSymlinks() bool {
	for _, e := range t.entries {
		if e.kind == kindSymlink {
			return true
		}
	}
	return false
}
