package gitrepo

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"path"
	"slices"
	"sync"
	"sync/atomic"
)

// treeCacheSize bounds the tree listings a Repo keeps.
const treeCacheSize = 4

// maxTreeChanges is the most changed paths a tree is derived from a kept
// listing with; past it, the tree is listed in full.
const maxTreeChanges = 512

// treeCache keeps the last trees a Repo listed. A commit's tree never
// changes, so a tree listed once (the default branch every pull request
// is compared with) is not listed again, and a new commit's tree is
// derived from the last one listed and the paths that differ between
// them, which costs what the change costs rather than what the repository
// holds.
type treeCache struct {
	mu    sync.Mutex
	trees []*Tree // most recently used first
	// listed counts the trees listed in full.
	listed atomic.Int64
}

// get returns the kept tree of commit, or nil.
func (c *treeCache) get(commit string) *Tree {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, t := range c.trees {
		if t.commit == commit {
			c.trees = slices.Insert(slices.Delete(c.trees, i, i+1), 0, t)
			return t
		}
	}
	return nil
}

// latest returns the most recently used tree, or nil.
func (c *treeCache) latest() *Tree {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.trees) == 0 {
		return nil
	}
	return c.trees[0]
}

// put keeps t, forgetting the least recently used tree past the bound.
func (c *treeCache) put(t *Tree) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if slices.ContainsFunc(c.trees, func(k *Tree) bool { return k.commit == t.commit }) {
		return // listed twice at once
	}
	c.trees = slices.Insert(c.trees, 0, t)
	if len(c.trees) > treeCacheSize {
		c.trees = c.trees[:treeCacheSize]
	}
}

// treeOf returns the tree of commit sha: kept, derived from the latest kept
// tree, or listed in full.
func (r *Repo) treeOf(ctx context.Context, sha string) (*Tree, error) {
	if t := r.trees.get(sha); t != nil {
		return t, nil
	}
	var t *Tree
	if near := r.trees.latest(); near != nil {
		t = r.derivedTree(ctx, near, sha)
	}
	if t == nil {
		var err error
		if t, err = r.listTree(ctx, sha); err != nil {
			return nil, err
		}
		r.trees.listed.Add(1)
	}
	r.trees.put(t)
	return t, nil
}

// derivedTree returns the tree of sha as near's with the paths that differ
// between them changed, or nil when they differ in too many paths or git
// fails (the caller then lists the tree in full).
func (r *Repo) derivedTree(ctx context.Context, near *Tree, sha string) *Tree {
	// diff, not diff-tree: diff-tree reads the index of a local checkout
	// (its size is the repository's), and comparing two commits needs none.
	// -O/dev/null: a diff.orderFile that git cannot read fails the diff.
	out, err := r.git(ctx, "diff", "--raw", "-z", "--no-renames", "--no-ext-diff", "--no-textconv", "--no-color",
		"--no-abbrev", "--ignore-submodules=none", "-O/dev/null", near.commit, sha, "--")
	if err != nil {
		return nil
	}
	var fields [][]byte
	if len(out) > 0 {
		fields = bytes.Split(bytes.TrimSuffix(out, []byte{0}), []byte{0})
	}
	if len(fields)%2 != 0 || len(fields)/2 > maxTreeChanges {
		return nil
	}
	var removed, changed []string
	for i := 0; i+1 < len(fields); i += 2 {
		meta, name := fields[i], string(fields[i+1])
		removed = append(removed, name)
		if !bytes.HasSuffix(meta, []byte(" D")) {
			changed = append(changed, name)
		}
	}
	added := map[string]*entry{}
	if len(changed) > 0 {
		args := append([]string{"--literal-pathspecs", "ls-tree", "-r", "-z", "--full-tree", "-l", sha, "--"}, changed...)
		listing, err := r.git(ctx, args...)
		if err != nil {
			return nil
		}
		for record := range bytes.SplitSeq(listing, []byte{0}) {
			if len(record) == 0 {
				continue
			}
			name, e, err := parseLsTree(record)
			if err != nil {
				return nil
			}
			added[name] = e
		}
	}
	return near.withChanges(sha, removed, added)
}

// withChanges returns a copy of t for commit with the paths in removed
// taken out and those in added put in. t is left as it was.
func (t *Tree) withChanges(commit string, removed []string, added map[string]*entry) *Tree {
	n := &Tree{repo: t.repo, commit: commit, entries: maps.Clone(t.entries), children: maps.Clone(t.children), links: map[string]string{},
		from: t.commit, fromChanged: slices.Clone(removed)}
	owned := map[string]bool{}
	for _, p := range removed {
		// A directory that a file replaces goes once its files are gone.
		if e, ok := n.entries[p]; ok && e.kind != kindDir {
			n.remove(p, owned)
		}
	}
	linkFree := t.symlinks.Load() == 1
	for p, e := range added {
		n.addOwned(p, e, owned)
		linkFree = linkFree && e.kind != kindSymlink
	}
	if linkFree {
		n.symlinks.Store(1) // removing paths adds no symlink
	}
	for dir := range owned {
		if kids, ok := n.children[dir]; ok {
			slices.Sort(kids)
		}
	}
	return n
}

// ownChildren returns dir's children list, copied first when n still
// shares it with the tree it was derived from.
func (t *Tree) ownChildren(dir string, owned map[string]bool) []string {
	if !owned[dir] {
		owned[dir] = true
		if kids, ok := t.children[dir]; ok {
			t.children[dir] = slices.Clone(kids)
		}
	}
	return t.children[dir]
}

// remove takes the entry at p out, and its parent directories that it
// leaves empty.
func (t *Tree) remove(p string, owned map[string]bool) {
	e, ok := t.entries[p]
	if !ok || p == "." {
		return
	}
	delete(t.entries, p)
	if e.isDir() {
		delete(t.children, p)
	}
	dir, base := path.Dir(p), path.Base(p)
	kids := slices.DeleteFunc(t.ownChildren(dir, owned), func(s string) bool { return s == base })
	t.children[dir] = kids
	if len(kids) == 0 && dir != "." {
		t.remove(dir, owned)
	}
}

// addOwned is add for a derived tree: it copies each children list before
// changing it.
func (t *Tree) addOwned(name string, e *entry, owned map[string]bool) {
	t.entries[name] = e
	if e.kind == kindSubmodule {
		t.children[name] = nil
	}
	for {
		dir, base := path.Dir(name), path.Base(name)
		t.children[dir] = append(t.ownChildren(dir, owned), base)
		if _, seen := t.entries[dir]; seen {
			return
		}
		t.entries[dir] = &entry{kind: kindDir}
		name = dir
	}
}

// listTree lists the tree of commit sha in full.
func (r *Repo) listTree(ctx context.Context, sha string) (*Tree, error) {
	out, err := r.git(ctx, "ls-tree", "-r", "-z", "--full-tree", "-l", sha)
	if err != nil {
		return nil, fmt.Errorf("list tree of %s in %s: %w", sha, r.loc, err)
	}
	t := &Tree{
		repo:     r,
		commit:   sha,
		entries:  map[string]*entry{".": {kind: kindDir}},
		children: map[string][]string{".": nil},
		links:    map[string]string{},
	}
	for record := range bytes.SplitSeq(out, []byte{0}) {
		if len(record) == 0 {
			continue
		}
		name, e, err := parseLsTree(record)
		if err != nil {
			return nil, fmt.Errorf("list tree of %s in %s: %w", sha, r.loc, err)
		}
		t.add(name, e)
	}
	for dir := range t.children {
		slices.Sort(t.children[dir])
	}
	return t, nil
}
