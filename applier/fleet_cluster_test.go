package applier

import (
	"testing"
	"time"
)

// TestFleetOneClusterStopped syncs an app to three clusters at once and
// stops one of them midway: the other two finish, the stopped one is
// reported. It stops c3, so it must be the only test that uses c3.
func TestFleetOneClusterStopped(t *testing.T) {
	e := needEnv(t)
	st := newStore(t)
	var clusters []ClusterConfig
	for _, n := range clusterNames {
		clusters = append(clusters, ClusterConfig{Name: n, Server: e.Server(n), Token: e.Token(n), CAData: e.CAData(n)})
	}
	f, err := NewFleet(clusters, FleetOptions{Manager: Options{Store: st, WaitTimeout: time.Minute}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.Close)
	var reqs []SyncRequest
	for _, n := range clusterNames {
		app := testApp("fleet", n, "fleet", "CreateNamespace=true")
		reqs = append(reqs, SyncRequest{App: app, Objects: objects(t, deployment("api", 2, 0), configMap("after", 1)), Revision: "r1"})
	}
	stopped := make(chan struct{})
	results := f.SyncAll(t.Context(), reqs, func(ev Event) {
		if ev.Cluster == "c3" && ev.Type == EventWaiting {
			select {
			case <-stopped:
			default:
				close(stopped)
				if err := e.Stop("c3"); err != nil {
					t.Error(err)
				}
			}
		}
	})
	for _, r := range results {
		switch r.Cluster {
		case "c3":
			if r.Err == nil {
				t.Errorf("c3 was stopped midway but its sync succeeded")
			}
		default:
			if r.Err != nil || r.Result.Phase != SyncSucceeded {
				t.Errorf("%s: %v, want Succeeded despite c3", r.Cluster, r.Err)
			}
		}
	}
	hist, err := st.History(t.Context(), "fleet", "", 0)
	if err != nil || len(hist) != 3 {
		t.Fatalf("history = %d records, %v; want one per cluster", len(hist), err)
	}
	for _, h := range hist {
		want := "Succeeded"
		if h.Cluster == "c3" {
			want = "Failed"
		}
		if h.Phase != want {
			t.Errorf("%s recorded %s, want %s", h.Cluster, h.Phase, want)
		}
	}
}
