package applier

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/gitwave/gitwave/store"
)

// TestPrune checks prune order (highest wave first, PruneLast at the end),
// Prune=false, extraneous objects when prune is off, and that an object
// tracked by another app is never deleted.
func TestPrune(t *testing.T) {
	m, st := newManager(t, "c1", Options{})
	createNamespace(t, m, "prune")
	app := testApp("prune", "c1", "prune")
	v1 := objects(t, configMap("keep", 0), configMap("w1", 1), configMap("w3", 3), configMap("last", 5, `argocd.argoproj.io/sync-options: PruneLast=true`),
		configMap("pinned", 2, `argocd.argoproj.io/sync-options: Prune=false`), configMap("w2", 2))
	if _, err := m.Sync(t.Context(), SyncRequest{App: app, Objects: v1, Revision: "r1"}, nil); err != nil {
		t.Fatal(err)
	}
	v2 := objects(t, configMap("keep", 0))

	res, err := m.Sync(t.Context(), SyncRequest{App: app, Objects: v2, Revision: "r2"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if o := outcome(t, res, "ConfigMap", "w3"); o.Action != ActionPruneSkipped || !containsAll(o.Message, "extraneous") {
		t.Errorf("prune off: w3 = %+v, want pruneSkipped as extraneous", o)
	}

	// Another app's object slipped into this app's inventory must survive.
	foreign := objects(t, configMap("foreign", 0))
	if _, err := m.Sync(t.Context(), SyncRequest{App: testApp("other", "c1", "prune"), Objects: foreign, Revision: "r1"}, nil); err != nil {
		t.Fatal(err)
	}
	rev, inv, _ := st.Inventory(t.Context(), "prune", "c1")
	inv = append(inv, store.InventoryEntry{Version: "v1", Kind: "ConfigMap", Namespace: "prune", Name: "foreign"})
	if err := st.SaveInventory(t.Context(), "prune", "c1", rev, inv); err != nil {
		t.Fatal(err)
	}
	stop := recordEvents(t, m.client, "prune", configMapsGVR)
	res, err = m.Sync(t.Context(), SyncRequest{App: app, Objects: v2, Revision: "r2", Prune: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := eventNames(stop(), watch.Deleted); namesString(got) != "ConfigMap/w3 ConfigMap/w2 ConfigMap/w1 ConfigMap/last" {
		t.Errorf("deleted in order %v, want w3, w2, w1, then PruneLast last", got)
	}
	for _, name := range []string{"keep", "pinned", "foreign"} {
		if _, err := m.client.Resource(configMapsGVR).Namespace("prune").Get(t.Context(), name, metav1.GetOptions{}); err != nil {
			t.Errorf("%s was deleted: %v", name, err)
		}
	}
	if o := outcome(t, res, "ConfigMap", "pinned"); o.Action != ActionPruneSkipped || !containsAll(o.Message, "Prune=false") {
		t.Errorf("pinned = %+v, want pruneSkipped by Prune=false", o)
	}
	if o := outcome(t, res, "ConfigMap", "foreign"); o.Action != ActionPruneSkipped || !containsAll(o.Message, "other") {
		t.Errorf("foreign = %+v, want pruneSkipped naming the other app", o)
	}
	_, inv, _ = st.Inventory(t.Context(), "prune", "c1")
	var names []string
	for _, e := range inv {
		names = append(names, e.Name)
	}
	if namesString(names) != "keep pinned" {
		t.Errorf("inventory after prune = %v, want keep and pinned", names)
	}
}
