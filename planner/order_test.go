package planner

import (
	"fmt"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func obj(t *testing.T, apiVersion, kind, name string, ann map[string]string) *Object {
	t.Helper()
	u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": apiVersion, "kind": kind, "metadata": map[string]any{"name": name}}}
	if ann != nil {
		u.SetAnnotations(ann)
	}
	o, err := NewObject(u, "f.yaml", 1)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestStepsFollowPhaseWaveKindName(t *testing.T) {
	w := func(n string) map[string]string { return map[string]string{AnnotationSyncWave: n} }
	objs := []*Object{
		obj(t, "v1", "Service", "payment", w("2")),
		obj(t, "apps/v1", "Deployment", "payment", w("1")),
		obj(t, "batch/v1", "Job", "smoke", map[string]string{AnnotationHook: "PostSync"}),
		obj(t, "v1", "ConfigMap", "b", nil),
		obj(t, "v1", "Secret", "a", nil),
		obj(t, "v1", "ConfigMap", "a", nil),
		obj(t, "batch/v1", "Job", "migrate", map[string]string{AnnotationHook: "PreSync", AnnotationSyncWave: "-1"}),
		obj(t, "v1", "Namespace", "payment", w("-1")),
		obj(t, "batch/v1", "Job", "cleanup", map[string]string{AnnotationHook: "SyncFail"}),
		obj(t, "v1", "ConfigMap", "manual", map[string]string{AnnotationHook: "Skip"}),
		obj(t, "example.com/v1", "Widget", "w", nil),
		obj(t, "apiextensions.k8s.io/v1", "CustomResourceDefinition", "widgets.example.com", nil),
		obj(t, "batch/v1", "Job", "helm-pre", map[string]string{AnnotationHelmHook: "pre-install", AnnotationHelmHookWeight: "5"}),
	}
	var got []string
	for _, s := range Steps(objs) {
		var names []string
		for _, o := range s.Objects {
			names = append(names, o.Key.Kind+"/"+o.Key.Name)
		}
		got = append(got, fmt.Sprintf("%s %d: %s", s.Phase, s.Wave, strings.Join(names, " ")))
	}
	want := []string{
		"PreSync -1: Job/migrate",
		"PreSync 5: Job/helm-pre",
		"Sync -1: Namespace/payment",
		"Sync 0: Secret/a ConfigMap/a ConfigMap/b CustomResourceDefinition/widgets.example.com Widget/w",
		"Sync 1: Deployment/payment",
		"Sync 2: Service/payment",
		"PostSync 0: Job/smoke",
		"SyncFail 0: Job/cleanup",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("steps:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestNewObjectRejectsBadAnnotations(t *testing.T) {
	for _, tc := range []struct {
		ann  map[string]string
		want string
	}{
		{map[string]string{AnnotationSyncWave: "one"}, `sync-wave="one" is not an integer`},
		{map[string]string{AnnotationHook: "PreSink"}, `unknown hook`},
		{map[string]string{AnnotationHook: ""}, `is empty`},
	} {
		u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "x"}}}
		u.SetAnnotations(tc.ann)
		_, err := NewObject(u, "f.yaml", 1)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "ConfigMap/x") {
			t.Errorf("%v: error %v, want one naming the object and %q", tc.ann, err, tc.want)
		}
	}
}

func TestHookDeletePolicyDefaultsToBeforeHookCreation(t *testing.T) {
	o := obj(t, "batch/v1", "Job", "m", map[string]string{AnnotationHook: "PreSync"})
	if !o.Hook || len(o.DeletePolicies) != 1 || o.DeletePolicies[0] != "BeforeHookCreation" {
		t.Errorf("hook=%v policies=%v", o.Hook, o.DeletePolicies)
	}
	h := obj(t, "batch/v1", "Job", "h", map[string]string{AnnotationHelmHook: "post-upgrade", AnnotationHelmDeletePolicy: "hook-succeeded"})
	if h.Phase != PhasePostSync || h.DeletePolicies[0] != "HookSucceeded" {
		t.Errorf("helm hook: phase %s policies %v", h.Phase, h.DeletePolicies)
	}
	test := obj(t, "v1", "Pod", "t", map[string]string{AnnotationHelmHook: "test"})
	if test.Phase != PhaseSkip {
		t.Errorf("helm test hook phase %s, want Skip", test.Phase)
	}
}
