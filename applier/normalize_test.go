package applier

import (
	"encoding/json"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/gitwave/gitwave/planner"
)

func TestNormalize(t *testing.T) {
	live := mustObject(t, `{apiVersion: v1, kind: ConfigMap, metadata: {name: c, namespace: n, uid: u1, resourceVersion: "7",
		generation: 3, creationTimestamp: "2026-01-02T03:04:05Z", managedFields: [{manager: gitwave}],
		labels: {gitwave.dev/app: shop}, annotations: {gitwave.dev/tracking-id: "shop:/ConfigMap:n/c",
		kubectl.kubernetes.io/last-applied-configuration: "{}", team: a}}, data: {k: v}, status: {x: y}}`)
	want := mustObject(t, `{apiVersion: v1, kind: ConfigMap, metadata: {name: c, namespace: n, annotations: {team: a}}, data: {k: v}}`)
	got := normalize(live)
	if mustJSON(got.Object) != mustJSON(want.Object) {
		t.Errorf("normalize =\n%s\nwant\n%s", mustJSON(got.Object), mustJSON(want.Object))
	}
	if live.GetUID() != "u1" {
		t.Error("normalize changed its input")
	}
}

func TestIgnoreDifferences(t *testing.T) {
	key := planner.ResourceKey{Group: "apps", Kind: "Deployment", Namespace: "shop", Name: "api"}
	doc := `{apiVersion: apps/v1, kind: Deployment, metadata: {name: api, namespace: shop, annotations: {a/b: x}},
		spec: {replicas: 5, template: {spec: {containers: [{name: app, image: app:2, env: [{name: A, value: "1"}, {name: B, value: "2"}]}, {name: side, image: s:1}]}}}}`
	hpaFields := `{"f:spec":{"f:replicas":{}}}`
	injector := `{"f:spec":{"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"side\"}":{".":{}}}}}}}`
	envField := `{"f:spec":{"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"app\"}":{"f:env":{"k:{\"name\":\"B\"}":{".":{},"f:value":{}}}}}}}}}`
	tests := []struct {
		name string
		rule planner.ResourceIgnoreRule
		want string
	}{
		{"json pointer", planner.ResourceIgnoreRule{Group: "apps", Kind: "Deployment", JSONPointers: []string{"/spec/replicas"}},
			`{apiVersion: apps/v1, kind: Deployment, metadata: {name: api, namespace: shop, annotations: {a/b: x}},
			spec: {template: {spec: {containers: [{name: app, image: app:2, env: [{name: A, value: "1"}, {name: B, value: "2"}]}, {name: side, image: s:1}]}}}}`},
		{"escaped pointer", planner.ResourceIgnoreRule{Group: "apps", Kind: "Deployment", JSONPointers: []string{"/metadata/annotations/a~1b"}},
			`{apiVersion: apps/v1, kind: Deployment, metadata: {name: api, namespace: shop, annotations: {}},
			spec: {replicas: 5, template: {spec: {containers: [{name: app, image: app:2, env: [{name: A, value: "1"}, {name: B, value: "2"}]}, {name: side, image: s:1}]}}}}`},
		{"other name does not match", planner.ResourceIgnoreRule{Group: "apps", Kind: "Deployment", Name: "web", JSONPointers: []string{"/spec/replicas"}}, doc},
		{"manager's scalar field", planner.ResourceIgnoreRule{Group: "apps", Kind: "Deployment", ManagedFieldsManagers: []string{"hpa"}},
			`{apiVersion: apps/v1, kind: Deployment, metadata: {name: api, namespace: shop, annotations: {a/b: x}},
			spec: {template: {spec: {containers: [{name: app, image: app:2, env: [{name: A, value: "1"}, {name: B, value: "2"}]}, {name: side, image: s:1}]}}}}`},
		{"manager's list item", planner.ResourceIgnoreRule{Group: "apps", Kind: "Deployment", ManagedFieldsManagers: []string{"injector"}},
			`{apiVersion: apps/v1, kind: Deployment, metadata: {name: api, namespace: shop, annotations: {a/b: x}},
			spec: {replicas: 5, template: {spec: {containers: [{name: app, image: app:2, env: [{name: A, value: "1"}, {name: B, value: "2"}]}]}}}}`},
		{"manager's nested item", planner.ResourceIgnoreRule{Group: "apps", Kind: "Deployment", ManagedFieldsManagers: []string{"kubectl-edit"}},
			`{apiVersion: apps/v1, kind: Deployment, metadata: {name: api, namespace: shop, annotations: {a/b: x}},
			spec: {replicas: 5, template: {spec: {containers: [{name: app, image: app:2, env: [{name: A, value: "1"}]}, {name: side, image: s:1}]}}}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			live := mustObject(t, doc)
			live.SetManagedFields([]metav1.ManagedFieldsEntry{
				{Manager: "hpa", FieldsV1: &metav1.FieldsV1{Raw: json.RawMessage(hpaFields)}},
				{Manager: "injector", FieldsV1: &metav1.FieldsV1{Raw: json.RawMessage(injector)}},
				{Manager: "kubectl-edit", FieldsV1: &metav1.FieldsV1{Raw: json.RawMessage(envField)}},
			})
			obj := normalize(live)
			applyIgnoreRules([]planner.ResourceIgnoreRule{tt.rule}, key, live, obj)
			if want := mustObject(t, tt.want); mustJSON(obj.Object) != mustJSON(want.Object) {
				t.Errorf("got\n%s\nwant\n%s", mustJSON(obj.Object), mustJSON(want.Object))
			}
		})
	}
}

func TestSubset(t *testing.T) {
	live := mustObject(t, `{kind: X, spec: {replicas: 2, strategy: {type: RollingUpdate}, ports: [{port: 80, protocol: TCP}]}}`)
	tests := []struct {
		name, want string
		in         bool
	}{
		{"defaults added live", `{kind: X, spec: {replicas: 2, ports: [{port: 80}]}}`, true},
		{"value changed live", `{kind: X, spec: {replicas: 3}}`, false},
		{"list item removed live", `{kind: X, spec: {ports: [{port: 80}, {port: 443}]}}`, false},
		{"field missing live", `{kind: X, spec: {paused: true}}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := subset(mustObject(t, tt.want).Object, live.Object); got != tt.in {
				t.Errorf("subset = %v, want %v", got, tt.in)
			}
		})
	}
}

func TestPruneWaves(t *testing.T) {
	obj := func(kind, name string, wave int) pruneCandidate {
		return pruneCandidate{obj: &planner.Object{Key: planner.ResourceKey{Kind: kind, Name: name}, Phase: planner.PhaseSync, Wave: wave}}
	}
	groups := pruneWaves([]pruneCandidate{obj("ConfigMap", "a", 0), obj("Deployment", "d", 2), obj("Namespace", "n", 0), obj("Service", "s", 2)})
	var got [][]string
	for _, g := range groups {
		var names []string
		for _, c := range g {
			names = append(names, c.obj.Key.Name)
		}
		got = append(got, names)
	}
	// Wave 2 first; within a wave reverse kind order (Deployment before
	// Service, ConfigMap before Namespace).
	want := [][]string{{"d", "s"}, {"a", "n"}}
	if mustJSON(got) != mustJSON(want) {
		t.Errorf("prune order = %v, want %v", got, want)
	}
}
