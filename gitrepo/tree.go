package gitrepo

import (
	"bytes"
	"context"
	"fmt"
	"path"
	"strconv"
	"sync"
	"sync/atomic"
)

// Tree is the content of a repository at one commit, read without a working
// tree. It implements fs.FS, fs.ReadFileFS, fs.ReadDirFS, fs.StatFS and
// fs.ReadLinkFS. The listing is read once; file contents are read on demand
// through the Repo's blob reader, so a Tree is only usable until the Repo is
// closed. A Tree is safe for concurrent use.
type Tree struct {
	repo   *Repo
	commit string
	// entries holds every path: files, symlinks, submodules and the
	// directories synthesized from their paths, with "." the root.
	entries map[string]*entry
	// children lists each directory's entry names, sorted.
	children map[string][]string

	linkMu sync.Mutex
	links  map[string]string

	// from and fromChanged are, for a tree derived from another (see
	// treeCache), that tree's commit and the paths that differ.
	from        string
	fromChanged []string

	// symlinks caches HasSymlinks: 0 unknown, 1 none, 2 some.
	symlinks atomic.Int32
}

// entryKind is what a tree entry is.
type entryKind uint8

const (
	kindFile entryKind = iota
	kindExecutable
	kindSymlink
	kindDir
	kindSubmodule
)

// entry is one path of a tree.
type entry struct {
	kind entryKind
	// oid is the blob id; empty for directories and submodules.
	oid  string
	size int64
}

// isDir reports whether the entry is listed as a directory: a real one or a
// submodule, which shows as an empty directory.
func (e *entry) isDir() bool { return e.kind == kindDir || e.kind == kindSubmodule }

// Tree returns the tree of the commit rev names (normally a SHA from
// Resolve; any revision Resolve accepts works). The Repo keeps the last
// trees it listed: asking again for one is free, and a new commit's tree
// is derived from the last one with the paths that differ (see treeCache).
func (r *Repo) Tree(ctx context.Context, rev string) (*Tree, error) {
	sha, err := r.Resolve(ctx, rev)
	if err != nil {
		return nil, fmt.Errorf("read tree at %s: %w", rev, err)
	}
	return r.treeOf(ctx, sha)
}

// Commit returns the full SHA of the commit the tree belongs to.
func (t *Tree) Commit() string { return t.commit }

// parseLsTree parses one `ls-tree -l -z` record:
// "<mode> SP <type> SP <oid> SP+ <size> TAB <path>".
func parseLsTree(record []byte) (string, *entry, error) {
	meta, name, ok := bytes.Cut(record, []byte{'\t'})
	if !ok {
		return "", nil, fmt.Errorf("unexpected ls-tree record %q", record)
	}
	fields := bytes.Fields(meta)
	if len(fields) != 4 {
		return "", nil, fmt.Errorf("unexpected ls-tree record %q", record)
	}
	e := &entry{oid: string(fields[2])}
	switch string(fields[0]) {
	case "100644", "100664":
		e.kind = kindFile
	case "100755":
		e.kind = kindExecutable
	case "120000":
		e.kind = kindSymlink
	case "160000":
		e.kind, e.oid = kindSubmodule, ""
	default:
		return "", nil, fmt.Errorf("unexpected mode %s for %q", fields[0], name)
	}
	if e.kind != kindSubmodule {
		size, err := strconv.ParseInt(string(fields[3]), 10, 64)
		if err != nil {
			return "", nil, fmt.Errorf("unexpected size %q for %q", fields[3], name)
		}
		e.size = size
	}
	return string(name), e, nil
}

// add records a path and synthesizes its parent directories.
func (t *Tree) add(name string, e *entry) {
	t.entries[name] = e
	if e.kind == kindSubmodule {
		t.children[name] = nil
	}
	for {
		dir, base := path.Dir(name), path.Base(name)
		t.children[dir] = append(t.children[dir], base)
		if _, seen := t.entries[dir]; seen {
			return
		}
		t.entries[dir] = &entry{kind: kindDir}
		name = dir
	}
}
