package reconcile

import (
	"context"
	"fmt"
	"runtime"

	"golang.org/x/sync/errgroup"

	"github.com/gitwave/gitwave/applier"
	"github.com/gitwave/gitwave/planner"
)

// LiveDiffOptions limits a live diff. The zero value diffs every app
// against its cluster and shows every live object the apps render: what
// no AppProject restricting an app means.
type LiveDiffOptions struct {
	// Skip says why an app may not be diffed against its live cluster (it
	// fails the policy or its project's checks), "" when it may; nil diffs
	// every app. A skipped app keeps its render diff, with the reason as
	// its note.
	Skip func(app *planner.App) string
	// MayRead reports whether app's diff may show a live object that app
	// does not own (see applier.DiffOptions.MayRead; key.Namespace is ""
	// for a cluster-scoped object); nil allows every object.
	MayRead func(app *planner.App, key planner.ResourceKey) bool
}

// LiveDiff replaces the render diff of every app in rep that exists at the
// head revision, and that opts does not skip, with a diff against its live
// cluster, made by server-side dry-run apply. An app whose cluster is not
// configured or cannot be reached keeps its render diff, with a note
// saying why. Removed apps and apps that failed to render are left as they
// are. The objects come from rep.HeadRevision: the plans the render diff
// made are not made again.
func (r *Reconciler) LiveDiff(ctx context.Context, rep *planner.Report, opts LiveDiffOptions) {
	r.liveDiff(ctx, rep, opts)
}

// liveDiff does LiveDiff and returns, per app, why its diff is not live
// ("" when it is).
func (r *Reconciler) liveDiff(ctx context.Context, rep *planner.Report, opts LiveDiffOptions) []string {
	live := make([]string, len(rep.Apps))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0) * 2)
	for i := range rep.Apps {
		d := &rep.Apps[i]
		if d.After == nil || d.Status == planner.AppError {
			continue
		}
		if opts.Skip != nil {
			if why := opts.Skip(d.After); why != "" {
				live[i] = r.fallBack(d, "not diffed against the live cluster: "+why)
				continue
			}
		}
		g.Go(func() error {
			live[i] = r.liveDiffOne(gctx, d, rep.HeadRevision, opts)
			return nil
		})
	}
	_ = g.Wait()
	return live
}

func (r *Reconciler) liveDiffOne(ctx context.Context, d *planner.AppDiff, head *planner.Revision, opts LiveDiffOptions) string {
	m := r.manager(d.App.Cluster)
	if m == nil {
		return r.fallBack(d, fmt.Sprintf("cluster %s is not configured in gitwave", d.App.Cluster))
	}
	plan, err := head.Plan(ctx, d.After)
	if err != nil {
		d.Status, d.Error = planner.AppError, err.Error()
		return err.Error()
	}
	d.Sources = plan.Sources
	var do applier.DiffOptions
	if opts.MayRead != nil {
		do.MayRead = func(key planner.ResourceKey) bool { return opts.MayRead(d.After, key) }
	}
	live, err := m.Diff(ctx, d.After, plan.Objects, do)
	if err != nil {
		return r.fallBack(d, fmt.Sprintf("cluster %s cannot be reached: %v", d.App.Cluster, err))
	}
	d.Changes, d.Note = live.Changes, live.Note
	if d.Status != planner.AppAdded {
		d.Status = planner.SummarizeStatus(live.Changes)
	}
	return ""
}

// fallBack keeps an app's render diff and says why.
func (r *Reconciler) fallBack(d *planner.AppDiff, reason string) string {
	d.Note = reason + "; the diff shown is against the base branch"
	return reason
}

// LiveReport diffs apps of a revision against their live clusters: what a
// sync of that revision would change now. Plans head already holds are
// not made again, and those made here stay in head for a sync after.
func (r *Reconciler) LiveReport(ctx context.Context, head *planner.Revision, apps []*planner.App) *planner.Report {
	rep := &planner.Report{Base: "live", Head: head.Source.Revision, HeadRevision: head}
	for _, a := range apps {
		rep.Apps = append(rep.Apps, planner.AppDiff{App: a.Key(), Status: planner.AppChanged, After: a})
	}
	for _, e := range head.Inventory.Errors {
		rep.Errors = append(rep.Errors, e.Error())
	}
	reasons := r.liveDiff(ctx, rep, LiveDiffOptions{})
	rep.CollectSources()
	for i := range rep.Apps {
		if reasons[i] != "" {
			// With no base to fall back on, a cluster that cannot be
			// diffed is an error for its apps.
			rep.Apps[i].Status, rep.Apps[i].Error, rep.Apps[i].Note = planner.AppError, reasons[i], ""
		}
	}
	return rep
}
