package reconcile

import (
	"context"
	"maps"
	"strings"
	"testing"
	"testing/fstest"

	"k8s.io/client-go/kubernetes"

	"github.com/gitwave/gitwave/planner"
	"github.com/gitwave/gitwave/store"
)

// TestConvergeRemovesGoneAppsOnRealClusters deploys three apps through the
// loop, then drops two from the default branch: rg-final, whose
// Application carried resources-finalizer.argocd.argoproj.io, and
// rg-plain, which carried none. One pass later, with no RemoveApp hook (the
// server's default), rg-final's objects are gone and history says Deleted;
// rg-plain's objects still run and history says Orphaned; neither has a
// status any more, and the app that stayed is untouched.
func TestConvergeRemovesGoneAppsOnRealClusters(t *testing.T) {
	r1 := fstest.MapFS{
		"apps/rg-keep.yaml":  {Data: []byte(app("rg-keep", "0", "keep", "east"))},
		"apps/rg-final.yaml": {Data: []byte(finalizedApp("rg-final", "final", "east", FinalizerResources))},
		"apps/rg-plain.yaml": {Data: []byte(finalizedApp("rg-plain", "plain", "east", ""))},
		"keep/cm.yaml":       {Data: []byte(configMap("settings", "1"))},
		"final/cm.yaml":      {Data: []byte(configMap("settings", "1"))},
		"plain/cm.yaml":      {Data: []byte(configMap("settings", "1"))},
	}
	l := newLoop(t, r1)
	east := kubernetes.NewForConfigOrDie(shared.Need(t).RESTConfig("east"))
	s := l.pass(t, l.desired())
	for _, a := range []string{"rg-keep", "rg-final", "rg-plain"} {
		if s[a].Sync != "Synced" || liveValue(t, east, a, "settings") != "1" {
			t.Fatalf("%s: %+v, live %q; want it deployed by the first pass", a, s[a], liveValue(t, east, a, "settings"))
		}
	}

	r2 := maps.Clone(r1)
	delete(r2, "apps/rg-final.yaml")
	delete(r2, "apps/rg-plain.yaml")
	head := l.src
	head.Repo, head.Revision = r2, "r2"
	l.r.Source = func(_ context.Context, rev string) (planner.Source, error) {
		if rev == "r2" {
			return head, nil
		}
		return l.src, nil
	}
	inv, err := l.r.Planner.Discover(t.Context(), head)
	if err != nil || len(inv.Errors) > 0 {
		t.Fatalf("discover r2: %v %v", err, inv.Errors)
	}
	s = l.pass(t, Desired{Head: head, Inv: inv})

	if v := liveValue(t, east, "rg-final", "settings"); !strings.Contains(v, "not found") {
		t.Errorf("rg-final's ConfigMap: %q; want it deleted (the Application had the resources finalizer)", v)
	}
	if v := liveValue(t, east, "rg-plain", "settings"); v != "1" {
		t.Errorf("rg-plain's ConfigMap: %q; want it left running (no finalizer)", v)
	}
	if v := liveValue(t, east, "rg-keep", "settings"); v != "1" || s["rg-keep"].Sync != "Synced" {
		t.Errorf("rg-keep: live %q, %+v; want it untouched", v, s["rg-keep"])
	}
	for a, want := range map[string]string{"rg-final": store.PhaseDeleted, "rg-plain": store.PhaseOrphaned} {
		h, err := l.st.History(t.Context(), a, "east", 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(h) != 1 || h[0].Phase != want || h[0].Revision != "r2" {
			t.Errorf("newest history of %s: %+v; want %s at r2", a, h, want)
		}
		if _, ok := s[a]; ok {
			t.Errorf("%s still has a status in the pass result", a)
		}
		if rows, _ := l.st.AppStatuses(t.Context(), store.AppStatusFilter{App: a}); len(rows) != 0 {
			t.Errorf("status of %s kept in the store: %+v", a, rows)
		}
	}

	// A later pass changes nothing and records nothing more.
	l.pass(t, Desired{Head: head, Inv: inv})
	for _, a := range []string{"rg-final", "rg-plain"} {
		if n := syncs(t, l.st, a, "east"); n != 2 {
			t.Errorf("history of %s has %d records after another pass; want 2 (sync, removal)", a, n)
		}
	}
}
