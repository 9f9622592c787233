package applier

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/gitwave/gitwave/planner"
)

// heartbeatEvery is how often a running sync tells the store it is alive.
const heartbeatEvery = 30 * time.Second

// run is the state of one sync attempt.
type run struct {
	m        *Manager
	req      SyncRequest
	timeout  time.Duration
	emitMu   sync.Mutex
	progress func(Event)
	attempt  int
	res      *Result
	// id is the sync's record (0 without a store); hooksDone holds the
	// hooks a stopped worker ran to success before this resumed sync, which
	// its first attempt does not run again (skipDone).
	id        int64
	hooksDone map[string]bool
	// applied maps each non-hook object applied to its inventory entry.
	appliedMu sync.Mutex
	applied   map[planner.ResourceKey]InventoryEntry
}

// emit sends an event to the progress callback, one at a time.
func (r *run) emit(e Event) {
	if r.progress == nil {
		return
	}
	e.App, e.Cluster, e.Attempt = r.req.App.Name, r.m.opts.Cluster, r.attempt
	r.emitMu.Lock()
	defer r.emitMu.Unlock()
	r.progress(e)
}

// Sync makes the cluster match req: PreSync hooks, the Sync waves and
// PostSync hooks, one step at a time, each applied in parallel and waited
// for until healthy; then prune. A failed step runs the SyncFail hooks; a
// failed run is retried as the app's retry policy says. One sync runs at a
// time per app on this cluster.
//
// The Result is non-nil whenever the sync started; the error is non-nil
// exactly when the sync did not succeed, naming the app and cluster.
// Cancelling ctx, or a terminate request in the store (which Sync polls),
// stops the sync between objects; it is recorded as Terminated with what
// was and was not applied.
func (m *Manager) Sync(ctx context.Context, req SyncRequest, progress func(Event)) (*Result, error) {
	if req.App == nil {
		return nil, errors.New("applier: SyncRequest.App is nil")
	}
	app := req.App
	where := fmt.Sprintf("sync %s on %s", app.Name, m.opts.Cluster)
	policy, err := RetryPolicyOf(app)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	timeout, err := m.appTimeout(app)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	lock := m.appLock(app.Name)
	lock.Lock()
	defer lock.Unlock()
	refusal, err := m.emptyRefusal(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	start := m.opts.Clock.Now()
	id, hooksDone, stopHeartbeat, err := m.beginRecord(ctx, req, start)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	defer stopHeartbeat()
	ctx, stopWatch := m.watchTerminate(ctx, id)
	defer stopWatch()
	if refusal != nil {
		res, err := m.refuse(ctx, id, refusal)
		return res, fmt.Errorf("%s: %w", where, err)
	}
	r := &run{m: m, req: req, timeout: timeout, progress: progress, id: id, hooksDone: hooksDone}
	var runErr error
	for attempt := 0; ; attempt++ {
		r.attempt, r.res = attempt+1, &Result{ID: id}
		r.applied = map[planner.ResourceKey]InventoryEntry{}
		runErr = r.once(ctx)
		if ctx.Err() != nil || !policy.allows(attempt, runErr) {
			break
		}
		r.retrying(ctx) // before the delay, which a stopped worker may die in
		delay := policy.Delay(attempt)
		r.emit(Event{Type: EventRetry, Message: fmt.Sprintf("retrying in %s after: %v", delay, runErr)})
		if err := sleep(ctx, m.opts.Clock, delay); err != nil {
			break
		}
	}
	res := r.res
	res.Attempts, res.Duration = r.attempt, m.opts.Clock.Now().Sub(start)
	res.Phase, res.Message = finalPhase(ctx, runErr)
	if err := m.finishRecord(ctx, r, id); err != nil {
		runErr = errors.Join(runErr, err)
	}
	r.emit(Event{Type: EventSyncDone, Message: fmt.Sprintf("%s: %s", res.Phase, res.Message)})
	if m.opts.OnSync != nil && !req.DryRun {
		m.opts.OnSync(app.Name, m.opts.Cluster, string(res.Phase), res.Duration)
	}
	if runErr != nil {
		return res, fmt.Errorf("%s: %w", where, runErr)
	}
	return res, nil
}

// finalPhase turns the last attempt's error into a phase and message.
func finalPhase(ctx context.Context, err error) (SyncPhase, string) {
	switch {
	case err == nil:
		return SyncSucceeded, "successfully synced"
	case ctx.Err() != nil:
		if te, ok := terminatedBy(ctx); ok {
			return SyncTerminated, te.Error() + ": " + err.Error()
		}
		return SyncTerminated, "terminated: " + err.Error()
	default:
		return SyncFailed, err.Error()
	}
}

// once runs one attempt: steps, SyncFail hooks on failure, prune on success.
func (r *run) once(ctx context.Context) error {
	app := r.req.App
	ao := applyOptions{DryRun: r.req.DryRun}
	if hasOption(app, nil, optCreateNamespace) {
		if err := r.m.ensureNamespace(ctx, app, ao); err != nil {
			return err
		}
	}
	objects, err := r.outOfSyncOnly(ctx)
	if err != nil {
		return err
	}
	var main, syncFail []planner.Step
	for _, s := range planner.Steps(objects) {
		if s.Phase == planner.PhaseSyncFail {
			syncFail = append(syncFail, s)
		} else {
			main = append(main, s)
		}
	}
	r.res.Steps = make([]StepResult, len(main))
	for i, s := range main {
		r.res.Steps[i] = newStepResult(s)
	}
	for i, s := range main {
		if err := r.runStep(ctx, s, &r.res.Steps[i]); err != nil {
			return r.failed(ctx, syncFail, fmt.Errorf("%s wave %d: %w", s.Phase, s.Wave, err))
		}
	}
	pruned, err := r.prune(ctx)
	r.res.Pruned = pruned
	return err
}

// failed runs the SyncFail hooks after err and returns err, with the hooks'
// own failure joined to it. A cancelled sync runs no SyncFail hooks.
func (r *run) failed(ctx context.Context, syncFail []planner.Step, err error) error {
	if ctx.Err() != nil || r.req.DryRun {
		return err
	}
	for _, s := range syncFail {
		sr := newStepResult(s)
		hookErr := r.runStep(ctx, s, &sr)
		r.res.Steps = append(r.res.Steps, sr)
		if hookErr != nil {
			return errors.Join(err, fmt.Errorf("SyncFail hooks: %w", hookErr))
		}
	}
	return err
}

// newStepResult lists a step's objects as not applied yet.
func newStepResult(s planner.Step) StepResult {
	sr := StepResult{Phase: s.Phase, Wave: s.Wave, Objects: make([]ObjectOutcome, len(s.Objects))}
	for j, o := range s.Objects {
		sr.Objects[j] = ObjectOutcome{Key: o.Key, Version: o.Version, Phase: o.Phase, Wave: o.Wave, Hook: o.Hook,
			Action: ActionNotApplied, Health: Health{Status: Unknown}}
	}
	return sr
}

// outOfSyncOnly drops the objects a live diff finds unchanged when the app
// sets ApplyOutOfSyncOnly=true; hooks always run.
func (r *run) outOfSyncOnly(ctx context.Context) ([]*planner.Object, error) {
	app := r.req.App
	if !hasOption(app, nil, optApplyOutOfSyncOnly) {
		return r.req.Objects, nil
	}
	unchanged, err := r.m.unchangedKeys(ctx, app, r.req.Objects)
	if err != nil {
		return nil, fmt.Errorf("ApplyOutOfSyncOnly: %w", err)
	}
	out := make([]*planner.Object, 0, len(r.req.Objects))
	for _, o := range r.req.Objects {
		if e, ok := unchanged[o.Key]; ok && !o.Hook {
			r.keep(e)
			continue
		}
		out = append(out, o)
	}
	return out, nil
}

// keep adds an object to the inventory this attempt leaves behind.
func (r *run) keep(e InventoryEntry) {
	r.appliedMu.Lock()
	defer r.appliedMu.Unlock()
	r.applied[planner.ResourceKey{Group: e.Group, Kind: e.Kind, Namespace: e.Namespace, Name: e.Name}] = e
}

// entryOf returns the inventory entry of an applied object.
func entryOf(u *unstructured.Unstructured) InventoryEntry {
	gvk := u.GroupVersionKind()
	return InventoryEntry{Group: gvk.Group, Version: gvk.Version, Kind: gvk.Kind, Namespace: u.GetNamespace(), Name: u.GetName()}
}
