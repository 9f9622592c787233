package store

import (
	"errors"
	"testing"
)

// TestRequestTerminateIsSeenByTheProcessRunningTheSync asks, through one
// Store, to stop a sync another Store (another replica) runs: the runner's
// poll sees who asked, the sync's record ends Terminated, and LastResult
// says so.
func TestRequestTerminateIsSeenByTheProcessRunningTheSync(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *testDB) {
		runner, asker := db.open(t), db.open(t)
		id := begin(t, runner, "web", "prod", "r1")
		other := begin(t, runner, "web", "staging", "r1")

		if _, requested, err := runner.TerminateRequested(ctx(t), id); err != nil || requested {
			t.Fatalf("TerminateRequested before any request = %v, %v; want false, nil", requested, err)
		}
		recs, err := asker.RequestTerminate(ctx(t), "web", "prod", "alice")
		if err != nil || len(recs) != 1 || recs[0].ID != id {
			t.Fatalf("RequestTerminate(web, prod) = %+v, %v; want sync %d", recs, err, id)
		}
		by, requested, err := runner.TerminateRequested(ctx(t), id)
		if err != nil || !requested || by != "alice" {
			t.Fatalf("TerminateRequested(%d) = %q, %v, %v; want alice, true", id, by, requested, err)
		}
		if _, requested, _ := runner.TerminateRequested(ctx(t), other); requested {
			t.Errorf("the sync on cluster staging was asked to stop too")
		}
		if err := runner.FinishSync(ctx(t), id, PhaseTerminated, "terminated by alice", nil); err != nil {
			t.Fatal(err)
		}
		last, err := asker.LastResult(ctx(t), "web", "prod")
		if err != nil || last.ID != id || last.Phase != PhaseTerminated {
			t.Errorf("LastResult(web, prod) = %+v, %v; want sync %d Terminated", last, err, id)
		}
		if _, err := asker.RequestTerminate(ctx(t), "web", "prod", "alice"); !errors.Is(err, ErrNotFound) {
			t.Errorf("RequestTerminate with nothing running = %v; want ErrNotFound", err)
		}
		if _, err := asker.LastResult(ctx(t), "api", "prod"); !errors.Is(err, ErrNotFound) {
			t.Errorf("LastResult of an app never synced = %v; want ErrNotFound", err)
		}
	})
}

// TestFinishSyncTakesTheRemovalAndRefusalPhases records the phases of a
// removed app and of a refused empty sync.
func TestFinishSyncTakesTheRemovalAndRefusalPhases(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *testDB) {
		s := db.open(t)
		for _, phase := range []string{PhaseDeleted, PhaseOrphaned, PhaseRefused} {
			id := begin(t, s, "web-"+phase, "prod", "r1")
			finish(t, s, id, phase)
			if last, err := s.LastResult(ctx(t), "web-"+phase, "prod"); err != nil || last.Phase != phase {
				t.Errorf("LastResult after %s = %+v, %v", phase, last, err)
			}
		}
	})
}
