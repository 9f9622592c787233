package reconcile

import (
	"context"
	"os"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/gitwave/gitwave/applier"
	"github.com/gitwave/gitwave/hack/localcluster"
	"github.com/gitwave/gitwave/planner"
	"github.com/gitwave/gitwave/store"
)

var shared = &localcluster.Shared{Names: []string{"east", "west"}}

func TestMain(m *testing.M) {
	code := m.Run()
	shared.Close()
	benchClusters.Close()
	os.Exit(code)
}

const repoURL = "https://example.com/gitops.git"

// app is an Application manifest in a wave, deploying path to cluster.
func app(name, wave, path, cluster string) string {
	return `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: ` + name + `
  annotations: {argocd.argoproj.io/sync-wave: "` + wave + `"}
spec:
  source: {repoURL: ` + repoURL + `, path: ` + path + `}
  destination: {name: ` + cluster + `, namespace: ` + name + `}
  syncPolicy: {automated: {prune: true, selfHeal: true}, syncOptions: [CreateNamespace=true]}
`
}

func configMap(name, value string) string {
	return "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: " + name + "}\ndata: {value: \"" + value + "\"}\n"
}

// fixture is a reconciler over the shared clusters plus one that cannot be
// reached, with a fresh store.
func fixture(t *testing.T, repo fstest.MapFS) (*Reconciler, planner.Source, *planner.Inventory) {
	t.Helper()
	env := shared.Need(t)
	st, err := store.Open(t.Context(), store.Options{DSN: t.TempDir() + "/gitwave.db"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ccs := []applier.ClusterConfig{{Name: "gone", Server: "https://127.0.0.1:1"}}
	clusters := []planner.Cluster{{Name: "gone", Server: "https://127.0.0.1:1"}}
	for _, n := range env.Names() {
		ccs = append(ccs, applier.ClusterConfig{Name: n, Kubeconfig: env.KubeconfigPath(), Context: n})
		clusters = append(clusters, planner.Cluster{Name: n, Server: env.Server(n)})
	}
	fleet, err := applier.NewFleet(ccs, applier.FleetOptions{Manager: applier.Options{Store: st, WaitTimeout: time.Minute}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fleet.Close)
	src := planner.Source{Repo: repo, RepoURL: repoURL, Revision: "r1", Clusters: clusters}
	r := &Reconciler{Planner: &planner.Planner{}, Fleet: fleet, History: st,
		Source: func(context.Context, string) (planner.Source, error) { return src, nil }}
	inv, err := r.Planner.Discover(t.Context(), src)
	if err != nil || len(inv.Errors) > 0 {
		t.Fatalf("discover: %v %v", err, inv.Errors)
	}
	return r, src, inv
}

// TestLiveDiffFallsBackOnlyForTheUnreachableCluster: one cluster does not
// answer; its app keeps the render diff with a note, the others are diffed
// live.
func TestLiveDiffFallsBackOnlyForTheUnreachableCluster(t *testing.T) {
	repo := fstest.MapFS{
		"apps/ld-east.yaml": {Data: []byte(app("ld-east", "0", "cm", "east"))},
		"apps/ld-gone.yaml": {Data: []byte(app("ld-gone", "0", "cm", "gone"))},
		"cm/cm.yaml":        {Data: []byte(configMap("settings", "1"))},
	}
	r, src, inv := fixture(t, repo)
	rep := &planner.Report{Head: "r1", HeadRevision: r.Planner.NewRevision(src, inv)}
	for _, a := range inv.Apps {
		rep.Apps = append(rep.Apps, planner.AppDiff{App: a.Key(), Status: planner.AppChanged, After: a,
			Changes: []planner.Change{{Action: planner.ActionChanged, Diff: "render diff"}}})
	}
	r.LiveDiff(t.Context(), rep, LiveDiffOptions{})
	for _, d := range rep.Apps {
		switch d.App.Cluster {
		case "gone":
			if !strings.Contains(d.Note, "cluster gone cannot be reached") || d.Changes[0].Diff != "render diff" {
				t.Errorf("unreachable cluster: note %q, changes %+v; want the render diff kept and a note", d.Note, d.Changes)
			}
		case "east":
			if d.Note != "" || len(d.Changes) != 1 || d.Changes[0].Action != planner.ActionAdded || d.Status != planner.AppChanged {
				t.Errorf("live cluster: status %s note %q changes %+v; want the ConfigMap added live", d.Status, d.Note, d.Changes)
			}
		}
	}
}

// TestSyncStopsAfterAFailedWave: apps sync in wave order; when an app of
// an earlier wave fails, later waves are not synced and say why.
func TestSyncStopsAfterAFailedWave(t *testing.T) {
	repo := fstest.MapFS{
		"apps/sw-first.yaml":  {Data: []byte(app("sw-first", "-1", "first", "east"))},
		"apps/sw-broken.yaml": {Data: []byte(app("sw-broken", "0", "broken", "west"))},
		"apps/sw-later.yaml":  {Data: []byte(app("sw-later", "1", "later", "east"))},
		"first/cm.yaml":       {Data: []byte(configMap("first", "1"))},
		"broken/cm.yaml":      {Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: broken}\nbogus: field\n")},
		"later/cm.yaml":       {Data: []byte(configMap("later", "1"))},
	}
	r, src, inv := fixture(t, repo)
	results := r.Sync(t.Context(), src, inv, inv.Apps, SyncOptions{Trigger: "cli"})
	got := map[string]string{}
	for _, res := range results {
		switch {
		case res.Skipped:
			got[res.App.Name] = "skipped"
		case res.Err != nil:
			got[res.App.Name] = "failed"
		default:
			got[res.App.Name] = "synced"
		}
	}
	want := map[string]string{"sw-first": "synced", "sw-broken": "failed", "sw-later": "skipped"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %s, want %s (all: %v)", k, got[k], v, got)
		}
	}
	cs, err := kubernetes.NewForConfig(shared.Need(t).RESTConfig("east"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cs.CoreV1().ConfigMaps("sw-later").Get(t.Context(), "later", metav1.GetOptions{}); err == nil {
		t.Error("the app after the failed wave was applied")
	}
	if _, err := cs.CoreV1().ConfigMaps("sw-first").Get(t.Context(), "first", metav1.GetOptions{}); err != nil {
		t.Errorf("the first wave's app is not in the cluster: %v", err)
	}
}
