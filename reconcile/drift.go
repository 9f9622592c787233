package reconcile

import (
	"context"
	"errors"
	"fmt"
	"runtime"

	"golang.org/x/sync/errgroup"

	"github.com/gitwave/gitwave/planner"
	"github.com/gitwave/gitwave/store"
)

// DriftResult is one app's drift check.
type DriftResult struct {
	App *planner.App
	// Revision is what the app was last deployed from, or its rollback pin.
	Revision string
	// Pinned is true when Revision comes from a rollback pin.
	Pinned bool
	// Drifted is true when the live objects differ from the revision.
	Drifted bool
	// Changes are what a sync would change back.
	Changes []planner.Change
	// Heal is the self-heal sync, when one ran.
	Heal *AppResult
	// Skipped says why an app was not checked ("never deployed").
	Skipped string
	// Err is a failure to check (an unreachable cluster).
	Err error
}

// DriftOptions says what Drift does besides looking.
type DriftOptions struct {
	// Heal syncs drifted apps whose automated policy has selfHeal, and
	// pinned apps, back to their revision.
	Heal bool
	// Sync is passed to the healing syncs; Trigger defaults to "selfheal".
	Sync SyncOptions
}

// Drift compares every app, at the revision it was deployed from (or its
// rollback pin), with its live cluster, and heals what drifted where the
// app asks for it. Apps never deployed by gitwave are skipped.
func (r *Reconciler) Drift(ctx context.Context, apps []*planner.App, opts DriftOptions) []DriftResult {
	out := make([]DriftResult, len(apps))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0) * 2)
	for i, a := range apps {
		g.Go(func() error {
			out[i] = r.driftOne(ctx, a, opts)
			return nil
		})
	}
	_ = g.Wait()
	return out
}

func (r *Reconciler) driftOne(ctx context.Context, a *planner.App, opts DriftOptions) DriftResult {
	res := DriftResult{App: a}
	m := r.manager(a.Cluster.Name)
	if m == nil {
		res.Skipped = "cluster not configured"
		return res
	}
	rev, pinned, err := r.deployedRevision(ctx, a)
	if errors.Is(err, store.ErrNotFound) {
		res.Skipped = "never deployed by gitwave"
		return res
	}
	if err != nil {
		res.Err = err
		return res
	}
	res.Revision, res.Pinned = rev, pinned
	ia, err := r.at(ctx, rev)
	if err != nil {
		res.Err = fmt.Errorf("read revision %s: %w", rev, err)
		return res
	}
	deployed := ia.inv.App(a.Key())
	if deployed == nil {
		res.Skipped = "not in the deployed revision"
		return res
	}
	// The heal applies the plan the drift check made.
	at := r.Planner.NewRevision(ia.src, ia.inv)
	plan, err := at.Plan(ctx, deployed)
	if err != nil {
		res.Err = err
		return res
	}
	res.Drifted, res.Changes, res.Err = m.Drift(ctx, deployed, plan.Objects)
	if res.Err != nil || !res.Drifted || !opts.Heal {
		return res
	}
	if au := deployed.Automated(); !pinned && (au == nil || !au.SelfHeal) {
		return res
	}
	so := opts.Sync
	if so.Trigger == "" {
		so.Trigger = "selfheal"
	}
	heal := r.SyncRevision(ctx, at, []*planner.App{deployed}, so)
	res.Heal = &heal[0]
	return res
}

// deployedRevision is the app's rollback pin on its cluster, or the
// revision of its last successful sync.
func (r *Reconciler) deployedRevision(ctx context.Context, a *planner.App) (string, bool, error) {
	if r.History == nil {
		return "", false, store.ErrNotFound
	}
	pins, err := r.History.Pins(ctx, a.Name)
	if err != nil {
		return "", false, err
	}
	for _, p := range pins {
		if p.Cluster == a.Cluster.Name || p.Cluster == "" {
			return p.Revision, true, nil
		}
	}
	rec, err := r.History.LastSucceeded(ctx, a.Name, a.Cluster.Name, 0)
	if err != nil {
		return "", false, err
	}
	return rec.Revision, false, nil
}
