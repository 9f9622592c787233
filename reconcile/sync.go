package reconcile

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/gitwave/gitwave/applier"
	"github.com/gitwave/gitwave/planner"
	"github.com/gitwave/gitwave/store"
)

// SyncOptions says how apps are synced. The zero value syncs for real,
// prunes where the app's automated policy says so, and reports nothing.
type SyncOptions struct {
	// Prune prunes every app; otherwise an app prunes when its automated
	// sync policy has prune.
	Prune bool
	// DryRun applies nothing.
	DryRun bool
	// Trigger and Initiator are recorded with each sync.
	Trigger, Initiator string
	// Automated marks an automated sync (the reconcile loop, a merge
	// deploy, self-heal); triggers merge and selfheal are automated
	// whatever it says. An automated sync of an app whose automated policy
	// lacks allowEmpty is refused when it renders no objects and would
	// prune what the app owns, as Argo CD refuses it. A manual sync
	// (/sync, gitwave sync, /rollback) of an empty app is not refused,
	// also as in Argo CD.
	Automated bool
	// Progress receives every sync event.
	Progress func(applier.Event)
	// Resume continues the Running syncs a stopped worker left for the
	// same work (applier.SyncRequest.Resume).
	Resume bool
	// StatusRepo, when set, is the repository the loop keeps these apps'
	// statuses under (Desired.Repo): each app's status turns Running as
	// its sync starts, and the Observer hears it (markStarted). The loop
	// leaves it empty: it marks its own syncs.
	StatusRepo string
}

// automated reports whether the sync is an automated one.
func (o SyncOptions) automated() bool {
	return o.Automated || strings.EqualFold(o.Trigger, store.TriggerMerge) || strings.EqualFold(o.Trigger, store.TriggerSelfHeal)
}

// AppResult is the outcome of syncing one app on one cluster.
type AppResult struct {
	App *planner.App
	// Result is nil when the sync never started.
	Result *applier.Result
	// Err says why the sync failed or did not start; nil on success.
	Err error
	// Skipped is true for apps not synced because an app of an earlier
	// wave failed.
	Skipped bool
}

// Sync syncs apps from one revision in app-of-apps wave order: apps with
// the same wave path (planner.App.Order) sync together, every cluster in
// parallel, and the next group starts only when the previous one succeeded
// everywhere. Apps after a failed group are reported as skipped. An app its
// AppProject refuses applies nothing and fails with a
// *planner.ProjectError.
func (r *Reconciler) Sync(ctx context.Context, src planner.Source, inv *planner.Inventory, apps []*planner.App, opts SyncOptions) []AppResult {
	return r.SyncRevision(ctx, r.Planner.NewRevision(src, inv), apps, opts)
}

// SyncRevision is Sync for apps of a revision a job already planned
// (planner.Report.HeadRevision): plans it holds are not made again.
func (r *Reconciler) SyncRevision(ctx context.Context, rev *planner.Revision, apps []*planner.App, opts SyncOptions) []AppResult {
	projs := r.projects(ctx, rev.Source)
	sorted := slices.Clone(apps)
	slices.SortStableFunc(sorted, planner.CompareAppOrder)
	var out []AppResult
	failed := false
	for start := 0; start < len(sorted); {
		end := start + 1
		for end < len(sorted) && planner.CompareAppOrder(sorted[start], sorted[end]) == 0 {
			end++
		}
		group := sorted[start:end]
		start = end
		if failed {
			for _, a := range group {
				out = append(out, AppResult{App: a, Skipped: true, Err: fmt.Errorf("not synced: an app of an earlier wave failed")})
			}
			continue
		}
		results := r.syncGroup(ctx, rev, group, projs, opts)
		for _, res := range results {
			if res.Err != nil {
				failed = true
			}
		}
		out = append(out, results...)
	}
	return out
}

// syncGroup plans and syncs apps of one wave in parallel.
func (r *Reconciler) syncGroup(ctx context.Context, rev *planner.Revision, group []*planner.App, projs trustedProjects, opts SyncOptions) []AppResult {
	results := make([]AppResult, len(group))
	var reqs []applier.SyncRequest
	var idx []int
	for i, a := range group {
		results[i].App = a
		if err := projs.admitApp(a); err != nil {
			results[i].Err = err
			continue
		}
		plan, err := rev.Plan(ctx, a)
		if err == nil {
			err = r.admitObjects(ctx, projs, a, plan.Objects)
		}
		if err != nil {
			results[i].Err = err
			continue
		}
		if len(plan.Objects) == 0 && rev.Inventory.HoldsApps(a) {
			continue // an app of apps deploys its children, which are apps themselves
		}
		prune := opts.Prune
		au := a.Automated()
		if au != nil && au.Prune {
			prune = true
		}
		reqs = append(reqs, applier.SyncRequest{App: a, Objects: plan.Objects, Revision: rev.Source.Revision, Sources: planner.OtherSources(plan.Sources),
			Trigger: opts.Trigger, Initiator: opts.Initiator, Prune: prune, DryRun: opts.DryRun, Resume: opts.Resume,
			RefuseEmpty: opts.automated() && au != nil && !au.AllowEmpty})
		idx = append(idx, i)
	}
	if len(reqs) == 0 {
		return results
	}
	if r.Fleet == nil {
		for _, i := range idx {
			results[i].Err = fmt.Errorf("sync %s: no cluster is configured", group[i].Name)
		}
		return results
	}
	if opts.StatusRepo != "" && !opts.DryRun && r.Status != nil {
		started := make([]*planner.App, len(reqs))
		for j, req := range reqs {
			started[j] = req.App
		}
		r.markStarted(ctx, opts.StatusRepo, started)
	}
	for j, fr := range r.Fleet.SyncAll(ctx, reqs, opts.Progress) {
		results[idx[j]].Result, results[idx[j]].Err = fr.Result, fr.Err
	}
	return results
}
