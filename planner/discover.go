package planner

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"

	"golang.org/x/sync/errgroup"
)

// Source is a repository at one revision, with what the planner needs to
// know about it.
type Source struct {
	// Repo is the repository's tree at Revision.
	Repo fs.FS
	// RepoURL is the URL Applications use for this repository; sources
	// naming it (or naming no repository) at the served revision are read
	// from Repo. Empty means unknown (the CLI): then every source that
	// names a repoURL is read through Repositories.
	RepoURL string
	// Revision is the commit the tree belongs to, for reports.
	Revision string
	// Branch is the branch Repo stands for: the default branch, or the
	// branch a pull request targets. A source of this repository whose
	// targetRevision is Branch, HEAD, empty or Revision reads Repo; any
	// other targetRevision goes through Repositories. Empty means "main"
	// or "master".
	Branch string
	// Repositories reads every other repository and chart repository the
	// apps' sources and git generators name. Nil reads nothing else: a
	// source of another repository, or of this one at another revision,
	// is then an *UnlistedSourceError naming it.
	Repositories Repositories
	// Config is the repository's .gitwave.yaml merged with flags.
	Config RepoConfig
	// Clusters are the clusters from gitwave's own configuration; Argo CD
	// cluster Secrets found in the repository are added to them.
	Clusters []Cluster
}

// Inventory is every app a repository produces at one revision.
type Inventory struct {
	// Apps are the apps, one per (Application, cluster), roots first and
	// children after their parent, each level in wave order.
	Apps []*App
	// Clusters are the known clusters: configured ones, then those from
	// cluster Secrets.
	Clusters []Cluster
	// Errors are the problems found; apps they do not concern are still
	// listed. Each is a *RenderError or an *ExpandError.
	Errors []error
	// Files are the repository files that declare apps or clusters.
	Files []string

	// rendered holds what app-of-apps parents rendered.
	rendered map[AppKey]renderOutput
	// reader reads the sources of this inventory's apps; its fetches are
	// shared by every Plan of the inventory.
	reader *sourceReader
	// readsTree is set when discovery read the tree beyond its scan: an
	// ApplicationSet with a git generator.
	readsTree bool
}

// Planner turns a repository into apps, objects and change sets. The zero
// value is ready to use.
type Planner struct {
	// Renderer renders apps' sources; its chart cache is shared by every
	// call on this Planner.
	Renderer Renderer
	// Scope tells namespaced kinds from cluster-scoped ones; nil uses
	// BuiltinScope.
	Scope Scope
	// Limits bound every render and expansion; the zero value is the
	// defaults (60s per render, 1,000 apps per ApplicationSet, 10,000 per
	// revision, 10,000 objects and 50 MiB per app).
	Limits Limits

	expansions expandCache
	// parses keeps what discovery and the dependency index parsed out of
	// files, by blob id, for every later call on this Planner.
	parses parseCache
	// depIndexes keeps the dependency indexes of the last commits asked
	// about, for the pull requests compared with them.
	depIndexes depIndexes
	// inventories keeps the inventories of the last commits discovered
	// that depend on nothing but their tree.
	inventories inventoryCache
	// appsHint is how many apps the last discovery found.
	appsHint atomic.Int64
}

// maxAppDepth bounds app-of-apps nesting, as a guard beside cycle detection.
const maxAppDepth = 10

// Discover lists every app the repository produces: root Applications,
// ApplicationSets expanded over their generators, and the children of apps
// of apps, recursively.
func (p *Planner) Discover(ctx context.Context, src Source) (*Inventory, error) {
	return p.discover(ctx, newSourceReader(src), src)
}

// discover is Discover with the reader its renders use, which DiffRevisions
// shares between the two revisions it compares.
func (p *Planner) discover(ctx context.Context, rd *sourceReader, src Source) (*Inventory, error) {
	if inv := p.inventories.get(src, p.Limits, rd); inv != nil {
		return inv, ctx.Err()
	}
	sc, err := p.scanTree(ctx, src.Repo, src.Config)
	if err != nil {
		return nil, fmt.Errorf("scan repository: %w", err)
	}
	if inv := p.inventories.unchanged(sc, src, p.Limits, rd); inv != nil {
		p.inventories.put(src, p.Limits, rd, inv)
		return inv, ctx.Err()
	}
	sc = sc.clone() // discovery may change what it found
	inv := &Inventory{Errors: sc.Errors, rendered: map[AppKey]renderOutput{}, reader: rd}
	inv.Clusters, inv.Errors = mergeClusters(src.Clusters, sc.Clusters, inv.Errors)
	for _, m := range sc.Manifests {
		inv.Files = append(inv.Files, m.File)
	}
	for _, c := range sc.Clusters {
		inv.Files = append(inv.Files, c.Source)
	}
	// Sized as the last discovery found, which a warm diff repeats.
	hint := int(p.appsHint.Load())
	inv.Apps = make([]*App, 0, hint)
	d := &discovery{p: p, src: src, inv: inv, clusters: inv.Clusters, argoFiles: sc.ArgoFiles, seen: make(map[AppKey]*App, hint)}
	roots := p.rootManifests(sc, src, inv.reader)
	slices.SortStableFunc(roots, func(x, y manifest) int { return manifestWave(x) - manifestWave(y) })
	d.warmExpansions(ctx, roots)
	for _, m := range roots {
		d.expandManifest(ctx, m, "", nil, nil)
	}
	inv.Files = uniqueSorted(inv.Files)
	if len(inv.Apps) == 0 {
		inv.Apps = nil // as before the hint
	}
	p.appsHint.Store(int64(min(len(inv.Apps), p.Limits.WithDefaults().MaxAppsPerRevision)))
	if ctx.Err() != nil {
		return inv, ctx.Err()
	}
	p.inventories.put(src, p.Limits, rd, inv)
	return inv, nil
}

// mergeClusters joins configured clusters and cluster Secrets. A Secret
// that names a configured cluster describes the same cluster: the
// configuration's server and credentials win, the Secret's labels and
// annotations are added where the configuration sets none, and the
// Secret's server stays an alias that destinations may name.
func mergeClusters(cfg, secrets []Cluster, errs []error) ([]Cluster, []error) {
	out := slices.Clone(cfg)
	idx := map[string]int{}
	for i, c := range out {
		idx[c.Name] = i
	}
	for _, c := range secrets {
		i, dup := idx[c.Name]
		if !dup {
			idx[c.Name] = len(out)
			out = append(out, c)
			continue
		}
		if out[i].Source != "config" && out[i].Source != "" {
			errs = append(errs, fileErr(c.Source, 0, fmt.Errorf("cluster %q is already defined in %s", c.Name, out[i].Source)))
			continue
		}
		m := out[i]
		m.Labels = mergeStrings(c.Labels, m.Labels)
		m.Annotations = mergeStrings(c.Annotations, m.Annotations)
		if c.Server != m.Server {
			m.Aliases = append(m.Aliases, c.Server)
		}
		m.Source = c.Source
		out[i] = m
	}
	return out, errs
}

// mergeStrings returns base with over's entries on top.
func mergeStrings(base, over map[string]string) map[string]string {
	if len(base) == 0 && len(over) == 0 {
		return nil
	}
	out := make(map[string]string, len(base)+len(over))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range over {
		out[k] = v
	}
	return out
}

// rootManifests picks the roots: with Config.Apps, every manifest found
// there; otherwise the manifests that no same-repository Application's
// source path contains.
func (p *Planner) rootManifests(sc *scan, src Source, rd *sourceReader) []manifest {
	if len(src.Config.Apps) > 0 {
		return sc.Manifests
	}
	var parents []string
	for _, m := range sc.Manifests {
		if !isArgoKind(m.Obj, "Application") {
			continue
		}
		a, err := p.decodeApplication(m)
		if err != nil {
			continue
		}
		for _, s := range a.Spec.AllSources() {
			if s.Path != "" && s.Chart == "" && rd.isServedURL(s.RepoURL) && rd.isServedRevision(s.TargetRevision) {
				parents = append(parents, path.Clean(s.Path))
			}
		}
	}
	var roots []manifest
	for _, m := range sc.Manifests {
		if !underAny(m.File, parents) || path.Dir(m.File) == "." && !slices.Contains(parents, ".") {
			roots = append(roots, m)
		}
	}
	return roots
}

// discovery is one Discover call's state.
type discovery struct {
	p        *Planner
	src      Source
	inv      *Inventory
	clusters []Cluster
	// argoFiles are the files that mention Applications.
	argoFiles []string
	// holdsApps says, per source path of the served tree, whether one of
	// argoFiles lies under it: apps on every cluster share their paths.
	holdsApps map[string]bool
	seen      map[AppKey]*App
	// visited counts the Applications met; full is set once they pass
	// MaxAppsPerRevision, where discovery stops.
	visited int
	full    bool
}

// expandManifest turns one Application or ApplicationSet into apps and
// descends into the children of each. ancestors are the app names above,
// for cycle detection.
func (d *discovery) expandManifest(ctx context.Context, m manifest, parent string, ancestors []string, order []int) {
	if d.full {
		return
	}
	var apps []Application
	var gen string
	if isArgoKind(m.Obj, "ApplicationSet") {
		set, err := d.p.decodeAppSet(m)
		if err != nil {
			d.fail(fileErr(m.File, m.Line, err))
			return
		}
		d.inv.readsTree = d.inv.readsTree || readsRepo(set.Spec.Generators)
		if apps, err = d.expandSet(ctx, set, m); err != nil {
			d.fail(err)
			return
		}
		gen = "ApplicationSet/" + set.Metadata.Name
		order = append(slices.Clone(order), manifestWave(m))
	} else {
		a, err := d.p.decodeApplication(m)
		if err != nil {
			d.fail(fileErr(m.File, m.Line, err))
			return
		}
		apps = []Application{a}
	}
	for i := range apps {
		by := parent
		if gen != "" {
			by = gen
		}
		d.addApp(ctx, &apps[i], m, by, ancestors, order)
	}
}

// expandSet expands set, declared by m, through the Planner's cache.
func (d *discovery) expandSet(ctx context.Context, set *ApplicationSet, m manifest) ([]Application, error) {
	set.File, set.Line = m.File, m.Line
	return d.p.expansions.expand(ctx, set, ExpandOptions{Clusters: d.clusters, Repo: d.src.Repo, RepoURL: d.src.RepoURL,
		Revision: d.src.Revision, Branch: d.src.Branch, Repositories: d.src.Repositories,
		GitFileGlobbing: d.src.Config.GitFileGlobbing, Limits: d.p.Limits, reader: d.inv.reader})
}

// warmExpansions expands the root ApplicationSets that the cache keeps
// (those without a git generator) side by side, so that the walk in wave
// order, which adds their apps one set after another, finds each expanded:
// a repository of many sets is expanded in the time of the largest few.
func (d *discovery) warmExpansions(ctx context.Context, roots []manifest) {
	var sets []*ApplicationSet
	var from []manifest
	for _, m := range roots {
		if !isArgoKind(m.Obj, "ApplicationSet") {
			continue
		}
		if set, err := d.p.decodeAppSet(m); err == nil && !readsRepo(set.Spec.Generators) {
			sets, from = append(sets, set), append(from, m)
		}
	}
	if len(sets) < 2 {
		return
	}
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, set := range sets {
		g.Go(func() error {
			_, _ = d.expandSet(ctx, set, from[i]) // the walk reports its errors
			return nil
		})
	}
	_ = g.Wait()
}

// addApp binds an Application to its cluster, records it, and, when its
// source holds Applications, renders it to find its children.
func (d *discovery) addApp(ctx context.Context, a *Application, m manifest, parent string, ancestors []string, order []int) {
	name := a.Metadata.Name
	if d.full {
		return
	}
	// Every Application counts, those refused below included, so that an
	// app of apps fanning out cannot make discovery work without bound.
	if d.visited++; d.visited > d.p.Limits.WithDefaults().MaxAppsPerRevision {
		d.full = true
		d.fail(&LimitError{What: "the revision", Limit: "maxAppsPerRevision",
			Message: fmt.Sprintf("produces more than %d apps; discovery stopped at %s (%s)", d.visited-1, name, m.File)})
		return
	}
	if slices.Contains(ancestors, name) {
		chain := strings.Join(append(slices.Clone(ancestors), name), " -> ")
		d.fail(&RenderError{App: name, File: m.File, Line: m.Line, Err: fmt.Errorf("app of apps cycle: %s", chain)})
		return
	}
	if len(ancestors) >= maxAppDepth {
		d.fail(&RenderError{App: name, File: m.File, Line: m.Line, Err: fmt.Errorf("app of apps nested deeper than %d levels", maxAppDepth)})
		return
	}
	app, err := d.bind(a, m, parent)
	if err != nil {
		d.fail(err)
		return
	}
	if prev, dup := d.seen[app.Key()]; dup {
		d.fail(&RenderError{App: name, Cluster: app.Cluster.Name, File: m.File, Line: m.Line,
			Err: fmt.Errorf("app is defined twice: here and in %s:%d", prev.File, prev.Line)})
		return
	}
	app.Order = append(slices.Clone(order), app.Wave)
	if len(ancestors) > 0 {
		app.Ancestors = slices.Clone(ancestors)
	}
	d.seen[app.Key()] = app
	d.inv.Apps = append(d.inv.Apps, app)
	if !d.mayHoldApps(ctx, app) {
		return
	}
	out, err := d.p.Renderer.renderLimited(ctx, d.inv.reader, app, d.p.Limits)
	if err != nil {
		d.fail(err)
		return
	}
	d.inv.rendered[app.Key()] = out
	var children []manifest
	for _, r := range out.objs {
		if isArgoKind(r.Object, "Application") || isArgoKind(r.Object, "ApplicationSet") {
			children = append(children, manifest{File: r.File, Line: r.Line, Obj: r.Object})
			if r.Source < len(out.sources) && out.sources[r.Source].Served {
				d.inv.Files = append(d.inv.Files, r.File)
			}
		}
	}
	slices.SortStableFunc(children, func(x, y manifest) int { return manifestWave(x) - manifestWave(y) })
	for _, c := range children {
		d.expandManifest(ctx, c, "Application/"+name, append(slices.Clone(ancestors), name), app.Order)
	}
}

// mayHoldApps reports whether app may render Applications: a source read
// from another repository or revision may, and one read from the served
// tree may when a file under its path mentions an Application.
func (d *discovery) mayHoldApps(ctx context.Context, app *App) bool {
	rd := d.inv.reader
	for _, s := range app.Spec.AllSources() {
		if s.Chart != "" || s.Ref != "" && s.Path == "" {
			continue
		}
		if !rd.isServedURL(s.RepoURL) || !rd.isServedRevision(s.TargetRevision) {
			// Fetching the tree counts against a render's deadline.
			fctx, cancel := context.WithTimeout(ctx, d.p.Limits.WithDefaults().RenderTimeout)
			found := rd.mentionsApps(fctx, s.RepoURL, s.TargetRevision, s.Path)
			cancel()
			if found {
				return true
			}
			continue
		}
		if d.servedPathHoldsApps(s.Path) {
			return true
		}
	}
	return false
}

// servedPathHoldsApps reports whether a file under dir in the served tree
// mentions an Application.
func (d *discovery) servedPathHoldsApps(dir string) bool {
	found, ok := d.holdsApps[dir]
	if ok {
		return found
	}
	root := strings.Trim(path.Clean(dir), "/")
	for _, f := range d.argoFiles {
		// pathUnder(f, dir), with dir cleaned once
		if found = root == "." || root == "" || f == root || strings.HasPrefix(f, root) && len(f) > len(root) && f[len(root)] == '/'; found {
			break
		}
	}
	if d.holdsApps == nil {
		d.holdsApps = map[string]bool{}
	}
	d.holdsApps[dir] = found
	return found
}

func manifestWave(m manifest) int {
	w, _ := strconv.Atoi(strings.TrimSpace(m.Obj.GetAnnotations()[AnnotationSyncWave]))
	return w
}

func (d *discovery) fail(err error) { d.inv.Errors = append(d.inv.Errors, err) }

func uniqueSorted(s []string) []string {
	slices.Sort(s)
	return slices.Compact(s)
}
