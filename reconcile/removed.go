package reconcile

import (
	"context"
	"log/slog"

	"github.com/gitwave/gitwave/planner"
	"github.com/gitwave/gitwave/store"
)

// removeGone hands to RemoveApp every app × cluster the loop knew for the
// repository that the default branch no longer produces, and forgets its
// status once it is removed. Nothing is removed while the repository
// cannot be fetched, or when the head did not discover cleanly (an
// ApplicationSet that fails to expand must not read as its apps deleted).
func (r *Reconciler) removeGone(ctx context.Context, d Desired, prev []store.AppStatus, targets []*target) []string {
	if d.Observe || !d.UnreachableSince.IsZero() || len(d.Inv.Errors) > 0 {
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
		if r.RemoveApp == nil {
			slog.Warn("app no longer in the repository; removal is not wired", "app", key.String(), "repo", d.Repo)
			continue
		}
		app := r.removedApp(ctx, key, p.DeployedRevision)
		if err := r.RemoveApp(ctx, app, p.DeployedRevision); err != nil {
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

// removedApp is the Application of key as its last deployed revision had
// it (its finalizers say whether its objects go), or only its name and
// cluster when that revision cannot be read.
func (r *Reconciler) removedApp(ctx context.Context, key planner.AppKey, rev string) *planner.App {
	if rev != "" && r.Source != nil {
		if ia, err := r.at(ctx, rev); err == nil {
			if a := findApp(ia.inv, key); a != nil {
				return a
			}
		}
	}
	return &planner.App{Name: key.App, Cluster: planner.Cluster{Name: key.Cluster}}
}
