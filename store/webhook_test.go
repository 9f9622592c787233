package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestAcceptStoresADeliveryAndEnqueuesItsJobsOnce(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *testDB) {
		s, replica := db.open(t), db.open(t)
		d := Delivery{Host: "github", ID: "72d3162e-cc78-11e3-81ab-4c9367dc0958", Event: "pull_request", Payload: []byte(`{"action":"opened"}`)}
		job := Job{Kind: "pull_request", Key: "pr:acme/gitops#12", Payload: []byte(`{"delivery":"72d3162e"}`)}

		tests := []struct {
			name  string
			store *Store
			d     Delivery
			want  bool
		}{
			{"first delivery", s, d, true},
			{"redelivery", s, d, false},
			{"redelivery to another replica", replica, d, false},
			{"same id from another host", s, Delivery{Host: "gitlab", ID: d.ID, Event: "Merge Request Hook"}, true},
		}
		for _, tt := range tests {
			got, err := tt.store.Accept(ctx(t), tt.d, job)
			if err != nil || got != tt.want {
				t.Errorf("%s: Accept = %v, %v; want %v", tt.name, got, err, tt.want)
			}
		}
		var claimed []*Job
		for {
			j, err := s.Claim(ctx(t), "w1", time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			if j == nil {
				break
			}
			claimed = append(claimed, j)
			if err := s.Complete(ctx(t), j.ID); err != nil {
				t.Fatal(err)
			}
		}
		if len(claimed) != 2 {
			t.Fatalf("claimed %d jobs after two accepted deliveries, want 2", len(claimed))
		}
		if !bytes.Equal(claimed[0].Payload, job.Payload) || claimed[0].Kind != job.Kind || claimed[0].Key != job.Key {
			t.Errorf("claimed job = %+v, want the enqueued %+v", claimed[0], job)
		}
		got, err := replica.Delivery(ctx(t), "github", d.ID)
		if err != nil || got.Event != d.Event || !bytes.Equal(got.Payload, d.Payload) || !got.ReceivedAt.Equal(db.clock.Now()) {
			t.Errorf("Delivery = %+v, %v; want the accepted delivery, received now", got, err)
		}
		if _, err := s.Delivery(ctx(t), "github", "unknown"); !errors.Is(err, ErrNotFound) {
			t.Errorf("Delivery of an unknown id = %v, want ErrNotFound", err)
		}
	})
}

func TestAcceptRejectsBadInputAndStoresNothing(t *testing.T) {
	forEachDriver(t, func(t *testing.T, s *Store) {
		tests := []struct {
			name string
			d    Delivery
			jobs []Job
			want string
		}{
			{"no delivery id", Delivery{Host: "github", Event: "push"}, nil, `delivery id ("") are required`},
			{"job without kind", Delivery{Host: "github", ID: "d1", Event: "push"}, []Job{{Key: "k"}}, "accept github delivery d1: enqueue job 1 of 1"},
		}
		for _, tt := range tests {
			ok, err := s.Accept(ctx(t), tt.d, tt.jobs...)
			if ok || err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%s: Accept = %v, %v; want an error containing %q", tt.name, ok, err, tt.want)
			}
		}
		// The rejected delivery was not stored: it is accepted once it is valid.
		if ok, err := s.Accept(ctx(t), Delivery{Host: "github", ID: "d1", Event: "push"}, Job{Kind: "push"}); !ok || err != nil {
			t.Errorf("Accept after a rejected attempt = %v, %v; want accepted", ok, err)
		}
	})
}

func TestAcceptedWorkSurvivesACrashBeforeItRuns(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *testDB) {
		before := db.open(t)
		if ok, err := before.Accept(ctx(t), Delivery{Host: "github", ID: "d1", Event: "push"}, Job{Kind: "push", Key: "repo:acme/gitops"}); !ok || err != nil {
			t.Fatalf("Accept = %v, %v", ok, err)
		}
		crashed, err := before.Claim(ctx(t), "replica-a", time.Minute)
		if err != nil || crashed == nil {
			t.Fatalf("Claim = %v, %v", crashed, err)
		}
		before.Close() // the process dies with the job leased

		after := db.open(t) // the restarted process
		if j, err := after.Claim(ctx(t), "replica-a2", time.Minute); err != nil || j != nil {
			t.Fatalf("Claim during the dead worker's lease = %+v, %v; want nothing", j, err)
		}
		db.clock.Advance(time.Minute)
		j, err := after.Claim(ctx(t), "replica-a2", time.Minute)
		if err != nil || j == nil || j.ID != crashed.ID || j.Attempts != 2 {
			t.Fatalf("Claim after the lease ran out = %+v, %v; want job %d on its 2nd attempt", j, err, crashed.ID)
		}
		if err := after.Complete(ctx(t), j.ID); err != nil {
			t.Fatal(err)
		}
		if ok, _ := after.Accept(ctx(t), Delivery{Host: "github", ID: "d1", Event: "push"}, Job{Kind: "push"}); ok {
			t.Error("the host redelivered d1 after the restart and it was accepted again")
		}
	})
}

func TestAcceptOnceByWorkWhateverTheDeliveryID(t *testing.T) {
	works := []struct{ name, work, next string }{
		{"comment command", "comment:acme/gitops/1244", "comment:acme/gitops/1245"},
		{"pull request head and action", "pr:acme/gitops#12@" + strings.Repeat("a", 40) + ":synchronize",
			"pr:acme/gitops#12@" + strings.Repeat("b", 40) + ":synchronize"},
		{"merge commit", "merge:acme/gitops@" + strings.Repeat("c", 40), "merge:acme/gitops@" + strings.Repeat("d", 40)},
	}
	forEachDB(t, func(t *testing.T, db *testDB) {
		s, replica := db.open(t), db.open(t)
		for i, w := range works {
			d := Delivery{Host: "github", ID: fmt.Sprintf("first-%d", i), Event: "e", Work: w.work}
			if ok, err := s.Accept(ctx(t), d, Job{Kind: "k"}); !ok || err != nil {
				t.Fatalf("%s: first Accept = %v, %v", w.name, ok, err)
			}
			for j := claim(t, s, "w"); j != nil; j = claim(t, s, "w") {
				if err := s.Complete(ctx(t), j.ID); err != nil {
					t.Fatal(err)
				}
			}
			db.clock.Advance(30 * 24 * time.Hour) // long after every lease and lock
			replay := Delivery{Host: "github", ID: fmt.Sprintf("replay-%d", i), Event: "e", Work: w.work}
			if ok, err := replica.Accept(ctx(t), replay, Job{Kind: "k"}); ok || err != nil {
				t.Errorf("%s: replay under a new delivery id: Accept = %v, %v; want a duplicate", w.name, ok, err)
			}
			if _, err := s.Delivery(ctx(t), "github", replay.ID); !errors.Is(err, ErrNotFound) {
				t.Errorf("%s: the replayed delivery was stored: %v", w.name, err)
			}
			if j := claim(t, s, "w"); j != nil {
				t.Errorf("%s: the replay enqueued job %+v", w.name, j)
			}
			for _, other := range []Delivery{
				{Host: "github", ID: fmt.Sprintf("next-%d", i), Event: "e", Work: w.next},
				{Host: "gitlab", ID: fmt.Sprintf("other-host-%d", i), Event: "e", Work: w.work},
			} {
				if ok, err := s.Accept(ctx(t), other, Job{Kind: "k"}); !ok || err != nil {
					t.Errorf("%s: other work %s on %s: Accept = %v, %v; want accepted", w.name, other.Work, other.Host, ok, err)
				}
			}
		}
		got, err := replica.Delivery(ctx(t), "github", "first-0")
		if err != nil || got.Work != works[0].work {
			t.Errorf("Delivery = %+v, %v; want work %q", got, err, works[0].work)
		}
		for i := range 2 {
			d := Delivery{Host: "github", ID: fmt.Sprintf("no-work-%d", i), Event: "ping"}
			if ok, err := s.Accept(ctx(t), d); !ok || err != nil {
				t.Errorf("delivery %s without work: Accept = %v, %v; want accepted", d.ID, ok, err)
			}
		}
	})
}

func TestConcurrentReplaysOfOneWorkAcceptOne(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *testDB) {
		stores := []*Store{db.open(t), db.open(t), db.open(t)}
		var wg sync.WaitGroup
		var accepted atomic.Int32
		for i := range 12 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				d := Delivery{Host: "github", ID: fmt.Sprintf("d-%d", i), Event: "issue_comment", Work: "comment:acme/gitops/7"}
				ok, err := stores[i%len(stores)].Accept(context.Background(), d, Job{Kind: "comment"})
				if err != nil {
					t.Errorf("Accept %s: %v", d.ID, err)
				}
				if ok {
					accepted.Add(1)
				}
			}()
		}
		wg.Wait()
		if n := accepted.Load(); n != 1 {
			t.Errorf("%d of 12 concurrent deliveries of one comment were accepted; want 1", n)
		}
	})
}
