package planner

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"slices"
	"strings"

	"golang.org/x/sync/errgroup"
)

// DiffOptions narrows a diff between two revisions. The zero value diffs
// every app.
type DiffOptions struct {
	// Changed are the repository files the change touches. When set, only
	// apps that depend on one of them, or whose Application changed, are
	// rendered; nil renders every app on both sides.
	Changed []string
	// Apps keeps only apps with these names; empty keeps all.
	Apps []string
	// Clusters keeps only apps on these clusters; empty keeps all.
	Clusters []string
	// Concurrency bounds parallel rendering; 0 means GOMAXPROCS.
	Concurrency int
}

// Report is what a change between two revisions does, app by app. It is
// not encoded as it is: `gitwave diff -o json` writes its own documented
// shape (cmd/gitwave), so the fields carry no JSON tags.
type Report struct {
	Base string
	Head string
	Apps []AppDiff
	// Sources are the other repositories, revisions and charts the apps
	// read, each once, as resolved for this report: what a header shows
	// beside Head.
	Sources []SourceRevision
	// Errors are problems at the head revision not tied to one app (a bad
	// ApplicationSet, an unreadable file).
	Errors []string

	// BaseRevision and HeadRevision are the two revisions as DiffRevisions
	// discovered and planned them, for the steps of the job after the
	// diff (policy, AppProjects, live diff, sync), which use them instead
	// of discovering and rendering again. A report made otherwise may
	// leave BaseRevision nil; LiveReport sets only HeadRevision.
	BaseRevision, HeadRevision *Revision
}

// HasChanges reports whether any app is added, removed or changed.
func (r *Report) HasChanges() bool {
	for _, a := range r.Apps {
		if a.Status != AppUnchanged && a.Status != AppError {
			return true
		}
	}
	return false
}

// SourcesLine renders Sources for a report header: "sources:
// https://github.com/org/k8s-apps.git@v1.2.0 (3f2a9c1), …", or "" when
// every app read only the served repository.
func (r *Report) SourcesLine() string {
	if len(r.Sources) == 0 {
		return ""
	}
	return "sources: " + OtherSources(r.Sources)
}

// CollectSources sets Sources from the apps' own: call it after adding or
// dropping apps, so that the header names only what the apps shown read.
func (r *Report) CollectSources() {
	var revs []SourceRevision
	for _, a := range r.Apps {
		revs = append(revs, a.Sources...)
	}
	r.Sources = foreignRevisions(revs)
}

// HasErrors reports whether anything failed to render or expand.
func (r *Report) HasErrors() bool {
	if len(r.Errors) > 0 {
		return true
	}
	for _, a := range r.Apps {
		if a.Status == AppError {
			return true
		}
	}
	return false
}

// DiffRevisions compares what two revisions of a repository deploy. When
// both share their Repositories, each other repository and chart is read
// once for both sides, so that both see it at the same commit. The report
// keeps both revisions, discovered once, with the plans the diff made.
func (p *Planner) DiffRevisions(ctx context.Context, base, head Source, opts DiffOptions) (*Report, error) {
	revBase, revHead, err := p.discoverPair(ctx, base, head)
	if err != nil {
		return nil, err
	}
	return p.Diff(ctx, revBase, revHead, opts)
}

// Diff compares two revisions already discovered (DiscoverRevision): what
// DiffRevisions does after discovering them. Each app is planned through
// its Revision, so the plans stay with the report.
func (p *Planner) Diff(ctx context.Context, base, head *Revision, opts DiffOptions) (*Report, error) {
	rep := &Report{Base: base.Source.Revision, Head: head.Source.Revision, BaseRevision: base, HeadRevision: head}
	opts.Changed = cleanPaths(opts.Changed) // "./apps/x.yaml" from a command line names apps/x.yaml
	pairs := pairApps(base.Inventory, head.Inventory, opts)
	appErrs := rep.headErrors(head.Inventory, opts)
	results := make([]AppDiff, len(pairs))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(cmp0(opts.Concurrency, runtime.GOMAXPROCS(0)))
	skip := untouchedPairs(base, head, pairs, opts.Changed)
	for i, pr := range pairs {
		if skip[i] {
			continue // no Status: the report leaves it out
		}
		g.Go(func() error {
			results[i] = diffPair(gctx, base, head, pr, opts.Changed)
			return gctx.Err()
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for _, r := range results {
		if r.Status != "" {
			rep.Apps = append(rep.Apps, r)
		}
	}
	rep.CollectSources()
	rep.Apps = append(rep.Apps, appErrs...)
	slices.SortStableFunc(rep.Apps, func(a, b AppDiff) int {
		return strings.Compare(a.App.String(), b.App.String())
	})
	return rep, nil
}

// Dependencies are the repository paths the app of d reads (see
// Dependencies): at the head revision, or at the base one for a removed
// app; the repository root when the report holds no such revision.
func (r *Report) Dependencies(d *AppDiff) []string {
	switch {
	case d.After != nil && r.HeadRevision != nil:
		return r.HeadRevision.Dependencies(d.After)
	case d.After == nil && d.Before != nil && r.BaseRevision != nil:
		return r.BaseRevision.Dependencies(d.Before)
	}
	return []string{"."}
}

// FilesRead returns the files among changed that the app of d reads (at
// the head, or at the base for a removed app), or all of changed when it
// reads none of them: what a policy asks about for that app.
func (r *Report) FilesRead(d *AppDiff, changed []string) []string {
	var read []string
	if d.After != nil || d.Before != nil {
		deps := r.Dependencies(d)
		for _, f := range changed {
			if Touches(deps, []string{f}) {
				read = append(read, f)
			}
		}
	}
	if len(read) == 0 {
		return changed
	}
	return read
}

// appPair is one app key with its app at each revision; either may be nil.
type appPair struct {
	key           AppKey
	before, after *App
}

func pairApps(base, head *Inventory, opts DiffOptions) []appPair {
	if sameApps(base.Apps, head.Apps) {
		out := make([]appPair, 0, len(head.Apps))
		for _, a := range head.Apps {
			if keep(a, opts) {
				out = append(out, appPair{key: a.Key(), before: a, after: a})
			}
		}
		return out
	}
	idx := make(map[AppKey]*appPair, len(head.Apps))
	keys := make([]AppKey, 0, len(head.Apps))
	add := func(a *App, after bool) {
		if !keep(a, opts) {
			return
		}
		pr, ok := idx[a.Key()]
		if !ok {
			pr = &appPair{key: a.Key()}
			idx[a.Key()] = pr
			keys = append(keys, a.Key())
		}
		if after {
			pr.after = a
		} else {
			pr.before = a
		}
	}
	for _, a := range base.Apps {
		add(a, false)
	}
	for _, a := range head.Apps {
		add(a, true)
	}
	out := make([]appPair, len(keys))
	for i, k := range keys {
		out[i] = *idx[k]
	}
	return out
}

// sameApps reports whether a and b are one list of apps, as the
// inventories of two commits are when the change between them touched
// nothing discovery reads (see inventoryCache.unchanged).
func sameApps(a, b []*App) bool {
	return len(a) == len(b) && len(a) > 0 && &a[0] == &b[0]
}

func keep(a *App, opts DiffOptions) bool {
	return (len(opts.Apps) == 0 || slices.Contains(opts.Apps, a.Name)) &&
		(len(opts.Clusters) == 0 || slices.Contains(opts.Clusters, a.Cluster.Name))
}

// untouchedPairs reports, without rendering or reading files, which of
// pairs the change leaves alone: the same Application at both revisions
// whose dependencies, as the base revision's index knows them, the change
// does not touch. It is the cheap half of diffPair's test, run for every
// app before any render starts; false means diffPair decides.
func untouchedPairs(base, head *Revision, pairs []appPair, changed []string) []bool {
	out := make([]bool, len(pairs))
	if changed == nil {
		return out
	}
	same := make([]bool, len(pairs))
	sameClusters := map[string]bool{}
	for i, pr := range pairs {
		same[i] = sameAtBoth(pr, sameClusters)
	}
	carryDependencies(base, head, pairs, same, changed, out)
	return out
}

// sameAtBoth reports whether pr holds the same Application at both
// revisions as far as its rendering goes: one App (two inventories that
// share their apps), or two with the same wave, cluster and spec.
//
// sameClusters remembers, by cluster name and servers, whether the cluster
// is the same at both revisions: within one inventory every app on a
// cluster holds that cluster's one definition (a name and a server name
// one: the in-cluster placeholder takes a name only when no configured
// cluster has its server), so one comparison a cluster does.
func sameAtBoth(pr appPair, sameClusters map[string]bool) bool {
	if pr.before == nil || pr.after == nil {
		return false
	}
	if pr.before == pr.after {
		return true
	}
	if pr.before.Wave != pr.after.Wave || pr.before.Cluster.Name != pr.after.Cluster.Name {
		return false
	}
	key := pr.after.Cluster.Name + "\x00" + pr.before.Cluster.Server + "\x00" + pr.after.Cluster.Server
	same, ok := sameClusters[key]
	if !ok {
		same = sameCluster(&pr.before.Cluster, &pr.after.Cluster)
		sameClusters[key] = same
	}
	return same && sharedSpec(&pr.before.Spec, &pr.after.Spec)
}

// diffPair renders one app at both revisions when the change affects it.
// An unaffected app gives an AppDiff with no Status, which the report
// leaves out.
func diffPair(ctx context.Context, base, head *Revision, pr appPair, changed []string) AppDiff {
	d := AppDiff{App: pr.key, Before: pr.before, After: pr.after}
	// With the same Application at both revisions, every file its
	// dependencies pass through is unchanged or changed; a changed one lies
	// under a head dependency, so the head side alone decides.
	if pr.before != nil && pr.after != nil && changed != nil && sameApp(pr.before, pr.after) &&
		!Touches(head.Dependencies(pr.after), changed) {
		return d
	}
	var before, after []*Object
	if pr.after != nil {
		plan, err := head.Plan(ctx, pr.after)
		if err != nil {
			d.Status, d.Error = AppError, err.Error()
			return d
		}
		after, d.Sources = plan.Objects, plan.Sources
	}
	if pr.before != nil {
		plan, err := base.Plan(ctx, pr.before)
		if err != nil {
			d.Note = "the base revision does not render (" + err.Error() + "); every object is shown as added"
		} else {
			before = plan.Objects
			if pr.after == nil {
				d.Sources = plan.Sources
			}
		}
	}
	changes, err := DiffObjects(before, after)
	if err != nil {
		d.Status, d.Error = AppError, fmt.Sprintf("app %s on cluster %s: %v", pr.key.App, pr.key.Cluster, err)
		return d
	}
	d.Changes = changes
	switch {
	case pr.before == nil:
		d.Status = AppAdded
	case pr.after == nil:
		d.Status = AppRemoved
	default:
		d.Status = SummarizeStatus(changes)
	}
	return d
}

// headErrors turns the head revision's discovery errors into error entries:
// one per app where the error names one, the rest into r.Errors.
func (r *Report) headErrors(inv *Inventory, opts DiffOptions) []AppDiff {
	var out []AppDiff
	for _, err := range inv.Errors {
		var re *RenderError
		if errors.As(err, &re) && re.App != "" {
			a := &App{Name: re.App, Cluster: Cluster{Name: re.Cluster}}
			if len(opts.Apps) == 0 || keep(a, opts) {
				out = append(out, AppDiff{App: a.Key(), Status: AppError, Error: err.Error()})
			}
			continue
		}
		r.Errors = append(r.Errors, err.Error())
	}
	return out
}

// sameRepositories reports whether a and b are the same Repositories; a
// dynamic type that cannot be compared counts as different.
func sameRepositories(a, b Repositories) bool {
	if a == nil || b == nil || !reflect.TypeOf(a).Comparable() || !reflect.TypeOf(b).Comparable() {
		return false
	}
	return a == b
}

func cmp0(v, def int) int {
	if v > 0 {
		return v
	}
	return def
}
