package reconcile

import (
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"

	"github.com/gitwave/gitwave/store"
)

// finalizedApp is app() with metadata.finalizers set to finalizer.
func finalizedApp(name, path, cluster, finalizer string) string {
	a := app(name, "0", path, cluster)
	if finalizer == "" {
		return a
	}
	return strings.Replace(a, "metadata:\n", "metadata:\n  finalizers: ["+finalizer+"]\n", 1)
}

// wavedConfigMap is a ConfigMap in a sync wave, with extra annotations.
func wavedConfigMap(name, wave string, extra ...string) string {
	ann := `argocd.argoproj.io/sync-wave: "` + wave + `"`
	for _, e := range extra {
		ann += ", " + e
	}
	return "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: " + name + ", annotations: {" + ann + "}}\ndata: {k: v}\n"
}

// wavedDeployment is a one-replica Deployment in a sync wave.
func wavedDeployment(name, wave string) string {
	return `apiVersion: apps/v1
kind: Deployment
metadata: {name: ` + name + `, annotations: {argocd.argoproj.io/sync-wave: "` + wave + `"}}
spec:
  replicas: 1
  selector: {matchLabels: {app: ` + name + `}}
  template:
    metadata: {labels: {app: ` + name + `}}
    spec: {containers: [{name: app, image: "registry.example/app:1"}]}
`
}

// deletions watches ConfigMaps and Deployments in namespace and returns a
// function that stops and lists "Kind/name" of each deletion, in order.
func deletions(t *testing.T, cs kubernetes.Interface, namespace string) func() []string {
	t.Helper()
	var mu sync.Mutex
	var wg sync.WaitGroup
	var got []string
	cms, err := cs.CoreV1().ConfigMaps(namespace).Watch(t.Context(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	deps, err := cs.AppsV1().Deployments(namespace).Watch(t.Context(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for kind, w := range map[string]watch.Interface{"ConfigMap": cms, "Deployment": deps} {
		wg.Go(func() {
			for ev := range w.ResultChan() {
				if m, ok := ev.Object.(metav1.Object); ok && ev.Type == watch.Deleted {
					mu.Lock()
					got = append(got, kind+"/"+m.GetName())
					mu.Unlock()
				}
			}
		})
	}
	return func() []string {
		time.Sleep(300 * time.Millisecond)
		cms.Stop()
		deps.Stop()
		wg.Wait()
		mu.Lock()
		defer mu.Unlock()
		return got
	}
}

func clientset(t *testing.T, cluster string) kubernetes.Interface {
	t.Helper()
	cs, err := kubernetes.NewForConfig(shared.Need(t).RESTConfig(cluster))
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// TestRemoveWithTheFinalizerDeletesInReverseWaveOrder: an app removed from
// Git whose Application carried the resources finalizer loses its objects,
// the last wave first (the wave-1 Deployment and its Pods are gone before
// wave 0 starts), except the Prune=false one; history says Deleted, and a
// second Remove does nothing.
func TestRemoveWithTheFinalizerDeletesInReverseWaveOrder(t *testing.T) {
	repo := fstest.MapFS{
		"apps/rm-fin.yaml": {Data: []byte(finalizedApp("rm-fin", "fin", "east", FinalizerResources))},
		"fin/objects.yaml": {Data: []byte(wavedConfigMap("w0", "0") + "---\n" + wavedDeployment("web", "1") + "---\n" +
			wavedConfigMap("w2", "2") + "---\n" + wavedConfigMap("pinned", "2", "argocd.argoproj.io/sync-options: Prune=false"))},
	}
	r, src, inv := fixture(t, repo)
	if got := ResourcesFinalizer(inv.Apps[0]); got != FinalizerResources {
		t.Fatalf("ResourcesFinalizer = %q; want %q", got, FinalizerResources)
	}
	if res := r.Sync(t.Context(), src, inv, inv.Apps, SyncOptions{Trigger: store.TriggerMerge}); res[0].Err != nil {
		t.Fatal(res[0].Err)
	}
	cs := clientset(t, "east")
	stop := deletions(t, cs, "rm-fin")
	res, err := r.Remove(t.Context(), RemovedApp{App: "rm-fin", Cluster: "east", Finalizer: ResourcesFinalizer(inv.Apps[0]), Revision: "r2"})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(stop(), " ")
	if !strings.HasPrefix(got, "ConfigMap/w2 Deployment/web") || !strings.HasSuffix(got, "ConfigMap/w0") {
		t.Errorf("deleted in order %q; want w2, then web, then w0", got)
	}
	if res.Phase != store.PhaseDeleted || res.Deleted != 3 || res.Kept != 1 || res.AlreadyDone {
		t.Errorf("Remove = %+v; want Deleted, 3 deleted, 1 kept", res)
	}
	if _, err := cs.CoreV1().ConfigMaps("rm-fin").Get(t.Context(), "pinned", metav1.GetOptions{}); err != nil {
		t.Errorf("the Prune=false ConfigMap was deleted: %v", err)
	}
	pods, err := cs.CoreV1().Pods("rm-fin").List(t.Context(), metav1.ListOptions{})
	if err != nil || len(pods.Items) != 0 {
		t.Errorf("pods left after foreground deletion: %d (%v)", len(pods.Items), err)
	}
	st := r.History.(*store.Store)
	last, err := st.LastResult(t.Context(), "rm-fin", "east")
	if err != nil || last.Phase != store.PhaseDeleted || !strings.Contains(last.Message, "3 objects deleted") {
		t.Errorf("history = %+v, %v; want Deleted with the count", last, err)
	}
	again, err := r.Remove(t.Context(), RemovedApp{App: "rm-fin", Cluster: "east", Finalizer: FinalizerResources, Revision: "r3"})
	if err != nil || !again.AlreadyDone || again.ID != last.ID {
		t.Errorf("second Remove = %+v, %v; want AlreadyDone with the same record", again, err)
	}
	if recs, _ := st.History(t.Context(), "rm-fin", "east", 0); len(recs) != 2 {
		t.Errorf("history holds %d records; want the sync and one removal", len(recs))
	}
}

// TestRemoveWithoutTheFinalizerOrphans: without the finalizer the objects
// stay, and history records them as orphaned.
func TestRemoveWithoutTheFinalizerOrphans(t *testing.T) {
	repo := fstest.MapFS{
		"apps/rm-orphan.yaml": {Data: []byte(finalizedApp("rm-orphan", "orphan", "east", ""))},
		"orphan/objects.yaml": {Data: []byte(wavedConfigMap("a", "0") + "---\n" + wavedConfigMap("b", "1"))},
	}
	r, src, inv := fixture(t, repo)
	if res := r.Sync(t.Context(), src, inv, inv.Apps, SyncOptions{Trigger: store.TriggerMerge}); res[0].Err != nil {
		t.Fatal(res[0].Err)
	}
	res, err := r.Remove(t.Context(), RemovedApp{App: "rm-orphan", Cluster: "east", Finalizer: ResourcesFinalizer(inv.Apps[0]), Revision: "r2"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Phase != store.PhaseOrphaned || res.Orphaned != 2 || res.Deleted != 0 {
		t.Errorf("Remove = %+v; want Orphaned with 2 objects", res)
	}
	cs := clientset(t, "east")
	for _, name := range []string{"a", "b"} {
		if _, err := cs.CoreV1().ConfigMaps("rm-orphan").Get(t.Context(), name, metav1.GetOptions{}); err != nil {
			t.Errorf("orphaned ConfigMap %s is gone: %v", name, err)
		}
	}
	last, err := r.History.(*store.Store).LastResult(t.Context(), "rm-orphan", "east")
	if err != nil || last.Phase != store.PhaseOrphaned || len(last.Objects) != 2 || last.Objects[0].Action != "orphaned" {
		t.Errorf("history = %+v, %v; want Orphaned listing both objects", last, err)
	}
	if again, err := r.Remove(t.Context(), RemovedApp{App: "rm-orphan", Cluster: "east", Revision: "r2"}); err != nil || !again.AlreadyDone {
		t.Errorf("second Remove = %+v, %v; want AlreadyDone", again, err)
	}
}

// isGone reports whether err says the object does not exist.
func isGone(err error) bool { return apierrors.IsNotFound(err) }

// TestRemoveWithTheBackgroundFinalizer deletes with background
// propagation: the objects go, their dependents after them.
func TestRemoveWithTheBackgroundFinalizer(t *testing.T) {
	repo := fstest.MapFS{
		"apps/rm-bg.yaml": {Data: []byte(finalizedApp("rm-bg", "bg", "west", FinalizerBackground))},
		"bg/objects.yaml": {Data: []byte(wavedDeployment("api", "0") + "---\n" + wavedConfigMap("late", "1"))},
	}
	r, src, inv := fixture(t, repo)
	if res := r.Sync(t.Context(), src, inv, inv.Apps, SyncOptions{Trigger: store.TriggerMerge}); res[0].Err != nil {
		t.Fatal(res[0].Err)
	}
	res, err := r.Remove(t.Context(), RemovedApp{App: "rm-bg", Cluster: "west", Finalizer: ResourcesFinalizer(inv.Apps[0]), Revision: "r2"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Phase != store.PhaseDeleted || res.Deleted != 2 || !strings.Contains(res.Message, "background propagation") {
		t.Errorf("Remove = %+v; want Deleted, 2 objects, background propagation", res)
	}
	if _, err := clientset(t, "west").AppsV1().Deployments("rm-bg").Get(t.Context(), "api", metav1.GetOptions{}); !isGone(err) {
		t.Errorf("the Deployment is still there (%v)", err)
	}
}
