package reconcile

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/gitwave/gitwave/applier"
	"github.com/gitwave/gitwave/planner"
	"github.com/gitwave/gitwave/store"
)

// emptied returns src at revision rev with path's manifests replaced by a
// file that holds no object, and its apps.
func emptied(t *testing.T, r *Reconciler, src planner.Source, path, rev string) (planner.Source, *planner.Inventory) {
	t.Helper()
	repo := fstest.MapFS{}
	for name, f := range src.Repo.(fstest.MapFS) {
		if !strings.HasPrefix(name, path+"/") {
			repo[name] = f
		}
	}
	repo[path+"/objects.yaml"] = &fstest.MapFile{Data: []byte("# every object was deleted\n")}
	next := src
	next.Repo, next.Revision = repo, rev
	inv, err := r.Planner.Discover(t.Context(), next)
	if err != nil || len(inv.Errors) > 0 {
		t.Fatalf("discover %s: %v %v", rev, err, inv.Errors)
	}
	return next, inv
}

// TestEmptyAutomatedSyncPrunesNothing: a merge deploy of an automated,
// pruning app that suddenly renders nothing is refused; its objects stay
// and history says Refused. With allowEmpty: true the same deploy prunes.
func TestEmptyAutomatedSyncPrunesNothing(t *testing.T) {
	allowing := strings.Replace(app("empty-allowed", "0", "allowed", "east"), "prune: true", "prune: true, allowEmpty: true", 1)
	repo := fstest.MapFS{
		"apps/empty-refused.yaml": {Data: []byte(app("empty-refused", "0", "refused", "east"))},
		"apps/empty-allowed.yaml": {Data: []byte(allowing)},
		"refused/objects.yaml":    {Data: []byte(configMap("kept", "1"))},
		"allowed/objects.yaml":    {Data: []byte(configMap("pruned", "1"))},
	}
	r, src, inv := fixture(t, repo)
	for _, res := range r.Sync(t.Context(), src, inv, inv.Apps, SyncOptions{Trigger: store.TriggerMerge}) {
		if res.Err != nil {
			t.Fatal(res.Err)
		}
	}
	src2, inv2 := emptied(t, r, src, "refused", "r2")
	src2.Repo.(fstest.MapFS)["allowed/objects.yaml"] = &fstest.MapFile{Data: []byte("# nothing\n")}
	results := r.Sync(t.Context(), src2, inv2, inv2.Apps, SyncOptions{Trigger: store.TriggerMerge})
	cs := clientset(t, "east")
	for _, res := range results {
		switch res.App.Name {
		case "empty-refused":
			if !errors.Is(res.Err, applier.ErrRefusedEmpty) || res.Result == nil || res.Result.Phase != applier.SyncRefused {
				t.Errorf("empty-refused: %+v, %v; want refused", res.Result, res.Err)
			}
			if _, err := cs.CoreV1().ConfigMaps("empty-refused").Get(t.Context(), "kept", metav1.GetOptions{}); err != nil {
				t.Errorf("the refused app's ConfigMap was pruned: %v", err)
			}
			last, err := r.History.(*store.Store).LastResult(t.Context(), "empty-refused", "east")
			if err != nil || last.Phase != store.PhaseRefused || !strings.Contains(last.Message, "allowEmpty") || last.Revision != "r2" {
				t.Errorf("history = %+v, %v; want Refused at r2 naming allowEmpty", last, err)
			}
		case "empty-allowed":
			if res.Err != nil {
				t.Errorf("empty-allowed: %v; want synced", res.Err)
			}
			if _, err := cs.CoreV1().ConfigMaps("empty-allowed").Get(t.Context(), "pruned", metav1.GetOptions{}); !isGone(err) {
				t.Errorf("allowEmpty: the ConfigMap is still there (%v); want it pruned", err)
			}
		}
	}
}

// TestManualSyncOfAnEmptyAppIsNotRefused: as in Argo CD, a manual sync
// (gitwave sync, /sync) of an app that renders nothing runs and prunes.
func TestManualSyncOfAnEmptyAppIsNotRefused(t *testing.T) {
	repo := fstest.MapFS{
		"apps/empty-manual.yaml": {Data: []byte(app("empty-manual", "0", "manual", "east"))},
		"manual/objects.yaml":    {Data: []byte(configMap("gone", "1"))},
	}
	r, src, inv := fixture(t, repo)
	if res := r.Sync(t.Context(), src, inv, inv.Apps, SyncOptions{Trigger: store.TriggerMerge}); res[0].Err != nil {
		t.Fatal(res[0].Err)
	}
	src2, inv2 := emptied(t, r, src, "manual", "r2")
	if res := r.Sync(t.Context(), src2, inv2, inv2.Apps, SyncOptions{Trigger: store.TriggerCommand}); res[0].Err != nil {
		t.Fatalf("manual sync of the empty app: %v", res[0].Err)
	}
	if _, err := clientset(t, "east").CoreV1().ConfigMaps("empty-manual").Get(t.Context(), "gone", metav1.GetOptions{}); !isGone(err) {
		t.Errorf("manual sync: the ConfigMap is still there (%v); want it pruned", err)
	}
}

// TestTerminateStopsALongSync: a sync whose wave 1 waits on a Job that
// never completes is stopped by a terminate request made through the store
// (as /terminate and gitwave terminate do, from any replica), well before
// its one-minute deadline, and is recorded Terminated by who asked.
func TestTerminateStopsALongSync(t *testing.T) {
	job := `apiVersion: batch/v1
kind: Job
metadata: {name: stuck, annotations: {argocd.argoproj.io/sync-wave: "1"}}
spec:
  suspend: true
  template: {spec: {restartPolicy: Never, containers: [{name: run, image: "registry.example/tool:1"}]}}
`
	repo := fstest.MapFS{
		"apps/term.yaml":    {Data: []byte(app("term", "0", "term", "east"))},
		"term/objects.yaml": {Data: []byte(configMap("first", "1") + "---\n" + job + "---\n" + wavedConfigMap("after", "2"))},
	}
	r, src, inv := fixture(t, repo)
	st := r.History.(*store.Store)
	done := make(chan AppResult, 1)
	start := time.Now()
	go func() { done <- r.Sync(t.Context(), src, inv, inv.Apps, SyncOptions{Trigger: store.TriggerMerge})[0] }()
	for {
		if _, err := st.RequestTerminate(t.Context(), "term", "east", "alice"); err == nil {
			break
		} else if !errors.Is(err, store.ErrNotFound) || time.Since(start) > 30*time.Second {
			t.Fatalf("RequestTerminate: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	var res AppResult
	select {
	case res = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the sync did not stop within 30s of the terminate request")
	}
	if res.Result == nil || res.Result.Phase != applier.SyncTerminated || !strings.Contains(res.Result.Message, "terminated by alice") {
		t.Errorf("result = %+v, %v; want Terminated by alice", res.Result, res.Err)
	}
	last, err := st.LastResult(t.Context(), "term", "east")
	if err != nil || last.Phase != store.PhaseTerminated || !strings.Contains(last.Message, "alice") {
		t.Errorf("history = %+v, %v; want Terminated by alice", last, err)
	}
	if _, err := clientset(t, "east").CoreV1().ConfigMaps("term").Get(t.Context(), "after", metav1.GetOptions{}); !isGone(err) {
		t.Errorf("wave 2 was applied after the terminate (%v)", err)
	}
}
