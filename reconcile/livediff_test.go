package reconcile

import (
	"strings"
	"testing"
	"testing/fstest"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/gitwave/gitwave/planner"
)

// TestLiveDiffOptionsSkipAndScope: an app Skip names keeps its render
// diff with the reason; the other app's diff does not show a live object
// it does not own in a namespace MayRead refuses.
func TestLiveDiffOptionsSkipAndScope(t *testing.T) {
	repo := fstest.MapFS{
		"apps/lo-denied.yaml": {Data: []byte(app("lo-denied", "0", "denied", "east"))},
		"apps/lo-scoped.yaml": {Data: []byte(app("lo-scoped", "0", "scoped", "east"))},
		"denied/cm.yaml":      {Data: []byte(configMap("settings", "1"))},
		"scoped/cm.yaml":      {Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: other, namespace: lo-private}\ndata: {value: x}\n")},
	}
	r, src, inv := fixture(t, repo)
	cs, err := kubernetes.NewForConfig(shared.Need(t).RESTConfig("east"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cs.CoreV1().Namespaces().Create(t.Context(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "lo-private"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	live := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "other", Namespace: "lo-private"}, Data: map[string]string{"value": "live-only"}}
	if _, err := cs.CoreV1().ConfigMaps("lo-private").Create(t.Context(), live, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	rep := &planner.Report{Head: "r1", HeadRevision: r.Planner.NewRevision(src, inv)}
	for _, a := range inv.Apps {
		rep.Apps = append(rep.Apps, planner.AppDiff{App: a.Key(), Status: planner.AppChanged, After: a,
			Changes: []planner.Change{{Action: planner.ActionChanged, Diff: "render diff"}}})
	}
	r.LiveDiff(t.Context(), rep, LiveDiffOptions{
		Skip: func(a *planner.App) string {
			if a.Name == "lo-denied" {
				return "the policy denies it"
			}
			return ""
		},
		MayRead: func(a *planner.App, k planner.ResourceKey) bool { return k.Namespace == a.Namespace },
	})
	for _, d := range rep.Apps {
		switch d.App.App {
		case "lo-denied":
			if d.Note != "not diffed against the live cluster: the policy denies it; the diff shown is against the base branch" || d.Changes[0].Diff != "render diff" {
				t.Errorf("skipped app: note %q, changes %+v; want the render diff and the reason", d.Note, d.Changes)
			}
		case "lo-scoped":
			if len(d.Changes) != 1 || strings.Contains(d.Changes[0].Diff, "live-only") || !strings.Contains(d.Note, "ConfigMap/lo-private/other already exist(s)") {
				t.Errorf("scoped app: note %q, changes %+v; want the foreign ConfigMap not shown", d.Note, d.Changes)
			}
		}
	}
}
