package applier

import (
	"context"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/gitwave/gitwave/planner"
)

var secretsGVR = schema.GroupVersionResource{Version: "v1", Resource: "secrets"}

// secret renders a Secret manifest holding password in stringData.
func secret(name, namespace, password string) string {
	return `{apiVersion: v1, kind: Secret, metadata: {name: ` + name + `, namespace: ` + namespace + `}, stringData: {password: "` + password + `"}}`
}

// TestDiffScopesForeignObjects: a pull request renders objects that exist
// on the cluster and are not the app's. The diff of a foreign Secret is the
// same whether the pull request guessed its value or not; a foreign object
// in a namespace the app may not read is not shown at all; the app's own
// Secret is still compared value by value.
func TestDiffScopesForeignObjects(t *testing.T) {
	m, _ := newManager(t, "c1", Options{})
	for _, ns := range []string{"scope-app", "scope-other", "scope-private"} {
		createNamespace(t, m, ns)
	}
	app := testApp("scope", "c1", "scope-app")
	if _, err := m.Sync(t.Context(), SyncRequest{App: app, Objects: objects(t, secret("own", "scope-app", "s3cret")), Revision: "r1"}, nil); err != nil {
		t.Fatal(err)
	}
	createLive(t, m, secretsGVR, `{apiVersion: v1, kind: Secret, metadata: {name: victim, namespace: scope-other}, stringData: {password: hunter2}}`)
	createLive(t, m, configMapsGVR, `{apiVersion: v1, kind: ConfigMap, metadata: {name: private, namespace: scope-private}, data: {token: live-token-value}}`)
	mayRead := DiffOptions{MayRead: func(k planner.ResourceKey) bool { return k.Namespace != "scope-private" }}

	diffOf := func(opts DiffOptions, guess string) *planner.AppDiff {
		t.Helper()
		d, err := m.Diff(t.Context(), app, objects(t, secret("own", "scope-app", "s3cret"), secret("victim", "scope-other", guess),
			`{apiVersion: v1, kind: ConfigMap, metadata: {name: private, namespace: scope-private}, data: {token: x}}`), opts)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	right, wrong := diffOf(mayRead, "hunter2"), diffOf(mayRead, "wrong")
	victim := change(t, right, "victim")
	if victim.Diff != change(t, wrong, "victim").Diff || !strings.Contains(victim.Diff, "password: ++++++++ (changed)") {
		t.Errorf("foreign Secret: the right guess diffs as\n%s\nthe wrong one as\n%s\nwant the same, every value changed", victim.Diff, change(t, wrong, "victim").Diff)
	}
	if own := change(t, right, "own"); own.Action != planner.ActionUnchanged {
		t.Errorf("the app's own Secret, unchanged, is %s:\n%s", own.Action, own.Diff)
	}
	private := change(t, right, "private")
	if strings.Contains(private.Diff, "live-token-value") || !strings.Contains(right.Note, "ConfigMap/scope-private/private already exist(s) on the cluster and is not owned by app scope") {
		t.Errorf("foreign object the app may not read: note %q, diff\n%s", right.Note, private.Diff)
	}
	if open := change(t, diffOf(DiffOptions{}, "wrong"), "private"); !strings.Contains(open.Diff, "live-token-value") {
		t.Errorf("with no restriction the live ConfigMap is not shown:\n%s", open.Diff)
	}
}

// createLive creates an object as another tool would: no tracking id.
func createLive(t *testing.T, m *Manager, gvr schema.GroupVersionResource, manifest string) {
	t.Helper()
	u := mustObject(t, manifest)
	if _, err := m.client.Resource(gvr).Namespace(u.GetNamespace()).Create(context.Background(), u, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// change finds the change of the object named name.
func change(t *testing.T, d *planner.AppDiff, name string) planner.Change {
	t.Helper()
	for _, c := range d.Changes {
		if c.Key.Name == name {
			return c
		}
	}
	t.Fatalf("no change for %s in %+v", name, d.Changes)
	return planner.Change{}
}
