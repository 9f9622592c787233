package bot_test

import (
	"context"
	"testing"
	"time"
)

// TestLoopLeaderIsReplacedWithinOneLease: a replica that led the loop and
// died (its lock no longer renewed) is replaced by another within one job
// lease, although the loop's interval is an hour, and the new leader
// enqueues a pass at once.
func TestLoopLeaderIsReplacedWithinOneLease(t *testing.T) {
	const lease = 600 * time.Millisecond
	f := newFixture(t, fixtureOptions{ReconcileInterval: time.Hour})
	f.opts.Lease, f.opts.Holder = lease, "survivor"
	f.restart()
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	if mine, err := f.store.TryLock(ctx, "reconcile", "dead-replica", lease); err != nil || !mine {
		t.Fatalf("the dead replica's last renewal: %v, %v", mine, err)
	}
	died := time.Now()
	done := make(chan struct{})
	go func() { defer close(done); _ = f.bot.RunReconcile(ctx) }()
	defer func() { stop(); <-done }()
	for {
		qs, err := f.store.QueueStats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if qs.Depth == 1 {
			break
		}
		if time.Since(died) > 3*lease {
			t.Fatalf("no pass enqueued %s after the leader died; want one within the lease (%s)", time.Since(died), lease)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if mine, err := f.store.TryLock(ctx, "reconcile", "dead-replica", lease); err != nil || mine {
		t.Errorf("the dead replica could take the lock back (%v, %v); the survivor should hold it", mine, err)
	}
}
