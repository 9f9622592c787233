package reconcile

import (
	"context"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/gitwave/gitwave/applier"
	"github.com/gitwave/gitwave/planner"
	"github.com/gitwave/gitwave/store"
)

// status builds t's status from its live state, its last syncs and its
// previous status.
func (t *target) status(d Desired, succeeded map[store.SyncKey]store.SyncRecord) store.AppStatus {
	a := t.app
	st := store.AppStatus{Repo: d.Repo, App: a.Name, Cluster: a.Cluster.Name, Project: a.Project,
		DesiredRevision: t.rev.Source.Revision, LastSync: lastSyncOf(t.last, t.hasLast)}
	if ok, found := succeeded[store.SyncKey{App: a.Name, Cluster: a.Cluster.Name}]; found {
		st.DeployedRevision, t.deployedSources = ok.Revision, ok.Sources
	}
	st.Attempts, st.NextRetry = retryState(t.prev, st.DesiredRevision, t.last, t.hasLast)
	if t.prev.DesiredRevision == st.DesiredRevision && moment(t.prev.LastSync).After(moment(st.LastSync)) {
		st.LastSync = t.prev.LastSync // a refusal the loop recorded itself
	}
	switch {
	case t.err != nil:
		st.Sync, st.Health, st.UnknownReason = store.SyncUnknown, string(applier.Unknown), t.err.Error()
	case t.live.Drifted:
		st.Sync, st.Health = store.SyncOutOfSync, string(t.live.Health.Status)
	default:
		st.Sync, st.Health = store.SyncSynced, string(t.live.Health.Status)
	}
	if !d.UnreachableSince.IsZero() {
		st.Sync, st.UnknownReason = store.SyncUnknown, unreachableRepo(d.UnreachableSince)
	}
	return st
}

// moment is when a sync last did something.
func moment(ls store.LastSync) time.Time {
	if ls.FinishedAt.After(ls.StartedAt) {
		return ls.FinishedAt
	}
	return ls.StartedAt
}

// shouldSync decides whether the loop syncs t now, as Argo CD's automated
// sync would: an automated (or pinned) app that is out of sync and not yet
// synced at its desired revision, or drifted from it with selfHeal; not
// while a sync runs, not after a sync there was terminated (until a new
// revision or an explicit sync), and not before its next retry.
func (t *target) shouldSync(now time.Time) bool {
	if t.err != nil || !t.live.Drifted {
		return false
	}
	au := t.app.Automated()
	if au == nil && !t.pinned {
		return false // a manual app is only reported
	}
	desired := t.cur.DesiredRevision
	if t.hasLast && t.last.Phase == store.PhaseRunning {
		return false
	}
	if t.hasLast && t.last.Revision == desired && t.last.Phase == store.PhaseTerminated {
		return false
	}
	// Behind means another revision of the served repository, or of a
	// repository or chart the app reads: Argo CD's automated sync compares
	// every source's revision.
	behind := t.cur.DeployedRevision != desired || t.deployedSources != t.sources
	if !behind && !t.pinned && !au.SelfHeal {
		return false // drift without selfHeal is reported OutOfSync
	}
	return t.cur.Attempts == 0 || !now.Before(t.cur.NextRetry)
}

// markRunning saves the status of every due target as its sync starts
// (last sync Running), so that the observer hears the start as Argo CD's
// operationState.phase Running.
func (r *Reconciler) markRunning(ctx context.Context, due []*target, now time.Time) error {
	for _, t := range due {
		running := t.cur
		running.LastSync = store.LastSync{Result: store.PhaseRunning, StartedAt: now}
		if err := r.saveStatus(ctx, t.app, t.saved, running, t.seen); err != nil {
			return err
		}
		t.saved, t.seen = running, true
	}
	return nil
}

// afterSync makes t's status say what its sync in this pass did: a
// successful sync leaves the app Synced and Healthy (the sync waited for
// health); a sync refused before it was recorded (its AppProject, a
// render error) counts as a failed attempt, backed off like one.
func (t *target) afterSync(results []AppResult, now time.Time) {
	for _, res := range results {
		if res.App != t.app || res.Skipped {
			continue
		}
		switch {
		case res.Err != nil && (res.Result == nil || res.Result.ID == 0):
			t.cur.Attempts++
			t.cur.NextRetry = now.Add(Backoff(t.cur.Attempts))
			t.cur.LastSync = store.LastSync{Result: store.PhaseFailed, StartedAt: now, FinishedAt: now, Message: res.Err.Error()}
		case res.Err == nil && res.Result != nil && res.Result.Phase == applier.SyncSucceeded && t.cur.UnknownReason == "":
			t.cur.Sync, t.cur.Health = store.SyncSynced, string(applier.Healthy)
		}
	}
}

// syncDue syncs the due targets: clusters in parallel, and within a
// cluster one Sync per revision, in app wave order. Each sync applies the
// plan the pass made to check its target: the app is not rendered again.
func (r *Reconciler) syncDue(ctx context.Context, due []*target) []AppResult {
	type group struct {
		rev  *planner.Revision
		apps []*planner.App
	}
	byCluster := map[string][]*group{}
	for _, t := range due {
		gs := byCluster[t.app.Cluster.Name]
		var g *group
		for _, x := range gs {
			if x.rev == t.rev {
				g = x
			}
		}
		if g == nil {
			g = &group{rev: t.rev}
			byCluster[t.app.Cluster.Name] = append(gs, g)
		}
		g.apps = append(g.apps, t.app)
	}
	var mu sync.Mutex
	var out []AppResult
	var eg errgroup.Group
	for _, gs := range byCluster {
		eg.Go(func() error {
			for _, g := range gs {
				res := r.SyncRevision(ctx, g.rev, g.apps, SyncOptions{Trigger: store.TriggerSelfHeal, Initiator: "gitwave"})
				mu.Lock()
				out = append(out, res...)
				mu.Unlock()
			}
			return nil
		})
	}
	_ = eg.Wait()
	return out
}

// planKey names one app's rendered objects at one revision.
type planKey struct {
	rev string
	app planner.AppKey
}

// planEntry is one kept render of an app that reads only the served
// repository.
type planEntry struct {
	objs    []*planner.Object
	sources []planner.SourceRevision
}

// maxPlans bounds the rendered apps a Reconciler keeps.
const maxPlans = 20000

// plan renders t's objects in t.rev, once per pass: the sync of a due
// target takes the same plan. An app that reads only the served repository
// is also kept across passes (plans), so a quiet repository is not
// rendered again every pass. An app that reads other repositories or
// charts lives in the pass's revision only, so a commit there is seen by
// the next pass; the mirrors' fetchInterval and the chart index TTL keep
// those renders cheap. The cache starts over when it is full.
func (r *Reconciler) plan(ctx context.Context, t *target) (*planner.AppPlan, error) {
	k := planKey{rev: t.rev.Source.Revision, app: t.app.Key()}
	r.mu.Lock()
	e, ok := r.plans[k]
	r.mu.Unlock()
	if ok {
		t.rev.Keep(t.app, &planner.AppPlan{App: t.app, Objects: e.objs, Sources: e.sources})
	}
	p, err := t.rev.Plan(ctx, t.app)
	if err != nil || ok || planner.OtherSources(p.Sources) != "" {
		return p, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.plans == nil || len(r.plans) >= maxPlans {
		r.plans = map[planKey]planEntry{}
	}
	r.plans[k] = planEntry{objs: p.Objects, sources: p.Sources}
	return p, nil
}
