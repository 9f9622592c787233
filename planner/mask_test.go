package planner

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

// TestMaskSecretsEverySpelling checks that a Secret's values are masked
// whatever its apiVersion says, so that no spelling of the core group shows
// a value in a diff or a rendered plan.
func TestMaskSecretsEverySpelling(t *testing.T) {
	for _, apiVersion := range []string{"v1", "core/v1", "/v1", "Core/v1", "example.com/v1", ""} {
		t.Run(apiVersion, func(t *testing.T) {
			doc := "apiVersion: " + apiVersion + "\nkind: Secret\nmetadata:\n  name: db\n" +
				"data:\n  password: aHVudGVyMg==\nstringData:\n  token: hunter2\n"
			u := &unstructured.Unstructured{}
			if err := yaml.Unmarshal([]byte(doc), &u.Object); err != nil {
				t.Fatal(err)
			}
			_, masked := MaskSecrets(nil, u)
			out, err := yaml.Marshal(masked.Object)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(out), "aHVudGVyMg==") || strings.Contains(string(out), "hunter2") {
				t.Errorf("apiVersion %q: a Secret value shows:\n%s", apiVersion, out)
			}
			if !strings.Contains(string(out), MaskUnchanged) {
				t.Errorf("apiVersion %q: no mask in\n%s", apiVersion, out)
			}
		})
	}
}

// TestMaskSecretsLeavesOtherKinds checks that a ConfigMap is not masked.
func TestMaskSecretsLeavesOtherKinds(t *testing.T) {
	u := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "c"},
		"data": map[string]any{"k": "visible"},
	}}
	_, got := MaskSecrets(nil, u)
	if v, _, _ := unstructured.NestedString(got.Object, "data", "k"); v != "visible" {
		t.Errorf("ConfigMap value = %q, want it shown", v)
	}
}
