package reconcile

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/gitwave/gitwave/applier"
	"github.com/gitwave/gitwave/planner"
	"github.com/gitwave/gitwave/store"
)

// removeGone finishes every app × cluster the loop knew for the repository
// that the default branch no longer produces, through RemoveApp when it is
// set and Remove otherwise. It does nothing on a pass that only observes,
// while the repository cannot be fetched, or when the head did not discover
// cleanly: an app missing from a broken render is not a removed app.
func (r *Reconciler) removeGone(ctx context.Context, d Desired, prev []store.AppStatus, targets []*target) []string {
	if d.Observe || !d.UnreachableSince.IsZero() || d.Inv == nil || len(d.Inv.Errors) > 0 {
		return nil
	}
	produced := map[planner.AppKey]bool{}
	for _, t := range targets {
		produced[t.app.Key()] = true
	}
	var removed []string
	for _, p := range prev {
		key := planner.AppKey{App: p.App, Cluster: p.Cluster}
		if produced[key] {
			continue
		}
		if err := r.removeOne(ctx, d, key, p.DeployedRevision); err != nil {
			slog.Error("remove app no longer in the repository", "app", key.String(), "repo", d.Repo, "error", err)
			continue
		}
		if err := r.Status.DeleteAppStatus(ctx, d.Repo, p.App, p.Cluster); err != nil {
			slog.Error("forget status of a removed app", "app", key.String(), "error", err)
			continue
		}
		removed = append(removed, key.String())
	}
	return removed
}

// removeOne removes one app × cluster. Its Application is read at the last
// revision deployed there, so its finalizers (and those of the apps above it
// in an app of apps) decide between deleting and orphaning its objects. An
// app never deployed there owns nothing; it is only forgotten.
func (r *Reconciler) removeOne(ctx context.Context, d Desired, key planner.AppKey, deployed string) error {
	app, base := r.removedApp(ctx, key, deployed)
	if r.RemoveApp != nil {
		return r.RemoveApp(ctx, app, deployed)
	}
	if deployed == "" {
		return nil
	}
	finalizer, orphanedBy := RemovalFinalizer(app, base, d.Inv)
	res, err := r.Remove(ctx, RemovedApp{App: key.App, Cluster: key.Cluster, Finalizer: finalizer, Revision: d.Head.Revision})
	if err != nil {
		return err
	}
	slog.Info("app no longer in the repository", "app", key.String(), "repo", d.Repo, "phase", res.Phase,
		"deleted", res.Deleted, "kept", res.Kept, "orphaned", res.Orphaned, "orphanedBy", orphanedBy, "alreadyDone", res.AlreadyDone)
	if res.Phase != "" && res.Phase != applier.SyncDeleted && res.Phase != applier.SyncOrphaned {
		return fmt.Errorf("removal ended %s: %s", res.Phase, res.Message)
	}
	return nil
}

// removedApp is the Application of key as its last deployed revision had
// it, with that revision's inventory, or only its name and cluster (and a
// nil inventory) when that revision cannot be read.
func (r *Reconciler) removedApp(ctx context.Context, key planner.AppKey, rev string) (*planner.App, *planner.Inventory) {
	if rev != "" && r.Source != nil {
		if ia, err := r.at(ctx, rev); err == nil {
			if a := ia.inv.App(key); a != nil {
				return a, ia.inv
			}
		}
	}
	return &planner.App{Name: key.App, Cluster: planner.Cluster{Name: key.Cluster}}, nil
}
