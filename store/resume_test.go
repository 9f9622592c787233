package store

import (
	"errors"
	"testing"
)

// TestResumeSyncContinuesTheSameWorkOnly: another replica running a job
// again continues the Running record its stopped worker left (one history
// row), but only for the same revision, trigger and initiator; other work
// is still refused while that sync runs, and a finished sync is never
// reopened.
func TestResumeSyncContinuesTheSameWorkOnly(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *testDB) {
		s, other := db.open(t), db.open(t)
		first := begin(t, s, "web", "prod", "r1")
		same := SyncRecord{App: "web", Cluster: "prod", Revision: "r1", Trigger: TriggerMerge, Initiator: "alice"}

		id, resumed, err := other.ResumeSync(ctx(t), same)
		if err != nil || !resumed || id != first {
			t.Fatalf("ResumeSync(same work) = %d, %v, %v; want %d, true, nil", id, resumed, err, first)
		}
		for _, r := range []SyncRecord{
			{App: "web", Cluster: "prod", Revision: "r2", Trigger: TriggerMerge, Initiator: "alice"},
			{App: "web", Cluster: "prod", Revision: "r1", Trigger: TriggerCommand, Initiator: "alice"},
			{App: "web", Cluster: "prod", Revision: "r1", Trigger: TriggerMerge, Initiator: "mallory"},
		} {
			if _, _, err := other.ResumeSync(ctx(t), r); !errors.Is(err, ErrSyncInProgress) {
				t.Errorf("ResumeSync(%s by %s at %s) while sync %d runs = %v; want ErrSyncInProgress", r.Trigger, r.Initiator, r.Revision, first, err)
			}
		}
		finish(t, other, first, PhaseSucceeded)
		id, resumed, err = other.ResumeSync(ctx(t), same)
		if err != nil || resumed || id == first {
			t.Fatalf("ResumeSync after sync %d finished = %d, %v, %v; want a new sync", first, id, resumed, err)
		}
		recs, err := s.History(ctx(t), "web", "prod", 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 2 {
			t.Errorf("history has %d records; want 2 (the resumed one once, then the new one)", len(recs))
		}
	})
}
