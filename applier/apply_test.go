package applier

import (
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/rest"
)

// TestActionOf: without reading the object before the apply, a sync still
// tells what it did: created, adopted (configured), changed or unchanged.
func TestActionOf(t *testing.T) {
	m, err := New(&rest.Config{Host: "https://cluster.invalid"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	obj := func(uid, rv, created string, managers ...string) string {
		fields := ""
		for i, mgr := range managers {
			if i > 0 {
				fields += ", "
			}
			fields += `{manager: ` + mgr + `, operation: Apply, time: "` + created + `"}`
		}
		return `{apiVersion: v1, kind: ConfigMap, metadata: {name: c, namespace: n, uid: ` + uid + `, resourceVersion: "` + rv +
			`", creationTimestamp: "2026-01-01T00:00:00Z", managedFields: [` + fields + `]}}`
	}
	cases := []struct {
		name, before, after, want string
	}{
		{"new object", "", obj("u1", "10", "2026-01-01T00:00:00Z", "gitwave"), ActionCreated},
		{"another tool's object", "", obj("u1", "10", "2026-01-01T00:00:05Z", "kubectl-create", "gitwave"), ActionConfigured},
		{"gitwave's object applied later", "", obj("u1", "10", "2026-01-01T00:05:00Z", "gitwave"), ActionConfigured},
		{"no change", obj("u1", "9", "2026-01-01T00:00:00Z", "gitwave"), obj("u1", "9", "2026-01-01T00:00:00Z", "gitwave"), ActionUnchanged},
		{"changed", obj("u1", "9", "2026-01-01T00:00:00Z", "gitwave"), obj("u1", "12", "2026-01-01T00:00:00Z", "gitwave"), ActionConfigured},
		{"deleted and created again", obj("u1", "9", "2026-01-01T00:00:00Z", "gitwave"), obj("u2", "12", "2026-01-01T00:00:00Z", "gitwave"), ActionCreated},
		{"dry-run create", "", `{apiVersion: v1, kind: ConfigMap, metadata: {name: c, namespace: n}}`, ActionCreated},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var before *unstructured.Unstructured
			if c.before != "" {
				before = mustObject(t, c.before)
			}
			if got := m.actionOf(before, mustObject(t, c.after)); got != c.want {
				t.Errorf("action %s, want %s", got, c.want)
			}
		})
	}
}
