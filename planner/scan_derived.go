package planner

import (
	"io/fs"
	"path"
	"slices"
	"strings"
)

// DerivedTree is a commit's tree that knows the kept tree it was derived
// from and the paths that differ (gitrepo.Tree does). The Planner then
// scans a pull request's head from the scan of that tree, reading only the
// changed paths, rather than walking the whole repository.
type DerivedTree interface {
	DerivedFrom() (commit string, changed []string, ok bool)
}

// derivedFrom returns the commit repo's tree was derived from; "" when it
// was not.
func derivedFrom(repo fs.FS) string {
	if dt, ok := repo.(DerivedTree); ok {
		if from, _, ok := dt.DerivedFrom(); ok {
			return from
		}
	}
	return ""
}

// derivedScan returns the scan of repo worked out from the kept scan of
// the tree it was derived from, with the changed paths scanned again; false
// when there is no such scan, or when repo holds a symlink (whose target
// may change under an unchanged path).
func (p *Planner) derivedScan(repo fs.FS, cfg RepoConfig, scope string) (*scan, bool) {
	dt, ok := repo.(DerivedTree)
	sf, hasLinks := repo.(symlinkFree)
	if !ok || !hasLinks || sf.HasSymlinks() {
		return nil, false
	}
	from, changed, ok := dt.DerivedFrom()
	if !ok {
		return nil, false
	}
	base, ok := keptParse[*scan](&p.parses, treeScanKey(from, scope))
	if !ok || base == nil || base.incomplete {
		return nil, false
	}
	for _, e := range base.Errors {
		if _, ok := e.(*RenderError); !ok {
			return nil, false
		}
	}
	sc, ok := spliceScan(base, repo, cfg, changed, &p.parses)
	if ok && sc.same {
		sc.unchangedSince = from
	}
	return sc, ok
}

// spliceScan is base with what it found in the changed paths replaced by
// what scanning them in repo finds, each list kept in walk order.
func spliceScan(base *scan, repo fs.FS, cfg RepoConfig, changed []string, cache *parseCache) (*scan, bool) {
	gone := map[string]bool{}
	for _, c := range changed {
		gone[c] = true
	}
	files := slices.Clone(changed)
	slices.SortFunc(files, walkCompare)
	added := &scan{}
	for _, f := range files {
		if walked(repo, f, cfg) {
			added.add(f, scanFileCached(repo, f, cache), cfg)
		}
	}
	if added.incomplete {
		return nil, false
	}
	out := &scan{
		Manifests: spliceByFile(base.Manifests, added.Manifests, gone, func(m manifest) string { return m.File }),
		Clusters:  spliceByFile(base.Clusters, added.Clusters, gone, func(c Cluster) string { return c.Source }),
		ArgoFiles: spliceByFile(base.ArgoFiles, added.ArgoFiles, gone, func(f string) string { return f }),
		Errors:    spliceByFile(base.Errors, added.Errors, gone, func(e error) string { return e.(*RenderError).File }),
		cost:      base.cost + added.cost,
	}
	// Nothing scanned again found anything, and nothing found before is gone.
	out.same = added.found() == 0 && out.found() == base.found()
	return out, true
}

// found counts what the scan found.
func (s *scan) found() int {
	return len(s.Manifests) + len(s.Clusters) + len(s.ArgoFiles) + len(s.Errors)
}

// walked reports whether scanRepo's walk meets file f of repo and scans
// it: a manifest file that exists, under no hidden or excluded folder.
func walked(repo fs.FS, f string, cfg RepoConfig) bool {
	if !isManifestFile(f) || excluded(f, cfg.Exclude) || excluded(".", cfg.Exclude) {
		return false
	}
	for dir := path.Dir(f); dir != "."; dir = path.Dir(dir) {
		if strings.HasPrefix(path.Base(dir), ".") || excluded(dir, cfg.Exclude) {
			return false
		}
	}
	info, err := fs.Stat(repo, f)
	return err == nil && !info.IsDir()
}

// spliceByFile merges old, without the items of files gone, and added,
// both in walk order of their files, into one list in that order.
func spliceByFile[T any](old, added []T, gone map[string]bool, file func(T) string) []T {
	out := make([]T, 0, len(old)+len(added))
	i := 0
	for _, o := range old {
		f := file(o)
		if gone[f] {
			continue
		}
		for i < len(added) && walkCompare(file(added[i]), f) < 0 {
			out = append(out, added[i])
			i++
		}
		out = append(out, o)
	}
	return append(out, added[i:]...)
}

// walkCompare orders repository paths as fs.WalkDir meets them: folder by
// folder, each folder's entries by name.
func walkCompare(a, b string) int {
	for {
		ha, ra, moreA := strings.Cut(a, "/")
		hb, rb, moreB := strings.Cut(b, "/")
		if c := strings.Compare(ha, hb); c != 0 || !moreA || !moreB {
			if c == 0 {
				return boolCompare(moreA, moreB)
			}
			return c
		}
		a, b = ra, rb
	}
}

func boolCompare(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}
