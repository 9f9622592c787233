package applier

import (
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/gitwave/gitwave/planner"
)

// TestDriftHealed checks that an edit by another field manager shows as
// drift, in the live diff, and that a sync heals it; and that a check with
// nothing changed makes no API request.
func TestDriftHealed(t *testing.T) {
	m, _ := newManager(t, "c1", Options{})
	createNamespace(t, m, "drift")
	app := testApp("drift", "c1", "drift")
	objs := objects(t, configMap("settings", 0), deployment("api", 1, 0))
	if _, err := m.Sync(t.Context(), SyncRequest{App: app, Objects: objs, Revision: "r1"}, nil); err != nil {
		t.Fatal(err)
	}
	if drifted, changes := driftEventually(t, m, app, objs, false); drifted {
		t.Fatalf("drift right after sync: %+v", changes)
	}
	time.Sleep(time.Second) // let the watches connect; their requests are the cache's one-off cost
	before := m.Requests()
	if drifted, _, err := m.Drift(t.Context(), app, objs); err != nil || drifted {
		t.Fatalf("Drift = %v, %v", drifted, err)
	}
	if n := m.Requests() - before; n != 0 {
		t.Errorf("a drift check with nothing changed made %d requests, want 0", n)
	}

	// kubectl edit, as another field manager.
	edit := []byte(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"settings","namespace":"drift"},"data":{"k":"edited"}}`)
	force := true
	if _, err := m.client.Resource(configMapsGVR).Namespace("drift").Patch(t.Context(), "settings", types.ApplyPatchType, edit,
		metav1.PatchOptions{FieldManager: "kubectl-edit", Force: &force}); err != nil {
		t.Fatal(err)
	}
	drifted, changes := driftEventually(t, m, app, objs, true)
	if !drifted || len(changes) != 1 || changes[0].Key.Name != "settings" || changes[0].Action != planner.ActionChanged ||
		!containsAll(changes[0].Diff, "-  k: edited", "+  k: v") {
		t.Fatalf("drift = %v %+v, want settings changed back from edited to v", drifted, changes)
	}
	diff, err := m.Diff(t.Context(), app, objs, DiffOptions{})
	if err != nil || diff.Status != planner.AppChanged {
		t.Fatalf("Diff = %+v, %v; want changed", diff, err)
	}

	if _, err := m.Sync(t.Context(), SyncRequest{App: app, Objects: objs, Revision: "r1", Trigger: "selfHeal"}, nil); err != nil {
		t.Fatal(err)
	}
	cm, err := m.client.Resource(configMapsGVR).Namespace("drift").Get(t.Context(), "settings", metav1.GetOptions{})
	if err != nil || str(cm, "data", "k") != "v" {
		t.Fatalf("after self-heal data.k = %q (%v), want v", str(cm, "data", "k"), err)
	}
	if drifted, changes := driftEventually(t, m, app, objs, false); drifted {
		t.Errorf("still drifted after heal: %+v", changes)
	}
}

// TestDiffIgnoreDifferences checks that a field owned by a manager the app
// ignores does not show in the live diff.
func TestDiffIgnoreDifferences(t *testing.T) {
	m, _ := newManager(t, "c1", Options{})
	createNamespace(t, m, "ignore")
	app := testApp("ignore", "c1", "ignore")
	objs := objects(t, deployment("api", 1, 0))
	if _, err := m.Sync(t.Context(), SyncRequest{App: app, Objects: objs, Revision: "r1"}, nil); err != nil {
		t.Fatal(err)
	}
	scale := []byte(`{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"api","namespace":"ignore"},"spec":{"replicas":3}}`)
	force := true
	if _, err := m.client.Resource(deploymentsGVR).Namespace("ignore").Patch(t.Context(), "api", types.ApplyPatchType, scale,
		metav1.PatchOptions{FieldManager: "autoscaler", Force: &force}); err != nil {
		t.Fatal(err)
	}
	diff, err := m.Diff(t.Context(), app, objs, DiffOptions{})
	if err != nil || diff.Status != planner.AppChanged {
		t.Fatalf("without ignoreDifferences: %+v, %v; want changed", diff, err)
	}
	app.Spec.IgnoreDifferences = []planner.ResourceIgnoreRule{{Group: "apps", Kind: "Deployment", ManagedFieldsManagers: []string{"autoscaler"}}}
	diff, err = m.Diff(t.Context(), app, objs, DiffOptions{})
	if err != nil || diff.Status != planner.AppUnchanged {
		t.Fatalf("with ignoreDifferences: %+v, %v; want unchanged", diff, err)
	}
}

// driftEventually polls Drift for up to 10s until it reports want, since the
// watch cache sees changes a moment after they happen.
func driftEventually(t *testing.T, m *Manager, app *planner.App, objs []*planner.Object, want bool) (bool, []planner.Change) {
	t.Helper()
	var drifted bool
	var changes []planner.Change
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		var err error
		drifted, changes, err = m.Drift(t.Context(), app, objs)
		if err != nil {
			t.Fatal(err)
		}
		if drifted == want {
			break
		}
	}
	return drifted, changes
}
