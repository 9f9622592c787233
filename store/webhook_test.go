package store

import (
	"bytes"
	"errors"
	"strings"
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
