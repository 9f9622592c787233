package planner

import (
	"context"
	"sync/atomic"
	"testing"
	"testing/fstest"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

// countingScope counts Plan's questions about the Widget kind: one per
// render of an app rendering one Widget.
type countingScope struct{ widgets atomic.Int64 }

func (s *countingScope) IsNamespaced(gk schema.GroupKind) (bool, error) {
	if gk.Kind == "Widget" {
		s.widgets.Add(1)
		return true, nil
	}
	return BuiltinScope{}.IsNamespaced(gk)
}

// TestReportKeepsWhatTheDiffPlanned: the report of a diff holds both
// revisions; planning a changed app of the head again returns the diff's
// plan without rendering, and the policy's dependencies of a removed app
// are read at the base.
func TestReportKeepsWhatTheDiffPlanned(t *testing.T) {
	const url = "https://example.com/gitops.git"
	app := func(name, path string) string {
		return "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: " + name + ", namespace: argocd}\n" +
			"spec:\n  project: default\n  source: {repoURL: '" + url + "', path: " + path + "}\n  destination: {name: east, namespace: w}\n"
	}
	widget := func(v string) []byte {
		return []byte("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {v: " + v + "}\n")
	}
	clusters := []Cluster{{Name: "east", Server: "https://east.example.com"}}
	base := Source{RepoURL: url, Revision: "base", Clusters: clusters, Repo: fstest.MapFS{
		"apps/web.yaml": {Data: []byte(app("web", "web"))}, "web/w.yaml": {Data: widget("1")},
		"apps/old.yaml": {Data: []byte(app("old", "old"))}, "old/w.yaml": {Data: widget("1")},
	}}
	head := Source{RepoURL: url, Revision: "head", Clusters: clusters, Repo: fstest.MapFS{
		"apps/web.yaml": {Data: []byte(app("web", "web"))}, "web/w.yaml": {Data: widget("2")},
	}}
	scope := &countingScope{}
	p := &Planner{Scope: scope}
	rep, err := p.DiffRevisions(context.Background(), base, head, DiffOptions{Changed: []string{"web/w.yaml", "apps/old.yaml"}})
	if err != nil || len(rep.Apps) != 2 {
		t.Fatalf("diff: %v, %d apps; want web changed and old removed", err, len(rep.Apps))
	}
	if n := scope.widgets.Load(); n != 3 {
		t.Errorf("the diff rendered %d times; want 3 (web at base and head, old at base)", n)
	}
	web := rep.HeadRevision.Inventory.App(AppKey{App: "web", Cluster: "east"})
	first, err := rep.HeadRevision.Plan(context.Background(), web)
	if err != nil || len(first.Objects) != 1 {
		t.Fatalf("plan web at the head: %v", err)
	}
	again, _ := rep.HeadRevision.Plan(context.Background(), web)
	if again != first || scope.widgets.Load() != 3 {
		t.Errorf("planning web again rendered it (%d renders in all) or gave another plan", scope.widgets.Load())
	}
	for i := range rep.Apps {
		d := &rep.Apps[i]
		if d.App.App == "old" && (d.Status != AppRemoved || !Touches(rep.Dependencies(d), []string{"old/w.yaml"})) {
			t.Errorf("old: status %s, dependencies %v; want removed, reading old/", d.Status, rep.Dependencies(d))
		}
	}
}
