package planner

import (
	"io/fs"
	"reflect"
	"runtime"
	"sync"
)

// sourcesID names an app's sources by where they are held: the Source
// pointer, or the first element and length of Sources. The Applications of
// an ApplicationSet's cached expansion are shallow copies of one another at
// every revision that expands it alike (see expandCache), so apps of the
// base and the head of a change share it, and so do later discoveries.
type sourcesID struct {
	one  *ApplicationSource
	many *ApplicationSource
	n    int
}

// sourcesIDOf returns spec's sources' identity; false when it has none.
func sourcesIDOf(spec *ApplicationSpec) (sourcesID, bool) {
	switch {
	case len(spec.Sources) > 0:
		return sourcesID{many: &spec.Sources[0], n: len(spec.Sources)}, true
	case spec.Source != nil:
		return sourcesID{one: spec.Source}, true
	}
	return sourcesID{}, false
}

// maxSpecIDs bounds the identities an index keeps: Applications decoded
// anew by each discovery bring new ones, and an index may live as long as
// its revision is compared with.
const maxSpecIDs = 1 << 16

// known returns the dependencies kept for id.
func (x *dependencyIndex) known(id sourcesID) ([]string, bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	deps, ok := x.bySpec[id]
	return deps, ok
}

// remember keeps deps for id.
func (x *dependencyIndex) remember(id sourcesID, deps []string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if len(x.bySpec) >= maxSpecIDs {
		x.bySpec = map[sourcesID][]string{}
	}
	x.bySpec[id] = deps
}

// symlinkFree is a repository that can tell whether it holds a symlink
// (gitrepo.Tree can).
type symlinkFree interface {
	HasSymlinks() bool
}

// carryDependencies decides, from base's dependency index alone, which of
// pairs changed leaves untouched: out[i] is set for each pair i that same
// marks (the same app at both revisions, see sameApp) and whose
// dependencies base's index knows and changed does not touch. Their
// dependencies are then recorded in head's index. A pair left false is
// one it cannot decide; the caller then works out head's dependencies.
// Each index is locked once for the whole batch: every app of a large
// repository passes through here on every diff.
//
// Why base's dependencies decide: every file the index reads to work out
// an app's dependencies lies under one of them (a Chart.yaml or a
// kustomization in a listed folder; a value file, listed whether it exists
// or not). When no changed file lies under any of them, and neither tree
// holds a symlink through which a path could name another file, the head
// reads the same files with the same content and lists the same
// dependencies, which the change does not touch either.
func carryDependencies(base, head *Revision, pairs []appPair, same []bool, changed []string, out []bool) {
	bx, hx := base.depIndex(), head.depIndex()
	if !bx.symlinkFree() || !hx.symlinkFree() || bx.servedURL != hx.servedURL {
		return
	}
	ids := make([]sourcesID, len(pairs))
	deps := make([][]string, len(pairs))
	known := make([]bool, len(pairs))
	bx.mu.Lock()
	for i, pr := range pairs {
		if same[i] {
			var ok bool
			if ids[i], ok = sourcesIDOf(&pr.after.Spec); ok {
				deps[i], known[i] = bx.bySpec[ids[i]]
			}
		}
	}
	bx.mu.Unlock()
	bx.workOut(pairs, same, ids, deps, known)
	carried := 0
	var file string
	var fileSeen, fileTouched bool // the apps of one ApplicationSet come in a row
	for i, pr := range pairs {
		if !known[i] || touchesClean(deps[i], changed) {
			continue
		}
		if !fileSeen || pr.after.File != file {
			file, fileSeen, fileTouched = pr.after.File, true, touchesFile(pr.after.File, changed)
		}
		if !fileTouched {
			out[i] = true
			carried++
		}
	}
	hx.mu.Lock()
	defer hx.mu.Unlock()
	if len(hx.bySpec) == 0 || len(hx.bySpec)+carried > maxSpecIDs {
		hx.bySpec = make(map[sourcesID][]string, carried)
	}
	for i, carry := range out {
		if carry {
			hx.bySpec[ids[i]] = deps[i]
		}
	}
}

// workOut fills in deps[i] and sets known[i] for each pair i that same
// marks and whose base side holds the sources ids[i] names, when the index
// did not know them yet: a cold index (the first diff against a commit)
// parses every app's charts and kustomizations, in chunks side by side.
func (x *dependencyIndex) workOut(pairs []appPair, same []bool, ids []sourcesID, deps [][]string, known []bool) {
	var todo []int
	for i, pr := range pairs {
		if same[i] && !known[i] && ids[i] != (sourcesID{}) {
			if bid, _ := sourcesIDOf(&pr.before.Spec); bid == ids[i] {
				todo = append(todo, i)
			}
		}
	}
	n := max(1, min(runtime.GOMAXPROCS(0), len(todo)/workOutChunk))
	size := (len(todo) + n - 1) / n
	var wg sync.WaitGroup
	for start := 0; start < len(todo); start += size {
		wg.Go(func() {
			for _, i := range todo[start:min(start+size, len(todo))] {
				deps[i], known[i] = x.sourceDependencies(pairs[i].before)
			}
		})
	}
	wg.Wait()
}

// workOutChunk is the fewest apps worth a goroutine of their own in
// workOut.
const workOutChunk = 64

// symlinkFree reports whether the index's repository is known to hold no
// symlink; computed once.
func (x *dependencyIndex) symlinkFree() bool {
	x.linksOnce.Do(func() {
		sf, ok := x.repo.(symlinkFree)
		x.noLinks = ok && !sf.HasSymlinks()
	})
	return x.noLinks
}

// depIndexKey names the repository a dependency index reads: the tree
// itself (a gitrepo.Tree is kept and handed out again for its commit) and
// the URL its Applications name it by.
type depIndexKey struct {
	repo      fs.FS
	servedURL string
}

// depIndexCacheSize bounds the dependency indexes a Planner keeps: the
// default branch, and the last heads compared with it.
const depIndexCacheSize = 4

// depIndexes keeps the dependency indexes of the last commit trees a
// Planner was asked about, so that the default branch, which every pull
// request is compared with, and a pull request's previous head, which its
// next push is compared with, keep what was worked out for them.
type depIndexes struct {
	mu    sync.Mutex
	order []depIndexKey // least recently used first
	byKey map[depIndexKey]*dependencyIndex
}

// index returns the dependency index of repo, kept when repo is a commit's
// tree and new otherwise.
func (p *Planner) dependencyIndex(repo fs.FS, servedURL string) *dependencyIndex {
	if ct, ok := repo.(CommitTree); !ok || ct.Commit() == "" || !comparableFS(repo) {
		return newDependencyIndex(repo, servedURL, &p.parses)
	}
	c := &p.depIndexes
	key := depIndexKey{repo: repo, servedURL: servedURL}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byKey == nil {
		c.byKey = map[depIndexKey]*dependencyIndex{}
	}
	for i, k := range c.order {
		if k == key {
			c.order = append(append(c.order[:i:i], c.order[i+1:]...), key)
			return c.byKey[key]
		}
	}
	x := newDependencyIndex(repo, servedURL, &p.parses)
	if len(c.order) >= depIndexCacheSize {
		delete(c.byKey, c.order[0])
		c.order = c.order[1:]
	}
	c.order = append(c.order, key)
	c.byKey[key] = x
	return x
}

// comparableFS reports whether repo may key a map.
func comparableFS(repo fs.FS) bool {
	return reflect.TypeOf(repo).Comparable()
}

// depIndex is the revision's dependency index: the Planner's for its
// commit, or its own.
func (r *Revision) depIndex() *dependencyIndex {
	r.depsOnce.Do(func() {
		if r.p == nil {
			r.deps = newDependencyIndex(r.Source.Repo, r.Source.RepoURL, nil)
			return
		}
		r.deps = r.p.dependencyIndex(r.Source.Repo, r.Source.RepoURL)
	})
	return r.deps
}

// touchesFile is Touches([]string{file}, changed), without the slice.
func touchesFile(file string, changed []string) bool {
	for _, f := range changed {
		if pathUnder(f, file) {
			return true
		}
	}
	return false
}
