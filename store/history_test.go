package store

import (
	"errors"
	"slices"
	"testing"
	"time"
)

// deploy records one finished sync and returns its id.
func deploy(t *testing.T, db *testDB, s *Store, app, cluster, revision, phase string) int64 {
	t.Helper()
	id := begin(t, s, app, cluster, revision)
	db.clock.Advance(time.Minute)
	finish(t, s, id, phase)
	return id
}

func TestHistoryIsNewestFirstAndLimited(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *testDB) {
		s := db.open(t)
		var ids []int64
		for i, c := range []string{"prod", "staging", "prod", "staging", "prod"} {
			ids = append(ids, deploy(t, db, s, "web", c, string(rune('a'+i)), PhaseSucceeded))
		}
		deploy(t, db, s, "api", "prod", "z", PhaseSucceeded)

		tests := []struct {
			cluster string
			limit   int
			want    []int64
		}{
			{"", 0, []int64{ids[4], ids[3], ids[2], ids[1], ids[0]}},
			{"", 2, []int64{ids[4], ids[3]}},
			{"prod", 0, []int64{ids[4], ids[2], ids[0]}},
			{"staging", 1, []int64{ids[3]}},
			{"nowhere", 5, nil},
		}
		for _, tt := range tests {
			hist, err := s.History(ctx(t), "web", tt.cluster, tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, r := range hist {
				got = append(got, r.ID)
				if r.App != "web" {
					t.Errorf("History(web) returned a sync of %s", r.App)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("History(web, %q, %d) = %v, want %v", tt.cluster, tt.limit, got, tt.want)
			}
		}
	})
}

func TestLastSucceededStepsBackOneDeploymentAtATime(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *testDB) {
		s := db.open(t)
		// Oldest first: r1, r2 (then healed twice), a failed r3, r4; staging has r9.
		want := map[int]int64{}
		want[2] = deploy(t, db, s, "web", "prod", "r1", PhaseSucceeded)
		deploy(t, db, s, "web", "prod", "r2", PhaseSucceeded)
		deploy(t, db, s, "web", "prod", "r2", PhaseSucceeded)
		want[1] = deploy(t, db, s, "web", "prod", "r2", PhaseSucceeded)
		deploy(t, db, s, "web", "prod", "r3", PhaseFailed)
		want[0] = deploy(t, db, s, "web", "prod", "r4", PhaseSucceeded)
		staging := deploy(t, db, s, "web", "staging", "r9", PhaseSucceeded)

		wantRev := map[int]string{0: "r4", 1: "r2", 2: "r1"}
		for skip := range 3 {
			got, err := s.LastSucceeded(ctx(t), "web", "prod", skip)
			if err != nil {
				t.Fatalf("LastSucceeded(skip=%d): %v", skip, err)
			}
			if got.ID != want[skip] || got.Revision != wantRev[skip] || got.Phase != PhaseSucceeded {
				t.Errorf("LastSucceeded(skip=%d) = sync %d at %s, want sync %d at %s", skip, got.ID, got.Revision, want[skip], wantRev[skip])
			}
		}
		if _, err := s.LastSucceeded(ctx(t), "web", "prod", 3); !errors.Is(err, ErrNotFound) {
			t.Errorf("LastSucceeded beyond history = %v, want ErrNotFound", err)
		}
		if got, err := s.LastSucceeded(ctx(t), "web", "", 0); err != nil || got.ID != staging {
			t.Errorf("LastSucceeded on any cluster = %d, %v; want the staging sync %d", got.ID, err, staging)
		}
		if _, err := s.LastSucceeded(ctx(t), "web", "prod", -1); err == nil {
			t.Error("LastSucceeded with a negative skip succeeded")
		}
	})
}
