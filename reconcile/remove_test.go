package reconcile

import (
	"strings"
	"testing"
	"time"

	"github.com/gitwave/gitwave/applier"
	"github.com/gitwave/gitwave/planner"
	"github.com/gitwave/gitwave/store"
)

// TestRemovalFinalizer decides deleted or orphaned as Argo CD would: the
// app's own finalizer, unless a removed ancestor Application lacks it and
// so leaves the child Application in place.
func TestRemovalFinalizer(t *testing.T) {
	root := &planner.App{Name: "root"}
	rootFin := &planner.App{Name: "root", Finalizers: []string{FinalizerBackground}}
	child := &planner.App{Name: "child", Ancestors: []string{"root"}, Finalizers: []string{"other.example/keep", FinalizerResources}}
	bare := &planner.App{Name: "bare"}
	inv := func(apps ...*planner.App) *planner.Inventory { return &planner.Inventory{Apps: apps} }
	tests := []struct {
		name       string
		app        *planner.App
		base, head *planner.Inventory
		want, by   string
	}{
		{"own finalizer", child, inv(root, child), inv(root), FinalizerResources, ""},
		{"no finalizer", bare, inv(bare), inv(), "", ""},
		{"parent removed without the finalizer orphans the child", child, inv(root, child), inv(), "", "root"},
		{"parent removed with the finalizer cascades", child, inv(rootFin, child), inv(), FinalizerResources, ""},
	}
	for _, tt := range tests {
		got, by := RemovalFinalizer(tt.app, tt.base, tt.head)
		if got != tt.want || by != tt.by {
			t.Errorf("%s: RemovalFinalizer = %q, %q; want %q, %q", tt.name, got, by, tt.want, tt.by)
		}
	}
}

// unreachable is a Reconciler whose one cluster, "down", never answers,
// with a fresh store.
func unreachable(t *testing.T) (*Reconciler, *store.Store) {
	t.Helper()
	st, err := store.Open(t.Context(), store.Options{DSN: t.TempDir() + "/gitwave.db"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	fleet, err := applier.NewFleet([]applier.ClusterConfig{{Name: "down", Server: "https://127.0.0.1:1"}},
		applier.FleetOptions{Manager: applier.Options{Store: st, WaitTimeout: time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fleet.Close)
	return &Reconciler{Fleet: fleet, History: st}, st
}

// TestRemoveOfAnAppNeverDeployedDoesNothing: no inventory and no history
// there: nothing to delete, nothing recorded, no request to the cluster.
func TestRemoveOfAnAppNeverDeployedDoesNothing(t *testing.T) {
	r, st := unreachable(t)
	res, err := r.Remove(t.Context(), RemovedApp{App: "web", Cluster: "down", Finalizer: FinalizerResources, Revision: "r2"})
	if err != nil || res.Phase != "" || res.ID != 0 {
		t.Errorf("Remove = %+v, %v; want nothing done", res, err)
	}
	if recs, _ := st.History(t.Context(), "web", "down", 0); len(recs) != 0 {
		t.Errorf("history = %+v; want nothing recorded", recs)
	}
}

// TestRemoveThatFailsNamesTheObjectAndResumes: a deletion that cannot reach
// the cluster fails naming the app, the cluster and the object, is recorded
// Failed, keeps the inventory, and the next Remove tries again.
func TestRemoveThatFailsNamesTheObjectAndResumes(t *testing.T) {
	r, st := unreachable(t)
	entries := []store.InventoryEntry{{Version: "v1", Kind: "ConfigMap", Namespace: "shop", Name: "settings"}}
	if err := st.SaveInventory(t.Context(), "web", "down", "r1", entries); err != nil {
		t.Fatal(err)
	}
	res, err := r.Remove(t.Context(), RemovedApp{App: "web", Cluster: "down", Finalizer: FinalizerForeground, Revision: "r2"})
	if err == nil {
		t.Fatal("Remove on an unreachable cluster succeeded")
	}
	for _, want := range []string{"app web", "cluster down", "ConfigMap/shop/settings"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
	if res == nil || res.Phase != applier.SyncFailed {
		t.Errorf("Remove = %+v; want Failed", res)
	}
	if last, err := st.LastResult(t.Context(), "web", "down"); err != nil || last.Phase != store.PhaseFailed {
		t.Errorf("history = %+v, %v; want Failed", last, err)
	}
	if _, left, _ := st.Inventory(t.Context(), "web", "down"); len(left) != 1 {
		t.Errorf("inventory after a failed deletion = %+v; want the object kept", left)
	}
	again, err := r.Remove(t.Context(), RemovedApp{App: "web", Cluster: "down", Finalizer: FinalizerForeground, Revision: "r2"})
	if err == nil || again == nil || again.AlreadyDone {
		t.Errorf("second Remove = %+v, %v; want another attempt", again, err)
	}
}

// TestRemoveRefusesAnUnknownFinalizer: a finalizer that is not a
// resources finalizer is a caller's mistake, named in the error.
func TestRemoveRefusesAnUnknownFinalizer(t *testing.T) {
	r := &Reconciler{}
	_, err := r.Remove(t.Context(), RemovedApp{App: "x", Cluster: "east", Finalizer: "example.com/other"})
	if err == nil || !strings.Contains(err.Error(), "example.com/other") || !strings.Contains(err.Error(), "x") {
		t.Errorf("Remove with an unknown finalizer = %v; want an error naming it", err)
	}
}
