package store

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

func begin(t *testing.T, s *Store, app, cluster, revision string) int64 {
	t.Helper()
	id, err := s.BeginSync(ctx(t), SyncRecord{App: app, Cluster: cluster, Revision: revision, Trigger: TriggerMerge, Initiator: "alice"})
	if err != nil {
		t.Fatalf("BeginSync(%s, %s, %s): %v", app, cluster, revision, err)
	}
	return id
}

func finish(t *testing.T, s *Store, id int64, phase string) {
	t.Helper()
	if err := s.FinishSync(ctx(t), id, phase, "done", nil); err != nil {
		t.Fatalf("FinishSync(%d, %s): %v", id, phase, err)
	}
}

func TestBeginSyncAllowsOneRunningSyncPerAppAndCluster(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *testDB) {
		s, other := db.open(t), db.open(t)
		first := begin(t, s, "web", "prod", "r1")

		_, err := other.BeginSync(ctx(t), SyncRecord{App: "web", Cluster: "prod", Revision: "r2", Trigger: TriggerCommand, Initiator: "bob"})
		if !errors.Is(err, ErrSyncInProgress) {
			t.Fatalf("second BeginSync on web/prod from another Store = %v, want ErrSyncInProgress", err)
		}
		for _, want := range []string{"web", "prod", `"r1"`, `"alice"`} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not mention %s", err, want)
			}
		}
		begin(t, other, "web", "staging", "r2") // another cluster runs in parallel
		begin(t, other, "api", "prod", "r2")    // another app too

		finish(t, s, first, PhaseSucceeded)
		begin(t, other, "web", "prod", "r2") // free again once finished
	})
}

func TestBeginSyncConcurrentlyFromManyStores(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *testDB) {
		const n = 8
		stores := []*Store{db.open(t), db.open(t)}
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				_, errs[i] = stores[i%2].BeginSync(ctx(t), SyncRecord{App: "web", Cluster: "prod", Trigger: TriggerSelfHeal})
			})
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case !errors.Is(err, ErrSyncInProgress):
				t.Errorf("BeginSync: %v", err)
			}
		}
		if won != 1 {
			t.Errorf("%d of %d concurrent BeginSync calls started a sync, want exactly 1", won, n)
		}
	})
}

func TestSyncLeaseExpiresWithoutHeartbeat(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *testDB) {
		s := db.open(t)
		crashed := begin(t, s, "web", "prod", "r1")
		crashedAt := db.clock.Now()

		db.clock.Advance(SyncLease - time.Second)
		if _, err := s.BeginSync(ctx(t), SyncRecord{App: "web", Cluster: "prod", Trigger: TriggerMerge}); !errors.Is(err, ErrSyncInProgress) {
			t.Fatalf("BeginSync just before the lease ends = %v, want ErrSyncInProgress", err)
		}
		db.clock.Advance(time.Second)
		hist, _ := s.History(ctx(t), "web", "prod", 0)
		if len(hist) != 1 || hist[0].Phase != PhaseError || !hist[0].FinishedAt.Equal(crashedAt) {
			t.Errorf("History after the lease ran out = %+v, want the sync shown as Error, finished at its last heartbeat", hist)
		}
		next := begin(t, s, "web", "prod", "r2")

		if err := s.HeartbeatSync(ctx(t), crashed); !errors.Is(err, ErrLeaseLost) {
			t.Errorf("HeartbeatSync of the replaced sync = %v, want ErrLeaseLost", err)
		}
		hist, _ = s.History(ctx(t), "web", "prod", 0)
		if len(hist) != 2 || hist[0].ID != next || hist[1].Phase != PhaseError || !strings.Contains(hist[1].Message, "stopped sending heartbeats") {
			t.Errorf("History = %+v, want the new sync first and the abandoned one as Error", hist)
		}
	})
}

func TestHeartbeatKeepsTheSyncRunning(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *testDB) {
		s := db.open(t)
		id := begin(t, s, "web", "prod", "r1")
		for range 5 { // 5 minutes, a heartbeat every minute
			db.clock.Advance(time.Minute)
			if err := s.HeartbeatSync(ctx(t), id); err != nil {
				t.Fatalf("HeartbeatSync: %v", err)
			}
		}
		if _, err := s.BeginSync(ctx(t), SyncRecord{App: "web", Cluster: "prod", Trigger: TriggerMerge}); !errors.Is(err, ErrSyncInProgress) {
			t.Errorf("BeginSync while heartbeats continue = %v, want ErrSyncInProgress", err)
		}
		finish(t, s, id, PhaseFailed)
		if err := s.HeartbeatSync(ctx(t), id); !errors.Is(err, ErrLeaseLost) {
			t.Errorf("HeartbeatSync after FinishSync = %v, want ErrLeaseLost", err)
		}
		if err := s.HeartbeatSync(ctx(t), 4242); !errors.Is(err, ErrNotFound) {
			t.Errorf("HeartbeatSync of an unknown sync = %v, want ErrNotFound", err)
		}
	})
}

func TestFinishSyncRecordsTheOutcome(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *testDB) {
		s := db.open(t)
		start := db.clock.Now()
		id, err := s.BeginSync(ctx(t), SyncRecord{App: "web", Cluster: "prod", Project: "team-a", Revision: "abc",
			Trigger: TriggerRollback, Initiator: "carol"})
		if err != nil {
			t.Fatal(err)
		}
		db.clock.Advance(42 * time.Second)
		objects := []ObjectResult{
			{Version: "v1", Kind: "Namespace", Name: "web", SyncPhase: "Sync", Wave: -1, Action: "created", Health: "Healthy"},
			{Group: "apps", Version: "v1", Kind: "Deployment", Namespace: "web", Name: "web", SyncPhase: "Sync", Wave: 2,
				Action: "failed", Health: "Degraded", Message: "ProgressDeadlineExceeded"},
		}
		if err := s.FinishSync(ctx(t), id, PhaseFailed, "wave 2: web/Deployment/web is Degraded", objects); err != nil {
			t.Fatal(err)
		}
		got, err := s.History(ctx(t), "web", "prod", 1)
		if err != nil {
			t.Fatal(err)
		}
		want := SyncRecord{ID: id, App: "web", Cluster: "prod", Project: "team-a", Revision: "abc", Trigger: TriggerRollback,
			Initiator: "carol", StartedAt: start, FinishedAt: start.Add(42 * time.Second), Phase: PhaseFailed,
			Message: "wave 2: web/Deployment/web is Degraded", Objects: objects}
		if len(got) != 1 || !reflect.DeepEqual(got[0], want) {
			t.Errorf("History = %+v\nwant [%+v]", got, want)
		}
	})
}

func TestSyncRejectsBadInput(t *testing.T) {
	forEachDriver(t, func(t *testing.T, s *Store) {
		tests := []struct {
			name string
			call func() error
			want string
		}{
			{"no cluster", func() error {
				_, err := s.BeginSync(ctx(t), SyncRecord{App: "web", Trigger: TriggerCLI})
				return err
			}, `cluster ("") are required`},
			{"unknown trigger", func() error {
				_, err := s.BeginSync(ctx(t), SyncRecord{App: "web", Cluster: "prod", Trigger: "cron"})
				return err
			}, `app web on cluster prod: unknown trigger "cron"`},
			{"finish as Running", func() error { return s.FinishSync(ctx(t), 1, PhaseRunning, "", nil) }, `phase "Running" is not a final phase`},
			{"finish unknown sync", func() error { return s.FinishSync(ctx(t), 999, PhaseSucceeded, "", nil) }, "finish sync 999: not found"},
		}
		for _, tt := range tests {
			if err := tt.call(); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%s: err = %v, want it to contain %q", tt.name, err, tt.want)
			}
		}
	})
}

func TestBeginSyncSpellsTheTriggerOneWay(t *testing.T) {
	forEachDriver(t, func(t *testing.T, s *Store) {
		for i, tt := range []struct{ in, want string }{{"selfHeal", TriggerSelfHeal}, {"MERGE", TriggerMerge}, {"", ""}} {
			cluster := fmt.Sprintf("c%d", i)
			if _, err := s.BeginSync(ctx(t), SyncRecord{App: "web", Cluster: cluster, Trigger: tt.in}); err != nil {
				t.Fatalf("BeginSync with trigger %q: %v", tt.in, err)
			}
			hist, _ := s.History(ctx(t), "web", cluster, 1)
			if len(hist) != 1 || hist[0].Trigger != tt.want {
				t.Errorf("trigger %q recorded as %+v, want %q", tt.in, hist, tt.want)
			}
		}
	})
}
