package store

import "testing"

// TestHistoryKeepsTheSourcesASyncRead: the other repositories and charts a
// sync rendered from come back with its history, and a sync of the served
// repository alone shows its revision only.
func TestHistoryKeepsTheSourcesASyncRead(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *testDB) {
		s := db.open(t)
		const src = "https://github.com/org/k8s-apps.git@main (3f2a9c1)"
		id, err := s.BeginSync(ctx(t), SyncRecord{App: "payment", Cluster: "prod", Revision: "a1b2c3d", Sources: src, Trigger: TriggerMerge})
		if err != nil {
			t.Fatal(err)
		}
		finish(t, s, id, PhaseSucceeded)
		deploy(t, db, s, "web", "prod", "b2c3d4e", PhaseSucceeded)
		hist, err := s.History(ctx(t), "payment", "prod", 1)
		if err != nil || len(hist) != 1 {
			t.Fatalf("history = %v, %v", hist, err)
		}
		if got, want := hist[0].WithSources("a1b2c3d"), "a1b2c3d + "+src; got != want {
			t.Errorf("history shows %q, want %q", got, want)
		}
		hist, err = s.History(ctx(t), "web", "prod", 1)
		if err != nil || len(hist) != 1 {
			t.Fatalf("history = %v, %v", hist, err)
		}
		if got := hist[0].WithSources("b2c3d4e"); got != "b2c3d4e" {
			t.Errorf("a sync of the served repository alone shows %q", got)
		}
	})
}
