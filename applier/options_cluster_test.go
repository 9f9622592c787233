package applier

import (
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/gitwave/gitwave/planner"
)

const widgetCRD = `{apiVersion: apiextensions.k8s.io/v1, kind: CustomResourceDefinition, metadata: {name: widgets.example.com},
	spec: {group: example.com, scope: Namespaced, names: {plural: widgets, singular: widget, kind: Widget},
	versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object,
	properties: {spec: {type: object, properties: {size: {type: integer}}}}}}}]}}`

// TestCreateNamespaceAndCRD checks CreateNamespace and a CRD with its
// custom resource in one sync and one wave.
func TestCreateNamespaceAndCRD(t *testing.T) {
	m, _ := newManager(t, "c1", Options{})
	app := testApp("widgets", "c1", "fresh-ns", "CreateNamespace=true")
	objs := objects(t, widgetCRD, `{apiVersion: example.com/v1, kind: Widget, metadata: {name: w1}, spec: {size: 3}}`)
	res, err := m.Sync(t.Context(), SyncRequest{App: app, Objects: objs, Revision: "r1"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	w, err := m.client.Resource(schema.GroupVersionResource{Group: "example.com", Version: "v1", Resource: "widgets"}).
		Namespace("fresh-ns").Get(t.Context(), "w1", metav1.GetOptions{})
	if err != nil {
		t.Fatalf("custom resource not created: %v", err)
	}
	if w.GetAnnotations()[AnnotationTrackingID] != "widgets:example.com/Widget:fresh-ns/w1" || w.GetLabels()[LabelApp] != "widgets" {
		t.Errorf("tracking = %v %v", w.GetAnnotations(), w.GetLabels())
	}
	if a := outcome(t, res, "Widget", "w1").Action; a != ActionCreated {
		t.Errorf("Widget: %s, want created", a)
	}
}

// TestSyncRetry checks that a failure the cluster can recover from is retried
// with backoff, and that an invalid manifest is not.
func TestSyncRetry(t *testing.T) {
	m, _ := newManager(t, "c1", Options{})
	one := int64(1)
	app := testApp("retry", "c1", "retry-late")
	app.Spec.SyncPolicy.Retry = &planner.RetryStrategy{Limit: 5, Backoff: &planner.Backoff{Duration: "1s", Factor: &one}}
	go func() {
		time.Sleep(1500 * time.Millisecond)
		ns := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": "retry-late"}}}
		_, _ = m.client.Resource(namespacesGVR).Create(t.Context(), ns, metav1.CreateOptions{})
	}()
	var retries int
	res, err := m.Sync(t.Context(), SyncRequest{App: app, Objects: objects(t, configMap("c", 0)), Revision: "r1"}, func(e Event) {
		if e.Type == EventRetry {
			retries++
		}
	})
	if err != nil || res.Attempts < 2 || retries != res.Attempts-1 {
		t.Fatalf("sync = %v after %d attempts, %d retry events; want success after a retry", err, res.Attempts, retries)
	}

	invalid := objects(t, `{apiVersion: v1, kind: ConfigMap, metadata: {name: bad}, data: {k: v}, bogus: 1}`)
	res, err = m.Sync(t.Context(), SyncRequest{App: app, Objects: invalid, Revision: "r2"}, nil)
	if err == nil || res.Attempts != 1 || !IsTerminal(err) {
		t.Errorf("invalid manifest: %v after %d attempts; want a terminal failure without retry", err, res.Attempts)
	}
	if !containsAll(err.Error(), "ConfigMap/retry-late/bad", "test.yaml:1", "bogus") {
		t.Errorf("error %q should name the object, file:line and the field", err)
	}
}
