package planner

import (
	"reflect"
	"testing"
)

// TestMergeTemplatesAsArgoCD checks the merge of a generator's template
// over spec.template against Argo CD's typed mergo.Merge: unset or empty
// fields come from spec.template, labels merge key by key, and a helm
// valuesObject the generator sets is kept whole (Argo CD holds it as raw
// JSON).
func TestMergeTemplatesAsArgoCD(t *testing.T) {
	base := ApplicationSetTemplate{
		Metadata: map[string]any{"name": "base", "labels": map[string]any{"team": "web", "env": "base"}},
		Spec: map[string]any{
			"project": "default",
			"source": map[string]any{"repoURL": "https://example/repo.git", "path": "base",
				"helm": map[string]any{"valuesObject": map[string]any{"replicas": 2.0, "image": "nginx"}}},
			"syncPolicy": map[string]any{"automated": map[string]any{"prune": true}},
		},
	}
	gen := &ApplicationSetTemplate{
		Metadata: map[string]any{"name": "", "labels": map[string]any{"env": "gen"}},
		Spec: map[string]any{
			"source":     map[string]any{"path": "gen", "helm": map[string]any{"valuesObject": map[string]any{"replicas": 5.0}}},
			"syncPolicy": map[string]any{"automated": map[string]any{"prune": false}},
		},
	}
	got, err := mergeTemplates(gen, base)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"metadata": map[string]any{"name": "base", "labels": map[string]any{"team": "web", "env": "gen"}},
		"spec": map[string]any{
			"project": "default",
			"source": map[string]any{"repoURL": "https://example/repo.git", "path": "gen",
				"helm": map[string]any{"valuesObject": map[string]any{"replicas": 5.0}}},
			"syncPolicy": map[string]any{"automated": map[string]any{"prune": true}},
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("merged template\n got %v\nwant %v", got, want)
	}
	if base.Spec["source"].(map[string]any)["path"] != "base" || gen.Metadata["name"] != "" {
		t.Error("mergeTemplates modified its arguments")
	}
}
