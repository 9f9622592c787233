package planner

import (
	"encoding/json"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"

	"sigs.k8s.io/yaml"
)

// Dependencies returns the paths of src's repository that an app's
// rendering reads: its own manifest, each path of a source that reads
// src's repository, Helm value files there (its own and `$ref` ones), local
// chart dependencies, and Kustomize bases and components outside the
// source path. A changed file under any of them affects the app. A source
// that names another repository (a repoURL other than src.RepoURL, or any
// repoURL when src.RepoURL is unknown) reads none of src's paths, however
// its path is spelled. When a dependency cannot be worked out, the
// repository root is returned, so that the app counts as affected by any
// change.
func Dependencies(src Source, app *App) []string {
	return newDependencyIndex(src.Repo, src.RepoURL, nil).Dependencies(app)
}

// dependencyIndex works out apps' dependencies in one repository revision,
// reading and parsing each Chart.yaml and kustomization once however many
// apps and clusters share it.
type dependencyIndex struct {
	repo      fs.FS
	servedURL string
	// parses keeps parsed Chart.yaml and kustomization files by blob id.
	parses *parseCache

	mu      sync.Mutex
	sources map[string][]string // JSON of an app's sources -> their dependencies
	kust    map[string][]string // directory -> local directories its kustomization names
	charts  map[string][]string // chart directory -> its file:// dependencies
	// bySpec keeps the dependencies of sources by their identity (see
	// sourcesIDOf), so that an app met again needs no JSON key.
	bySpec map[sourcesID][]string

	linksOnce sync.Once
	noLinks   bool
	// linkList is what links found, once.
	linksListOnce sync.Once
	linkList      []repoLink
}

func newDependencyIndex(repo fs.FS, servedURL string, parses *parseCache) *dependencyIndex {
	if parses == nil {
		parses = &dependencyParses
	}
	return &dependencyIndex{repo: repo, servedURL: servedURL, parses: parses, sources: map[string][]string{},
		kust: map[string][]string{}, charts: map[string][]string{}, bySpec: map[sourcesID][]string{}}
}

// Dependencies is the package-level Dependencies, memoized.
func (x *dependencyIndex) Dependencies(app *App) []string {
	deps, ok := x.sourceDependencies(app)
	if !ok {
		return []string{"."}
	}
	return append([]string{app.File}, deps...)
}

// sourceDependencies is what Dependencies lists beside the app's own
// manifest; false when the sources cannot be keyed.
func (x *dependencyIndex) sourceDependencies(app *App) ([]string, bool) {
	id, byID := sourcesIDOf(&app.Spec)
	if byID {
		if deps, ok := x.known(id); ok {
			return deps, true
		}
	}
	sources := app.Spec.AllSources()
	key, err := json.Marshal(sources)
	if err != nil {
		return nil, false
	}
	deps := x.memo(x.sources, string(key), func() []string { return cleanPaths(x.followLinks(x.sourceDeps(app, sources))) })
	if byID {
		x.remember(id, deps)
	}
	return deps, true
}

// reads reports whether a Git source with this repoURL reads the indexed
// repository, as sourceReader.isServedURL decides it.
func (x *dependencyIndex) reads(repoURL string) bool {
	return namesServed(x.servedURL, repoURL)
}

func (x *dependencyIndex) sourceDeps(app *App, sources []ApplicationSource) []string {
	refs, err := sourceRefs(sources, nil)
	if err != nil {
		return []string{"."}
	}
	for _, s := range sources {
		if s.Ref != "" && !x.reads(s.RepoURL) {
			delete(refs, "$"+s.Ref) // its value files lie in another repository
		}
	}
	var deps []string
	for i := range sources {
		src := &sources[i]
		own := src.Chart == "" && src.Path != "" && x.reads(src.RepoURL)
		var p string
		if own {
			if p, err = RepoPath("", src.Path); err != nil {
				return []string{"."}
			}
			deps = append(deps, p)
			deps = append(deps, x.chartDependencies(p)...)
			deps = append(deps, x.kustomizeClosure(p)...)
		}
		if src.Helm != nil {
			deps = append(deps, x.helmFileDeps(app, src, i, p, own, refs)...)
		}
	}
	return deps
}

// helmFileDeps lists the value files and file parameters of source i that
// lie in the indexed repository: its own (when own) and `$ref` ones whose
// ref source reads it.
func (x *dependencyIndex) helmFileDeps(app *App, src *ApplicationSource, i int, p string, own bool, refs map[string]refSource) []string {
	var deps []string
	rs := renderSource{app: app, src: src, index: i, path: p, refs: refs}
	for _, vf := range src.Helm.ValueFiles {
		if !own && !strings.HasPrefix(strings.TrimPrefix(vf, helmSecretsPrefix), "$") {
			continue
		}
		if _, f, err := valueFilePath(x.repo, rs, vf); err == nil {
			deps = append(deps, f)
		}
	}
	if own {
		for _, fp := range src.Helm.FileParameters {
			if f, err := RepoPath(p, fp.Path); err == nil {
				deps = append(deps, f)
			}
		}
	}
	return deps
}

// chartDependencies lists the local charts (file://) a chart's Chart.yaml
// depends on.
func (x *dependencyIndex) chartDependencies(dir string) []string {
	return x.memo(x.charts, dir, func() []string {
		return parsedFile(x.parses, x.repo, path.Join(dir, "Chart.yaml"), dir, chartDependenciesOf)
	})
}

// memo returns m[key], computing and keeping it on first use.
func (x *dependencyIndex) memo(m map[string][]string, key string, compute func() []string) []string {
	x.mu.Lock()
	v, ok := m[key]
	x.mu.Unlock()
	if ok {
		return v
	}
	v = compute()
	x.mu.Lock()
	m[key] = v
	x.mu.Unlock()
	return v
}

// chartDependenciesOf lists the file:// dependencies in dir's Chart.yaml,
// whose content is data.
func chartDependenciesOf(dir string, data []byte) []string {
	var c struct {
		Dependencies []struct {
			Repository string `json:"repository"`
		} `json:"dependencies"`
	}
	if yaml.Unmarshal(data, &c) != nil {
		return []string{"."}
	}
	var out []string
	for _, d := range c.Dependencies {
		if rel, ok := strings.CutPrefix(d.Repository, "file://"); ok {
			if p, err := RepoPath(dir, rel); err == nil {
				out = append(out, p)
			}
		}
	}
	return out
}

// kustomizeClosure lists every local directory a kustomization in dir
// reaches through resources, bases and components, transitively.
func (x *dependencyIndex) kustomizeClosure(dir string) []string {
	seen := map[string]bool{}
	queue := []string{dir}
	for len(queue) > 0 {
		d := queue[0]
		queue = queue[1:]
		if seen[d] {
			continue
		}
		seen[d] = true
		queue = append(queue, x.kustomizeRefs(d)...)
	}
	delete(seen, dir) // the source path is a dependency already
	out := make([]string, 0, len(seen))
	for d := range seen {
		out = append(out, d)
	}
	slices.Sort(out)
	return out
}

// kustomizeRefs lists the local paths that dir's kustomization names as
// resources, bases or components; nil when dir has none.
func (x *dependencyIndex) kustomizeRefs(dir string) []string {
	return x.memo(x.kust, dir, func() []string {
		return parsedFile(x.parses, x.repo, kustomizationFile(x.repo, dir), dir, kustomizeRefsOf)
	})
}

// kustomizeRefsOf lists the local paths outside dir that dir's
// kustomization, whose content is data, names.
func kustomizeRefsOf(dir string, data []byte) []string {
	var k kustomizationRefs
	if yaml.Unmarshal(data, &k) != nil {
		return nil // rendering reports it; the source path is already a dependency
	}
	var out []string
	for _, ref := range append(k.dirRefs(), k.fileRefs()...) {
		if isRemoteRef(ref) {
			continue
		}
		if p, err := RepoPath(dir, ref); err == nil && !pathUnder(p, dir) {
			out = append(out, p)
		}
	}
	return out
}

// cleanPaths returns paths with each one cleaned as pathUnder cleans a
// root ("." for the whole repository), so that touchesClean may compare
// them as they are.
func cleanPaths(paths []string) []string {
	cloned := false
	for i, p := range paths {
		if cleanRelative(p) {
			continue
		}
		if p = strings.Trim(path.Clean(p), "/"); p == "" {
			p = "."
		}
		if !cloned {
			paths, cloned = slices.Clone(paths), true
		}
		paths[i] = p
	}
	return paths
}

// touchesClean is Touches for deps already cleaned (cleanPaths): every
// app's dependencies pass through it on every diff.
func touchesClean(deps, changed []string) bool {
	for _, f := range changed {
		for _, d := range deps {
			if underClean(f, d) {
				return true
			}
		}
	}
	return false
}

// Touches reports whether any changed file lies under one of deps.
func Touches(deps, changed []string) bool {
	return touchesClean(cleanPaths(deps), changed)
}
