package applier

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/dynamic"

	"github.com/gitwave/gitwave/hack/localcluster"
	"github.com/gitwave/gitwave/planner"
	"github.com/gitwave/gitwave/store"
)

// The clusters every real-cluster test and benchmark shares. Tests use c1;
// the fleet test uses all three and stops c3.
var clusterNames = []string{"c1", "c2", "c3"}

// shared are the clusters of this test binary.
var shared = &localcluster.Shared{Names: clusterNames}

// TestMain stops the shared clusters, which the first test needing them
// starts, so that the other tests run without them.
func TestMain(m *testing.M) {
	code := m.Run()
	shared.Close()
	os.Exit(code)
}

// needEnv returns the shared clusters, starting them on first use.
func needEnv(t testing.TB) *localcluster.Env {
	t.Helper()
	return shared.Need(t)
}

// newStore opens a fresh SQLite store for one test.
func newStore(t testing.TB) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), store.Options{DSN: filepath.Join(t.TempDir(), "gitwave.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// newManager returns a Manager for cluster with a fresh store.
func newManager(t testing.TB, cluster string, opts Options) (*Manager, *store.Store) {
	t.Helper()
	e := needEnv(t)
	st := newStore(t)
	opts.Store, opts.Cluster = st, cluster
	m, err := New(e.RESTConfig(cluster), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	return m, st
}

// testApp returns an app deploying to namespace on cluster.
func testApp(name, cluster, namespace string, syncOptions ...string) *planner.App {
	return &planner.App{Name: name, Project: "default", Namespace: namespace, Cluster: planner.Cluster{Name: cluster},
		Spec: planner.ApplicationSpec{SyncPolicy: &planner.SyncPolicy{SyncOptions: syncOptions}}}
}

// objects parses YAML documents into planner objects.
func objects(t testing.TB, docs ...string) []*planner.Object {
	t.Helper()
	var out []*planner.Object
	for i, d := range docs {
		o, err := planner.NewObject(mustObject(t, d), "test.yaml", i+1)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, o)
	}
	return out
}

// createNamespace creates a namespace for one test.
func createNamespace(t testing.TB, m *Manager, name string) {
	t.Helper()
	ns := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": name}}}
	if _, err := m.client.Resource(namespacesGVR).Create(context.Background(), ns, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

var (
	configMapsGVR  = schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}
	deploymentsGVR = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}
	jobsGVR        = schema.GroupVersionResource{Group: "batch", Version: "v1", Resource: "jobs"}
)

// watchEvent is one event a recorder saw.
type watchEvent struct {
	Type watch.EventType
	Kind string
	Name string
	Obj  *unstructured.Unstructured
}

// recordEvents watches the resources in namespace and returns a function
// that stops the watches and returns the events seen, in order.
func recordEvents(t *testing.T, client dynamic.Interface, namespace string, gvrs ...schema.GroupVersionResource) func() []watchEvent {
	t.Helper()
	var mu sync.Mutex
	var events []watchEvent
	var wg sync.WaitGroup
	var watchers []watch.Interface
	for _, gvr := range gvrs {
		w, err := client.Resource(gvr).Namespace(namespace).Watch(context.Background(), metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		watchers = append(watchers, w)
		wg.Go(func() {
			for ev := range w.ResultChan() {
				u, ok := ev.Object.(*unstructured.Unstructured)
				if !ok {
					continue
				}
				mu.Lock()
				events = append(events, watchEvent{Type: ev.Type, Kind: u.GetKind(), Name: u.GetName(), Obj: u})
				mu.Unlock()
			}
		})
	}
	return func() []watchEvent {
		time.Sleep(300 * time.Millisecond) // let the last events arrive
		for _, w := range watchers {
			w.Stop()
		}
		wg.Wait()
		mu.Lock()
		defer mu.Unlock()
		return append([]watchEvent(nil), events...)
	}
}

// eventNames returns "Kind/name" of the events of one type, in order.
func eventNames(events []watchEvent, typ watch.EventType) []string {
	var out []string
	for _, e := range events {
		if e.Type == typ {
			out = append(out, e.Kind+"/"+e.Name)
		}
	}
	return out
}

// outcome finds an object's outcome in a result by kind and name.
func outcome(t *testing.T, res *Result, kind, name string) ObjectOutcome {
	t.Helper()
	for _, o := range res.Outcomes() {
		if o.Key.Kind == kind && o.Key.Name == name {
			return o
		}
	}
	t.Fatalf("no outcome for %s/%s in %+v", kind, name, res.Outcomes())
	return ObjectOutcome{}
}

// configMap renders a ConfigMap manifest with extra annotations.
func configMap(name string, wave int, extra ...string) string {
	ann := fmt.Sprintf("argocd.argoproj.io/sync-wave: %q", fmt.Sprint(wave))
	for _, e := range extra {
		ann += ", " + e
	}
	return fmt.Sprintf(`{apiVersion: v1, kind: ConfigMap, metadata: {name: %s, annotations: {%s}}, data: {k: v}}`, name, ann)
}

// deployment renders a Deployment manifest.
func deployment(name string, replicas, wave int) string {
	return fmt.Sprintf(`{apiVersion: apps/v1, kind: Deployment, metadata: {name: %[1]s, annotations: {argocd.argoproj.io/sync-wave: "%[3]d"}},
		spec: {replicas: %[2]d, selector: {matchLabels: {app: %[1]s}}, template: {metadata: {labels: {app: %[1]s}},
		spec: {containers: [{name: app, image: "registry.example/%[1]s:1"}]}}}}`, name, replicas, wave)
}

// job renders a hook Job; a failing one can never be scheduled (kwok only
// runs pods bound to its node) and fails at activeDeadlineSeconds.
func job(name, hook, deletePolicy string, failing bool) string {
	extra := ""
	if failing {
		extra = `activeDeadlineSeconds: 2, `
	}
	sel := ""
	if failing {
		sel = `nodeSelector: {gitwave.dev/no-such-node: "true"}, `
	}
	policy := ""
	if deletePolicy != "" {
		policy = fmt.Sprintf(`, argocd.argoproj.io/hook-delete-policy: %s`, deletePolicy)
	}
	return fmt.Sprintf(`{apiVersion: batch/v1, kind: Job, metadata: {name: %s, annotations: {argocd.argoproj.io/hook: %s%s}},
		spec: {%sbackoffLimit: 0, template: {spec: {%srestartPolicy: Never, containers: [{name: run, image: "registry.example/tool:1"}]}}}}`,
		name, hook, policy, extra, sel)
}

func namesString(s []string) string { return strings.Join(s, " ") }
