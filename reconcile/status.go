package reconcile

import (
	"context"
	"time"

	"github.com/gitwave/gitwave/backoff"
	"github.com/gitwave/gitwave/planner"
	"github.com/gitwave/gitwave/store"
)

// StatusStore is what the reconcile loop reads and writes of the store.
type StatusStore interface {
	AppStatuses(ctx context.Context, f store.AppStatusFilter) ([]store.AppStatus, error)
	SaveAppStatus(ctx context.Context, st store.AppStatus) error
	DeleteAppStatus(ctx context.Context, repo, app, cluster string) error
	LatestSyncs(ctx context.Context) (latest, succeeded map[store.SyncKey]store.SyncRecord, err error)
	Pins(ctx context.Context, app string) ([]store.Pin, error)
}

// StatusObserver hears every change of an app's status (sync, health, the
// last sync's result and its start, why it is Unknown); prev is the zero
// AppStatus for an app seen for the first time. app is the Application the
// status belongs to (its annotations carry the notification
// subscriptions), nil when the repository was never read. Only the loop
// calls it, so only the leader replica observes. Notifications hook in
// here.
type StatusObserver interface {
	ObserveStatus(ctx context.Context, app *planner.App, prev, cur store.AppStatus)
}

// Backoff of an automated app whose sync keeps failing at its desired
// revision: 10 s after the first failure, doubling up to 10 minutes. A new
// desired revision starts over.
const (
	BackoffFirst = 10 * time.Second
	BackoffMax   = 10 * time.Minute
)

// Backoff is the wait after the given number of failed attempts (1 or
// more).
func Backoff(attempts int) time.Duration {
	return backoff.Schedule{First: BackoffFirst, Factor: 2, Max: BackoffMax}.Delay(max(attempts-1, 0))
}

// lastSyncOf turns a history record into a status's last sync.
func lastSyncOf(r store.SyncRecord, found bool) store.LastSync {
	if !found {
		return store.LastSync{}
	}
	return store.LastSync{Result: r.Phase, StartedAt: r.StartedAt, FinishedAt: r.FinishedAt, Message: r.Message}
}

// retryState carries the retry count over from prev while the desired
// revision stays, counts a failure of last at desired once (a failure
// newer than the one prev saw), and clears both on a success there.
func retryState(prev store.AppStatus, desired string, last store.SyncRecord, found bool) (int, time.Time) {
	attempts, next := 0, time.Time{}
	if prev.DesiredRevision == desired {
		attempts, next = prev.Attempts, prev.NextRetry
	}
	if !found || last.Revision != desired {
		return attempts, next
	}
	switch last.Phase {
	case store.PhaseSucceeded:
		return 0, time.Time{}
	case store.PhaseFailed, store.PhaseError:
		counted := prev.DesiredRevision == desired && !last.FinishedAt.After(prev.LastSync.FinishedAt)
		if !counted {
			attempts++
			next = last.FinishedAt.Add(Backoff(attempts))
		}
	}
	return attempts, next
}

// statusChanged reports whether cur differs from prev in what a person
// would be told about.
func statusChanged(prev, cur store.AppStatus) bool {
	return prev.Sync != cur.Sync || prev.Health != cur.Health || prev.LastSync.Result != cur.LastSync.Result ||
		!prev.LastSync.FinishedAt.Equal(cur.LastSync.FinishedAt) || prev.UnknownReason != cur.UnknownReason
}

// rowChanged reports whether cur must be written: anything but the time.
func rowChanged(prev, cur store.AppStatus) bool {
	prev.UpdatedAt, cur.UpdatedAt = time.Time{}, time.Time{}
	return prev != cur
}

// saveStatus writes cur when it changed and tells the observer when a
// person would notice.
func (r *Reconciler) saveStatus(ctx context.Context, app *planner.App, prev, cur store.AppStatus, seen bool) error {
	if seen && !rowChanged(prev, cur) {
		return nil
	}
	cur.UpdatedAt = r.now()
	if err := r.Status.SaveAppStatus(ctx, cur); err != nil {
		return err
	}
	if r.Observer != nil && (!seen || statusChanged(prev, cur)) {
		if !seen {
			prev = store.AppStatus{}
		}
		r.Observer.ObserveStatus(ctx, app, prev, cur)
	}
	return nil
}

// now is the reconciler's clock.
func (r *Reconciler) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}
