package reconcile

import (
	"errors"
	"testing"
	"time"

	"github.com/gitwave/gitwave/applier"
	"github.com/gitwave/gitwave/planner"
	"github.com/gitwave/gitwave/store"
)

// TestBackoffDoublesFrom10sTo10m: 10 s, 20 s, 40 s … capped at 10 minutes.
func TestBackoffDoublesFrom10sTo10m(t *testing.T) {
	want := []time.Duration{10 * time.Second, 20 * time.Second, 40 * time.Second, 80 * time.Second, 160 * time.Second,
		320 * time.Second, 10 * time.Minute, 10 * time.Minute}
	for i, w := range want {
		if got := Backoff(i + 1); got != w {
			t.Errorf("Backoff(%d) = %s, want %s", i+1, got, w)
		}
	}
	if Backoff(1000) != 10*time.Minute {
		t.Errorf("Backoff(1000) = %s", Backoff(1000))
	}
}

// TestRetryStateCountsEachFailureOnce: a failure at the desired revision
// counts once, however many passes see it; a success or a new revision
// starts over.
func TestRetryStateCountsEachFailureOnce(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	failed := store.SyncRecord{Revision: "r2", Phase: store.PhaseFailed, FinishedAt: t0}
	n, next := retryState(store.AppStatus{DesiredRevision: "r2"}, "r2", failed, true)
	if n != 1 || !next.Equal(t0.Add(10*time.Second)) {
		t.Fatalf("first failure: attempts %d, next %s; want 1 and 10s later", n, next)
	}
	seen := store.AppStatus{DesiredRevision: "r2", Attempts: n, NextRetry: next, LastSync: lastSyncOf(failed, true)}
	if n2, next2 := retryState(seen, "r2", failed, true); n2 != 1 || !next2.Equal(next) {
		t.Errorf("same failure seen again: attempts %d, next %s; want it counted once", n2, next2)
	}
	again := store.SyncRecord{Revision: "r2", Phase: store.PhaseError, FinishedAt: t0.Add(time.Minute)}
	if n2, next2 := retryState(seen, "r2", again, true); n2 != 2 || !next2.Equal(again.FinishedAt.Add(20*time.Second)) {
		t.Errorf("second failure: attempts %d, next %s; want 2 and 20s after it", n2, next2)
	}
	if n2, next2 := retryState(seen, "r3", failed, true); n2 != 0 || !next2.IsZero() {
		t.Errorf("new revision: attempts %d, next %s; want the backoff reset", n2, next2)
	}
	ok := store.SyncRecord{Revision: "r2", Phase: store.PhaseSucceeded, FinishedAt: t0.Add(time.Hour)}
	if n2, next2 := retryState(seen, "r2", ok, true); n2 != 0 || !next2.IsZero() {
		t.Errorf("after a success: attempts %d, next %s; want none", n2, next2)
	}
}

// TestShouldSync is the loop's decision for one app, as an Argo CD user
// expects it.
func TestShouldSync(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	auto := &planner.App{Name: "web", Spec: planner.ApplicationSpec{SyncPolicy: &planner.SyncPolicy{Automated: &planner.SyncPolicyAutomated{}}}}
	heal := &planner.App{Name: "web", Spec: planner.ApplicationSpec{SyncPolicy: &planner.SyncPolicy{Automated: &planner.SyncPolicyAutomated{SelfHeal: true}}}}
	manual := &planner.App{Name: "web"}
	drifted := applier.LiveStatus{Drifted: true}
	at := func(rev string) *planner.Revision {
		return (&planner.Planner{}).NewRevision(planner.Source{Revision: rev}, nil)
	}
	cases := []struct {
		name string
		t    target
		want bool
	}{
		{"never deployed", target{app: auto, live: drifted, cur: store.AppStatus{DesiredRevision: "r2"}}, true},
		{"behind after a failed merge, retry due", target{app: auto, live: drifted, hasLast: true,
			last: store.SyncRecord{Revision: "r2", Phase: store.PhaseFailed},
			cur:  store.AppStatus{DesiredRevision: "r2", DeployedRevision: "r1", Attempts: 1, NextRetry: now}}, true},
		{"behind, backing off", target{app: auto, live: drifted,
			cur: store.AppStatus{DesiredRevision: "r2", DeployedRevision: "r1", Attempts: 3, NextRetry: now.Add(time.Second)}}, false},
		{"in sync", target{app: auto, cur: store.AppStatus{DesiredRevision: "r2"}}, false},
		{"drift without selfHeal", target{app: auto, live: drifted, cur: store.AppStatus{DesiredRevision: "r2", DeployedRevision: "r2"}}, false},
		{"drift with selfHeal", target{app: heal, live: drifted, cur: store.AppStatus{DesiredRevision: "r2", DeployedRevision: "r2"}}, true},
		{"manual app", target{app: manual, live: drifted, cur: store.AppStatus{DesiredRevision: "r2"}}, false},
		{"pinned manual app drifted", target{app: manual, pinned: true, live: drifted, cur: store.AppStatus{DesiredRevision: "r1", DeployedRevision: "r1"}}, true},
		{"terminated at the desired revision", target{app: heal, live: drifted, hasLast: true,
			last: store.SyncRecord{Revision: "r2", Phase: store.PhaseTerminated}, cur: store.AppStatus{DesiredRevision: "r2", DeployedRevision: "r1"}}, false},
		{"terminated at an older revision", target{app: heal, live: drifted, hasLast: true,
			last: store.SyncRecord{Revision: "r1", Phase: store.PhaseTerminated}, cur: store.AppStatus{DesiredRevision: "r2", DeployedRevision: "r1"}}, true},
		{"a sync is running", target{app: heal, live: drifted, hasLast: true,
			last: store.SyncRecord{Revision: "r2", Phase: store.PhaseRunning}, cur: store.AppStatus{DesiredRevision: "r2"}}, false},
		{"cluster unreachable", target{app: heal, live: drifted, err: errors.New("down"), cur: store.AppStatus{DesiredRevision: "r2"}}, false},
	}
	for _, c := range cases {
		c.t.rev = at(c.t.cur.DesiredRevision)
		if got := c.t.shouldSync(now); got != c.want {
			t.Errorf("%s: shouldSync = %v, want %v", c.name, got, c.want)
		}
	}
}
