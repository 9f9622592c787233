package planner

import (
	"context"
	"encoding/json"
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

// Report is what a change between two revisions does, app by app.
type Report struct {
	Base string    `json:"base"`
	Head string    `json:"head"`
	Apps []AppDiff `json:"apps"`
	// Sources are the other repositories, revisions and charts the apps
	// read, each once, as resolved for this report: what a header shows
	// beside Head.
	Sources []SourceRevision `json:"sources,omitempty"`
	// Errors are problems at the head revision not tied to one app (a bad
	// ApplicationSet, an unreadable file).
	Errors []string `json:"errors,omitempty"`
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
// once for both sides, so that both see it at the same commit.
func (p *Planner) DiffRevisions(ctx context.Context, base, head Source, opts DiffOptions) (*Report, error) {
	var invBase, invHead *Inventory
	rdBase, rdHead := newSourceReader(base), newSourceReader(head)
	if sameRepositories(base.Repositories, head.Repositories) {
		rdBase.memo = rdHead.memo
	}
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) { invBase, err = p.discover(gctx, rdBase, base); return err })
	g.Go(func() (err error) { invHead, err = p.discover(gctx, rdHead, head); return err })
	if err := g.Wait(); err != nil {
		return nil, err
	}
	rep := &Report{Base: base.Revision, Head: head.Revision}
	pairs := pairApps(invBase, invHead, opts)
	appErrs := rep.headErrors(invHead, opts)
	results := make([]AppDiff, len(pairs))
	deps := newDependencyIndex(head.Repo, head.RepoURL)
	g, gctx = errgroup.WithContext(ctx)
	g.SetLimit(cmp0(opts.Concurrency, runtime.GOMAXPROCS(0)))
	for i, pr := range pairs {
		g.Go(func() error {
			results[i] = p.diffPair(gctx, invBase, invHead, base, head, pr, opts.Changed, deps)
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

// appPair is one app key with its app at each revision; either may be nil.
type appPair struct {
	key           AppKey
	before, after *App
}

func pairApps(base, head *Inventory, opts DiffOptions) []appPair {
	idx := map[AppKey]*appPair{}
	var keys []AppKey
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

func keep(a *App, opts DiffOptions) bool {
	return (len(opts.Apps) == 0 || slices.Contains(opts.Apps, a.Name)) &&
		(len(opts.Clusters) == 0 || slices.Contains(opts.Clusters, a.Cluster.Name))
}

// diffPair renders one app at both revisions when the change affects it.
// An unaffected app gives an AppDiff with no Status, which the report
// leaves out.
func (p *Planner) diffPair(ctx context.Context, invBase, invHead *Inventory, base, head Source, pr appPair, changed []string, deps *dependencyIndex) AppDiff {
	d := AppDiff{App: pr.key, Before: pr.before, After: pr.after}
	// With the same Application at both revisions, every file its
	// dependencies pass through is unchanged or changed; a changed one lies
	// under a head dependency, so the head side alone decides.
	if pr.before != nil && pr.after != nil && changed != nil && sameApp(pr.before, pr.after) &&
		!Touches(deps.Dependencies(pr.after), changed) {
		return d
	}
	var before, after []*Object
	if pr.after != nil {
		plan, err := p.Plan(ctx, invHead, head.Repo, pr.after)
		if err != nil {
			d.Status, d.Error = AppError, err.Error()
			return d
		}
		after, d.Sources = plan.Objects, plan.Sources
	}
	if pr.before != nil {
		plan, err := p.Plan(ctx, invBase, base.Repo, pr.before)
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

// sameApp reports whether an app's definition is the same at both
// revisions.
func sameApp(a, b *App) bool {
	ja, errA := json.Marshal(struct {
		S ApplicationSpec
		C Cluster
		W int
	}{a.Spec, a.Cluster, a.Wave})
	jb, errB := json.Marshal(struct {
		S ApplicationSpec
		C Cluster
		W int
	}{b.Spec, b.Cluster, b.Wave})
	return errA == nil && errB == nil && string(ja) == string(jb)
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
