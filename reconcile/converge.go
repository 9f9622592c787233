package reconcile

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/gitwave/gitwave/applier"
	"github.com/gitwave/gitwave/planner"
	"github.com/gitwave/gitwave/store"
)

// Desired is the state a served repository asks for: its default branch's
// head with the apps it produces.
type Desired struct {
	// Repo names the served repository; statuses are kept under it.
	Repo string
	// Head is the default branch's head, or the last one read while the
	// repository cannot be fetched; Inv its apps. Inv is nil when the
	// repository was never read: then the loop only marks its known apps
	// Unknown.
	Head planner.Source
	Inv  *planner.Inventory
	// UnreachableSince is when fetching the repository started to fail;
	// zero when it was fetched. The loop keeps healing at Head and marks
	// every app Unknown with the reason.
	UnreachableSince time.Time
	// Observe only reads the live state and saves the statuses: nothing is
	// synced or removed (gitwave status --refresh).
	Observe bool
}

// ConvergeResult is what one pass of the loop saw and did.
type ConvergeResult struct {
	// Statuses are the apps' statuses after the pass.
	Statuses []store.AppStatus
	// Synced are the syncs the pass ran.
	Synced []AppResult
	// Removed are the apps (app@cluster) handed to RemoveApp.
	Removed []string
}

// RemoveAppFunc deletes or orphans an app that the default branch no
// longer produces but that was deployed to its cluster. app is the
// Application as it was at revision (its last deployed revision), or only
// its name and cluster when that revision no longer has it.
type RemoveAppFunc func(ctx context.Context, app *planner.App, revision string) error

// statusTimeout bounds the live status check of one app in a pass.
const statusTimeout = 30 * time.Second

// target is one app on one cluster in a pass.
type target struct {
	app *planner.App
	// rev is the revision t is desired at (the head, or its pin) as this
	// pass plans it: the sync of a due target applies the plan its status
	// check made.
	rev    *planner.Revision
	pinned bool
	objs   []*planner.Object
	// sources are the other repositories' and charts' revisions the
	// desired render read; deployedSources those of its last successful
	// sync (planner.OtherSources).
	sources, deployedSources string
	// prev is the status the store had at the start of the pass (seen
	// tells whether it had one); saved is what the store has now (prev, or
	// the Running status written when its sync started); cur is being
	// built.
	prev, saved, cur store.AppStatus
	seen             bool
	last             store.SyncRecord
	hasLast          bool
	live             applier.LiveStatus
	err              error
}

// Converge runs one pass of the desired-state loop over a repository:
// every app × cluster its default branch produces (at the app's rollback
// pin when it has one) is compared with its live cluster through the watch
// caches; automated apps never deployed, behind their desired revision, or
// drifted with selfHeal are synced, with backoff after failures; every
// status is saved, and apps no longer produced are handed to RemoveApp.
// An unreachable cluster makes its apps Unknown and holds no other back.
func (r *Reconciler) Converge(ctx context.Context, d Desired) (*ConvergeResult, error) {
	if r.Status == nil {
		return nil, errors.New("converge: no status store")
	}
	prev, err := r.Status.AppStatuses(ctx, store.AppStatusFilter{Repo: d.Repo})
	if err != nil {
		return nil, err
	}
	if d.Inv == nil {
		return r.markUnknown(ctx, prev, d)
	}
	latest, succeeded, err := r.Status.LatestSyncs(ctx)
	if err != nil {
		return nil, err
	}
	targets, err := r.targets(ctx, d, prev)
	if err != nil {
		return nil, err
	}
	r.observeAll(ctx, targets)
	now := r.now()
	var due []*target
	for _, t := range targets {
		t.last, t.hasLast = latest[store.SyncKey{App: t.app.Name, Cluster: t.app.Cluster.Name}]
		t.cur = t.status(d, succeeded)
		if !d.Observe && t.shouldSync(now) {
			due = append(due, t)
		}
	}
	if err := r.markRunning(ctx, due, now); err != nil {
		return nil, err
	}
	res := &ConvergeResult{Synced: r.syncDue(ctx, due)}
	if len(due) > 0 {
		if latest, succeeded, err = r.Status.LatestSyncs(ctx); err != nil {
			return nil, err
		}
	}
	for _, t := range targets {
		t.last, t.hasLast = latest[store.SyncKey{App: t.app.Name, Cluster: t.app.Cluster.Name}]
		t.cur = t.status(d, succeeded)
		t.afterSync(res.Synced, now)
		if err := r.saveStatus(ctx, t.app, t.saved, t.cur, t.seen); err != nil {
			return nil, err
		}
		res.Statuses = append(res.Statuses, t.cur)
	}
	res.Removed = r.removeGone(ctx, d, prev, targets)
	return res, nil
}

// markUnknown marks every known app of a repository that was never read
// Unknown, with the reason.
func (r *Reconciler) markUnknown(ctx context.Context, prev []store.AppStatus, d Desired) (*ConvergeResult, error) {
	res := &ConvergeResult{}
	for _, p := range prev {
		cur := p
		cur.Sync, cur.UnknownReason = store.SyncUnknown, unreachableRepo(d.UnreachableSince)
		if err := r.saveStatus(ctx, nil, p, cur, true); err != nil {
			return nil, err
		}
		res.Statuses = append(res.Statuses, cur)
	}
	return res, nil
}

func unreachableRepo(since time.Time) string {
	return "repository unreachable since " + since.UTC().Format(time.RFC3339)
}

// targets lists every app × cluster of the desired inventory, at its pin
// when it has one, with its previous status.
func (r *Reconciler) targets(ctx context.Context, d Desired, prev []store.AppStatus) ([]*target, error) {
	prevBy := map[planner.AppKey]store.AppStatus{}
	for _, p := range prev {
		prevBy[planner.AppKey{App: p.App, Cluster: p.Cluster}] = p
	}
	pins, err := r.Status.Pins(ctx, "")
	if err != nil {
		return nil, err
	}
	pinOf := map[planner.AppKey]string{}
	for _, p := range pins {
		pinOf[planner.AppKey{App: p.App, Cluster: p.Cluster}] = p.Revision
	}
	// One Revision per revision for the pass: each app is planned once
	// in it, whatever steps of the pass ask for its objects.
	revs := map[string]*planner.Revision{d.Head.Revision: r.Planner.NewRevision(d.Head, d.Inv)}
	var out []*target
	for _, a := range d.Inv.Apps {
		t := &target{app: a, rev: revs[d.Head.Revision]}
		t.prev, t.seen = prevBy[a.Key()]
		t.saved = t.prev
		if rev := pinOf[a.Key()]; rev != "" && rev != d.Head.Revision {
			t.pinned = true
			t.err = r.atPin(ctx, t, rev, revs)
		} else if rev != "" {
			t.pinned = true
		}
		out = append(out, t)
	}
	return out, nil
}

// atPin points t at its app as the pinned revision has it. revs are the
// revisions the pass plans in, by revision; atPin adds rev when it is new.
func (r *Reconciler) atPin(ctx context.Context, t *target, rev string, revs map[string]*planner.Revision) error {
	pinnedRev, ok := revs[rev]
	if !ok {
		ia, err := r.at(ctx, rev)
		if err != nil {
			return fmt.Errorf("read pinned revision %s: %w", rev, err)
		}
		pinnedRev = r.Planner.NewRevision(ia.src, ia.inv)
		revs[rev] = pinnedRev
	}
	t.rev = pinnedRev
	if pinned := pinnedRev.Inventory.App(t.app.Key()); pinned != nil {
		t.app = pinned
		return nil
	}
	return fmt.Errorf("pinned revision %s does not produce %s", rev, t.app.Key())
}

// observeAll reads every target's live status, clusters in parallel.
func (r *Reconciler) observeAll(ctx context.Context, targets []*target) {
	byCluster := map[string][]*target{}
	for _, t := range targets {
		byCluster[t.app.Cluster.Name] = append(byCluster[t.app.Cluster.Name], t)
	}
	var g errgroup.Group
	for cluster, ts := range byCluster {
		g.Go(func() error {
			r.observeCluster(ctx, cluster, ts)
			return nil
		})
	}
	_ = g.Wait()
}

// observeCluster reads the live status of one cluster's targets. When the
// cluster does not answer, every target gets the same error at once.
func (r *Reconciler) observeCluster(ctx context.Context, cluster string, ts []*target) {
	m := r.manager(cluster)
	if m == nil {
		for _, t := range ts {
			t.err = fmt.Errorf("cluster %s is not configured in gitwave", cluster)
		}
		return
	}
	down := m.Reachable(ctx)
	for _, t := range ts {
		if t.err != nil {
			continue
		}
		if down != nil {
			t.err = down
			continue
		}
		err := r.observe(ctx, m, t)
		if err != nil && ctx.Err() == nil && m.Probe(ctx) != nil {
			down = fmt.Errorf("cluster %s unreachable: %w", cluster, err)
			err = down
		}
		t.err = err
	}
}

// observe renders t and reads its live status, within statusTimeout.
func (r *Reconciler) observe(ctx context.Context, m *applier.Manager, t *target) error {
	ctx, cancel := context.WithTimeout(ctx, statusTimeout)
	defer cancel()
	plan, err := r.plan(ctx, t)
	if err != nil {
		return err
	}
	t.objs, t.sources = plan.Objects, planner.OtherSources(plan.Sources)
	t.live, err = m.Status(ctx, t.app, plan.Objects)
	return err
}
