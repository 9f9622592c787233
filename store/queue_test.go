package store

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func enqueue(t *testing.T, s *Store, jobs ...Job) {
	t.Helper()
	if err := s.Enqueue(ctx(t), jobs...); err != nil {
		t.Fatalf("Enqueue: %v", err)
	}
}

func claim(t *testing.T, s *Store, worker string) *Job {
	t.Helper()
	j, err := s.Claim(ctx(t), worker, time.Minute)
	if err != nil {
		t.Fatalf("Claim(%s): %v", worker, err)
	}
	return j
}

// claimKinds claims until nothing is ready and returns the kinds claimed.
func claimKinds(t *testing.T, s *Store, worker string) []string {
	t.Helper()
	var kinds []string
	for j := claim(t, s, worker); j != nil; j = claim(t, s, worker) {
		kinds = append(kinds, j.Kind)
	}
	return kinds
}

func TestClaimIsFIFOAndHidesLeasedJobsUntilTheLeaseEnds(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *testDB) {
		a, b := db.open(t), db.open(t)
		if j := claim(t, a, "a"); j != nil {
			t.Fatalf("Claim on an empty queue = %+v, want nil", j)
		}
		enqueue(t, a, Job{Kind: "first"}, Job{Kind: "second"}, Job{Kind: "later", RunAfter: db.clock.Now().Add(time.Hour)})
		if got := claimKinds(t, a, "a"); strings.Join(got, ",") != "first,second" {
			t.Fatalf("claimed %v, want first,second (oldest first; later not before its time)", got)
		}
		if j := claim(t, b, "b"); j != nil {
			t.Fatalf("another Store claimed leased job %+v", j)
		}
		db.clock.Advance(time.Minute)
		got := claimKinds(t, b, "b")
		if strings.Join(got, ",") != "first,second" {
			t.Errorf("after the leases ran out, b claimed %v, want first,second", got)
		}
		db.clock.Advance(time.Hour)
		if got := claimKinds(t, a, "a"); len(got) != 3 || got[2] != "later" {
			t.Errorf("an hour later claimed %v, want first, second (leases expired again) and later", got)
		}
	})
}

func TestJobsWithTheSameKeyNeverRunAtOnce(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *testDB) {
		s := db.open(t)
		enqueue(t, s,
			Job{Kind: "pr12-opened", Key: "pr:acme/gitops#12"},
			Job{Kind: "pr12-pushed", Key: "pr:acme/gitops#12"},
			Job{Kind: "pr13-opened", Key: "pr:acme/gitops#13"},
			Job{Kind: "unkeyed"},
			Job{Kind: "pr12-comment", Key: "pr:acme/gitops#12"},
		)
		first := claim(t, s, "w")
		got := append([]string{first.Kind}, claimKinds(t, s, "w")...)
		if want := "pr12-opened,pr13-opened,unkeyed"; strings.Join(got, ",") != want {
			t.Fatalf("claimed %v while pr12-opened runs, want %s", got, want)
		}
		if err := s.Complete(ctx(t), first.ID); err != nil {
			t.Fatal(err)
		}
		next := claim(t, s, "w")
		if next == nil || next.Kind != "pr12-pushed" || claim(t, s, "w") != nil {
			t.Fatalf("after pr12-opened completed: claimed %+v, want only pr12-pushed", next)
		}
		db.clock.Advance(time.Minute) // pr12-pushed's worker died
		if got := claimKinds(t, s, "w"); strings.Join(got, ",") != "pr12-pushed,pr13-opened,unkeyed" {
			t.Errorf("after every lease ran out claimed %v, want pr12-pushed again (before pr12-comment), pr13-opened, unkeyed", got)
		}
	})
}

func TestFailRetriesThenBuriesTheJob(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *testDB) {
		s := db.open(t)
		enqueue(t, s, Job{Kind: "comment", Key: "pr:1", MaxAttempts: 3})
		for attempt := 1; attempt <= 3; attempt++ {
			j := claim(t, s, "w")
			if j == nil || j.Attempts != attempt {
				t.Fatalf("attempt %d: Claim = %+v, want the job with Attempts=%d", attempt, j, attempt)
			}
			if err := s.Fail(ctx(t), j.ID, fmt.Errorf("post comment on acme/gitops#1: 502 Bad Gateway (attempt %d)", attempt), 30*time.Second); err != nil {
				t.Fatal(err)
			}
			if again := claim(t, s, "w"); again != nil {
				t.Fatalf("attempt %d: job claimable again before retryAfter: %+v", attempt, again)
			}
			db.clock.Advance(30 * time.Second)
		}
		if j := claim(t, s, "w"); j != nil {
			t.Fatalf("job claimed after MaxAttempts failures: %+v", j)
		}
		dead, err := s.Job(ctx(t), 1)
		if err != nil || dead.State != JobDead || dead.Attempts != 3 || !strings.Contains(dead.LastError, "502 Bad Gateway (attempt 3)") {
			t.Errorf("Job after 3 failures = %+v, %v; want state dead with the last error kept", dead, err)
		}
		if err := s.Fail(ctx(t), 1, errors.New("late report"), 0); err != nil {
			t.Errorf("Fail on a dead job: %v", err)
		}
		if j, _ := s.Job(ctx(t), 1); j.State != JobDead || strings.Contains(j.LastError, "late report") {
			t.Errorf("a late Fail changed the dead job: %+v", j)
		}
		if err := s.Fail(ctx(t), 99, errors.New("x"), 0); !errors.Is(err, ErrNotFound) {
			t.Errorf("Fail of an unknown job = %v, want ErrNotFound", err)
		}
	})
}

func TestAJobWhoseWorkerKeepsDyingIsBuried(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *testDB) {
		s := db.open(t)
		enqueue(t, s, Job{Kind: "poison", MaxAttempts: 2}, Job{Kind: "healthy"})
		for range 2 { // the worker crashes on the job each time
			if j := claim(t, s, "w"); j == nil || j.Kind != "poison" {
				t.Fatalf("Claim = %+v, want the poison job", j)
			}
			db.clock.Advance(time.Minute)
		}
		if got := claimKinds(t, s, "w"); strings.Join(got, ",") != "healthy" {
			t.Errorf("claimed %v, want only the healthy job: the poison one has used its attempts", got)
		}
		j, _ := s.Job(ctx(t), 1)
		if j.State != JobDead || !strings.Contains(j.LastError, "lease ran out on the last attempt") {
			t.Errorf("poison job = %+v, want dead with a message saying its worker stopped", j)
		}
	})
}

func TestCompleteAndExtendLease(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *testDB) {
		s := db.open(t)
		enqueue(t, s, Job{Kind: "sync", Key: "app:web/prod"}, Job{Kind: "sync-again", Key: "app:web/prod"})
		j := claim(t, s, "w")
		for range 3 { // long work: renew every 50 seconds of a 1 minute lease
			db.clock.Advance(50 * time.Second)
			if err := s.ExtendLease(ctx(t), j.ID, time.Minute); err != nil {
				t.Fatal(err)
			}
			if other := claim(t, s, "other"); other != nil {
				t.Fatalf("claimed %+v while the same key's lease was extended", other)
			}
		}
		if err := s.Complete(ctx(t), j.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.Complete(ctx(t), j.ID); err != nil {
			t.Errorf("completing twice: %v", err)
		}
		if err := s.ExtendLease(ctx(t), j.ID, time.Minute); !errors.Is(err, ErrLeaseLost) {
			t.Errorf("ExtendLease of a done job = %v, want ErrLeaseLost", err)
		}
		if err := s.Complete(ctx(t), 99); !errors.Is(err, ErrNotFound) {
			t.Errorf("Complete of an unknown job = %v, want ErrNotFound", err)
		}
		if got, _ := s.Job(ctx(t), j.ID); got.State != JobDone {
			t.Errorf("job state = %s, want done", got.State)
		}
		if next := claim(t, s, "w"); next == nil || next.Kind != "sync-again" {
			t.Errorf("after completion claimed %+v, want sync-again", next)
		}
	})
}

func TestDedupeSkipsJobsAlreadyWaitingOrRunning(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *testDB) {
		s := db.open(t)
		heal := Job{Kind: "selfheal", Dedupe: "selfheal:web/prod@r1"}
		enqueue(t, s, heal, heal, Job{Kind: "selfheal", Dedupe: "selfheal:web/prod@r2"})
		j := claim(t, s, "w")
		enqueue(t, s, heal) // the same work is running: skipped
		if err := s.Complete(ctx(t), j.ID); err != nil {
			t.Fatal(err)
		}
		enqueue(t, s, heal) // done: the same work may be asked for again
		got := claimKinds(t, s, "w")
		if len(got) != 2 {
			t.Errorf("claimed %d more jobs, want 2 (r2, and r1 again after it was done)", len(got))
		}
		if err := s.Enqueue(ctx(t), Job{Key: "k"}); err == nil || !strings.Contains(err.Error(), "kind is required") {
			t.Errorf("Enqueue without a kind = %v, want an error", err)
		}
	})
}
