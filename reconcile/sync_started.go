package reconcile

import (
	"context"
	"log/slog"

	"github.com/gitwave/gitwave/applier"
	"github.com/gitwave/gitwave/planner"
	"github.com/gitwave/gitwave/store"
)

// markStarted saves the status of each of apps, kept under repo, as
// Running as its sync starts, and tells the Observer: what markRunning
// does for the loop's own syncs, for a sync started elsewhere (a merge
// deploy, /sync, /rollback), so that on-sync-running is sent for it as
// Argo CD sends it for every operation. An app the loop has not seen yet
// starts OutOfSync and Missing, as its first pass would find it. The
// loop's next pass, queued behind every deploy, saves how the sync ended.
// A status that cannot be saved is logged: it never holds a deploy back.
func (r *Reconciler) markStarted(ctx context.Context, repo string, apps []*planner.App) {
	sts, err := r.Status.AppStatuses(ctx, store.AppStatusFilter{Repo: repo})
	if err != nil {
		slog.Warn("read statuses before a sync", "repo", repo, "error", err)
		return
	}
	prev := make(map[planner.AppKey]store.AppStatus, len(sts))
	for _, st := range sts {
		prev[planner.AppKey{App: st.App, Cluster: st.Cluster}] = st
	}
	now := r.now()
	for _, a := range apps {
		p, seen := prev[a.Key()]
		running := p
		if !seen {
			running = store.AppStatus{Repo: repo, App: a.Name, Cluster: a.Cluster.Name, Project: a.Project,
				Sync: store.SyncOutOfSync, Health: string(applier.Missing)}
		}
		running.LastSync = store.LastSync{Result: store.PhaseRunning, StartedAt: now}
		if err := r.saveStatus(ctx, a, p, running, seen); err != nil {
			slog.Warn("save the status of a starting sync", "app", a.Key().String(), "repo", repo, "error", err)
		}
	}
}
