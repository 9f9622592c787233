package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/gitwave/gitwave/config"
	"github.com/gitwave/gitwave/planner"
	"github.com/gitwave/gitwave/reconcile"
	"github.com/gitwave/gitwave/store"
	"github.com/gitwave/gitwave/ui"
)

// EventReconcile is the job kind of one pass of the desired-state loop
// over one served repository.
const EventReconcile EventKind = "reconcile"

// reconcileLock is the store lock that elects the replica running the
// loop.
const reconcileLock = "reconcile"

// RunReconcile enqueues a reconcile job for every served repository every
// Options.ReconcileInterval, on the replica holding the reconcile lock,
// until ctx ends. The jobs run through the durable queue, one repository
// at a time with its merge deploys (deployKey). Every third of
// Options.Lease the leader renews the lock and the others try to take it,
// so that a leader that dies is replaced within one lease, and the new
// leader runs a pass at once.
func (b *Bot) RunReconcile(ctx context.Context) error {
	if b.opts.ReconcileInterval < 0 {
		<-ctx.Done()
		return nil
	}
	t := time.NewTicker(b.opts.ReconcileInterval)
	defer t.Stop()
	renew := time.NewTicker(b.opts.Lease / 3)
	defer renew.Stop()
	for {
		led, err := b.enqueueIfLeader(ctx)
		if err != nil && ctx.Err() == nil {
			b.log.Error("enqueue reconcile", "error", err)
		}
		if !b.waitTurn(ctx, t.C, renew.C, &led) {
			unlockCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			return b.opts.Store.Unlock(unlockCtx, reconcileLock, b.opts.Holder)
		}
	}
}

// waitTurn waits for the next pass: the interval's tick, or a renewal
// that made this replica the leader. It renews or tries the lock on every
// renewal tick, and returns false when ctx ends.
func (b *Bot) waitTurn(ctx context.Context, tick, renew <-chan time.Time, led *bool) bool {
	for {
		select {
		case <-ctx.Done():
			return false
		case <-tick:
			return true
		case <-renew:
			mine, err := b.leader(ctx)
			if err != nil && ctx.Err() == nil {
				b.log.Warn("renew the reconcile lock", "error", err)
			}
			if mine && !*led {
				b.log.Info("leading the reconcile loop", "holder", b.opts.Holder)
				return true
			}
			*led = mine
		}
	}
}

// leader takes or renews the reconcile lock for one job lease and reports
// whether this replica holds it.
func (b *Bot) leader(ctx context.Context) (bool, error) {
	return b.opts.Store.TryLock(ctx, reconcileLock, b.opts.Holder, b.opts.Lease)
}

// EnqueueReconcile enqueues a reconcile job for every served repository if
// this replica is the leader. A job already waiting for a repository is
// not doubled. Tests and the demo run the jobs with RunPending.
func (b *Bot) EnqueueReconcile(ctx context.Context) error {
	_, err := b.enqueueIfLeader(ctx)
	return err
}

// enqueueIfLeader takes or renews the reconcile lock and, when this
// replica holds it, enqueues a pass over every served repository; it
// reports whether this replica leads.
func (b *Bot) enqueueIfLeader(ctx context.Context) (bool, error) {
	mine, err := b.leader(ctx)
	if err != nil || !mine {
		return false, err
	}
	for _, r := range b.opts.Repos {
		if err := b.enqueueReconcile(ctx, r.Host, r.Name); err != nil {
			return true, err
		}
	}
	return true, nil
}

// afterDeploy enqueues a pass of the loop after a push or merge, unless
// the loop is off: of the repository, and of the roots repositories whose
// apps read it when it is a source repository.
func (b *Bot) afterDeploy(ctx context.Context, t *task) {
	if b.opts.ReconcileInterval < 0 {
		return
	}
	for _, r := range append([]config.Repo{t.repo}, t.roots...) {
		if err := b.enqueueReconcile(ctx, r.Host, r.Name); err != nil {
			t.log.Error("enqueue reconcile after a deploy", "reconcile", r.Name, "error", err)
		}
	}
}

// enqueueReconcile enqueues one repository's reconcile job, behind its
// deploys.
func (b *Bot) enqueueReconcile(ctx context.Context, host, repo string) error {
	payload, err := json.Marshal(jobPayload{Host: host, Event: Event{Kind: EventReconcile, Repo: repo}})
	if err != nil {
		return fmt.Errorf("encode reconcile job of %s: %w", repo, err)
	}
	return b.opts.Store.Enqueue(ctx, store.Job{Kind: string(EventReconcile), Key: deployKey(repo),
		Dedupe: "reconcile:" + host + ":" + repo, Payload: payload, MaxAttempts: 1})
}

// onReconcile runs one pass of the loop over t's repository, on the
// leader only: a job claimed by another replica does nothing, and the
// leader's next interval covers it.
func (b *Bot) onReconcile(ctx context.Context, t *task) error {
	mine, err := b.leader(ctx)
	if err != nil {
		return err
	}
	if !mine {
		t.log.Info("reconcile skipped: another replica leads the loop")
		return nil
	}
	d := b.desiredState(ctx, t)
	if d.UnreachableSince.IsZero() && d.Inv != nil && b.opts.OnDefaultBranch != nil {
		b.opts.OnDefaultBranch(ctx, t.repo, d.Head)
	}
	res, err := b.recs[repoKey(t.repo.Host, t.repo.Name)].Converge(ctx, d)
	if err != nil {
		return err
	}
	var failed, unknown int
	for _, s := range res.Synced {
		if s.Err != nil {
			failed++
			t.log.Warn("reconcile sync failed", "app", s.App.Key().String(), "error", s.Err)
		}
	}
	for _, st := range res.Statuses {
		if st.Sync == store.SyncUnknown {
			unknown++
		}
	}
	t.log.Info("reconciled", "head", short(d.Head.Revision), "apps", len(res.Statuses), "synced", len(res.Synced),
		"failed", failed, "unknown", unknown, "removed", len(res.Removed))
	if d.UnreachableSince.IsZero() && d.Inv != nil {
		return b.reportDrift(ctx, t, d.Head.Revision, res.Statuses)
	}
	return nil
}

// knownState is the last desired state read of a repository, kept while
// it cannot be fetched.
type knownState struct {
	head        planner.Source
	inv         *planner.Inventory
	unreachable time.Time
}

// desiredStates holds one knownState per served repository.
type desiredStates struct {
	mu     sync.Mutex
	byRepo map[string]*knownState
}

// desiredState reads the default branch's head and its apps; when the
// repository cannot be fetched it returns the last state read, marked
// unreachable since the first failure.
func (b *Bot) desiredState(ctx context.Context, t *task) reconcile.Desired {
	key := repoKey(t.repo.Host, t.repo.Name)
	head, inv, err := b.readHead(ctx, t)
	b.desired.mu.Lock()
	defer b.desired.mu.Unlock()
	if b.desired.byRepo == nil {
		b.desired.byRepo = map[string]*knownState{}
	}
	k := b.desired.byRepo[key]
	if k == nil {
		k = &knownState{}
		b.desired.byRepo[key] = k
	}
	if err == nil {
		k.head, k.inv, k.unreachable = head, inv, time.Time{}
	} else {
		if k.unreachable.IsZero() {
			k.unreachable = b.now()
		}
		t.log.Warn("repository unreachable; reconciling at the last known head", "since", k.unreachable, "head", short(k.head.Revision), "error", err)
	}
	return reconcile.Desired{Repo: t.repo.Name, Head: k.head, Inv: k.inv, UnreachableSince: k.unreachable}
}

// readHead fetches the repository and discovers its default branch's head.
func (b *Bot) readHead(ctx context.Context, t *task) (planner.Source, *planner.Inventory, error) {
	co, err := b.mirrors.fetch(ctx, t.repo)
	if err != nil {
		return planner.Source{}, nil, err
	}
	defer co.Close()
	return b.discoverAt(ctx, t, co, t.repo.DefaultBranch)
}

// reportDrift sets gitwave/drift on the default branch's head when its
// state changed: a failure names the deployed apps out of sync (drifted
// without selfHeal, or whose heal failed).
func (b *Bot) reportDrift(ctx context.Context, t *task, tip string, statuses []store.AppStatus) error {
	var drifted []string
	for _, st := range statuses {
		if st.Sync == store.SyncOutOfSync && st.DeployedRevision != "" {
			drifted = append(drifted, st.App+"@"+st.Cluster)
		}
	}
	s := Status{Context: "gitwave/drift", State: "success", Description: "the clusters match the default branch",
		TargetURL: ui.FleetURL(b.opts.StatusPageURL)}
	if len(drifted) > 0 {
		s.State = "failure"
		s.Description = fmt.Sprintf("%d app(s) out of sync: %s", len(drifted), strings.Join(drifted, ", "))
	}
	key := repoKey(t.repo.Host, t.repo.Name)
	seen := tip + "\x00" + s.State + s.Description
	if prev, ok := b.driftStates.Load(key); ok && prev.(string) == seen {
		return nil
	}
	if err := setStatuses(ctx, t, tip, s); err != nil {
		return err
	}
	b.driftStates.Store(key, seen)
	return nil
}

// ReconcileOnce enqueues a reconcile job for every served repository (on
// the leader) and runs every ready job, those included, before it
// returns: one pass of the loop for tests, the demo and one-shot runs.
func (b *Bot) ReconcileOnce(ctx context.Context) error {
	if err := b.EnqueueReconcile(ctx); err != nil {
		return err
	}
	_, err := b.RunPending(ctx)
	return err
}
