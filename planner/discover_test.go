package planner

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"
)

const repoURL = "https://github.com/acme/k8s-gitops.git"

func application(name, wave, path, server string) string {
	return `
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: ` + name + `
  annotations:
    argocd.argoproj.io/sync-wave: '` + wave + `'
spec:
  project: default
  source:
    repoURL: ` + repoURL + `
    path: ` + path + `
  destination:
    server: ` + server + `
    namespace: ` + name + `
`
}

const clusterSecrets = `
apiVersion: v1
kind: Secret
metadata:
  name: staging
  labels: {argocd.argoproj.io/secret-type: cluster, env: staging}
stringData:
  name: staging
  server: https://staging.internal:6443
---
apiVersion: v1
kind: Secret
metadata:
  name: prod
  labels: {argocd.argoproj.io/secret-type: cluster, env: production}
stringData:
  name: prod
  server: https://prod.internal:6443
`

const configMap = `
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {a: "1"}
`

func discover(t *testing.T, repo fstest.MapFS, clusters ...Cluster) *Inventory {
	t.Helper()
	cfg, err := LoadRepoConfig(repo)
	if err != nil {
		t.Fatal(err)
	}
	inv, err := (&Planner{}).Discover(context.Background(), Source{Repo: repo, RepoURL: repoURL, Config: cfg, Clusters: clusters})
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

func appIDs(inv *Inventory) []string {
	var out []string
	for _, a := range inv.Apps {
		out = append(out, a.Key().String()+" parent="+a.Parent)
	}
	return out
}

func TestDiscoverAppOfAppsOrdersChildrenByWave(t *testing.T) {
	repo := mapRepo(map[string]string{
		"clusters/secrets.yaml": clusterSecrets,
		"root/root.yaml":        application("root", "0", "children", "https://kubernetes.default.svc"),
		"children/b.yaml":       application("b", "2", "apps/b", "https://prod.internal:6443"),
		"children/a.yaml":       application("a", "-1", "apps/a", "https://staging.internal:6443"),
		"apps/a/cm.yaml":        configMap,
		"apps/b/cm.yaml":        configMap,
	})
	inv := discover(t, repo)
	if len(inv.Errors) > 0 {
		t.Fatalf("errors: %v", inv.Errors)
	}
	got := strings.Join(appIDs(inv), "\n")
	want := strings.Join([]string{
		"root@in-cluster parent=",
		"a@staging parent=Application/root",
		"b@prod parent=Application/root",
	}, "\n")
	if got != want {
		t.Errorf("apps:\n%s\nwant:\n%s", got, want)
	}
	plan, err := (&Planner{}).Plan(context.Background(), inv, repo, inv.Apps[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Objects) != 0 {
		t.Errorf("the parent deploys its children as apps, not as objects; got %d objects", len(plan.Objects))
	}
}

func TestDiscoverReportsCycleAndKeepsOtherApps(t *testing.T) {
	repo := mapRepo(map[string]string{
		".gitwave.yaml":         "apps: [root]\n",
		"clusters/secrets.yaml": clusterSecrets,
		"root/loop.yaml":        application("loop", "0", "loop", "https://staging.internal:6443"),
		"loop/self.yaml":        application("loop", "0", "loop", "https://staging.internal:6443"),
		"root/fine.yaml":        application("fine", "0", "apps/a", "https://prod.internal:6443"),
		"apps/a/cm.yaml":        configMap,
	})
	inv := discover(t, repo)
	if len(inv.Errors) != 1 || !strings.Contains(inv.Errors[0].Error(), "app of apps cycle: loop -> loop") {
		t.Fatalf("want one cycle error, got %v", inv.Errors)
	}
	if !strings.Contains(inv.Errors[0].Error(), "loop/self.yaml") {
		t.Errorf("cycle error names no file: %v", inv.Errors[0])
	}
	ids := appIDs(inv)
	if len(ids) != 2 || ids[0] != "fine@prod parent=" && ids[1] != "fine@prod parent=" {
		t.Errorf("the other app must still be listed: %v", ids)
	}
}

func TestDiscoverBadDestinationNamesKnownClusters(t *testing.T) {
	repo := mapRepo(map[string]string{
		"clusters/secrets.yaml": clusterSecrets,
		"apps.yaml":             application("lost", "0", "apps/a", "https://nowhere:6443"),
		"apps/a/cm.yaml":        configMap,
	})
	inv := discover(t, repo)
	if len(inv.Errors) != 1 {
		t.Fatalf("errors: %v", inv.Errors)
	}
	msg := inv.Errors[0].Error()
	for _, want := range []string{"apps.yaml:2", "app lost", "https://nowhere:6443", "staging, prod"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
}

func TestDiscoverDuplicateApp(t *testing.T) {
	repo := mapRepo(map[string]string{
		"clusters/secrets.yaml": clusterSecrets,
		"one.yaml":              application("twin", "0", "apps/a", "https://prod.internal:6443"),
		"two.yaml":              application("twin", "0", "apps/a", "https://prod.internal:6443"),
		"apps/a/cm.yaml":        configMap,
	})
	inv := discover(t, repo)
	if len(inv.Errors) != 1 || !strings.Contains(inv.Errors[0].Error(), "defined twice") || !strings.Contains(inv.Errors[0].Error(), "one.yaml:2") {
		t.Fatalf("want a duplicate error naming the first file, got %v", inv.Errors)
	}
}

func TestConfigClusterTakesSecretLabelsAndServerAlias(t *testing.T) {
	repo := mapRepo(map[string]string{
		"clusters/secrets.yaml": clusterSecrets,
		"app.yaml":              application("svc", "0", "apps/a", "https://staging.internal:6443"),
		"apps/a/cm.yaml":        configMap,
	})
	inv := discover(t, repo, Cluster{Name: "staging", Server: "https://127.0.0.1:30443", Source: "config"})
	if len(inv.Errors) > 0 {
		t.Fatal(inv.Errors)
	}
	a := inv.Apps[0]
	if a.Cluster.Server != "https://127.0.0.1:30443" || a.Cluster.Labels["env"] != "staging" {
		t.Errorf("cluster = %+v; want the configured server with the Secret's labels", a.Cluster)
	}
}

func TestPlanFillsNamespaceAndRejectsDuplicates(t *testing.T) {
	repo := mapRepo(map[string]string{
		"apps/a/cm.yaml": configMap + "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: reader, namespace: stray}\n",
		"apps/b/cm.yaml": configMap,
		"apps/b/cm2.yml": configMap,
	})
	app := &App{Name: "a", Namespace: "shop", Cluster: Cluster{Name: "c"}, Spec: ApplicationSpec{Source: &ApplicationSource{Path: "apps/a"}}}
	plan, err := (&Planner{}).Plan(context.Background(), nil, repo, app)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, o := range plan.Objects {
		got[o.Key.Kind] = o.Key.Namespace
	}
	if got["ConfigMap"] != "shop" || got["ClusterRole"] != "" {
		t.Errorf("namespaces = %v; want ConfigMap in shop and the ClusterRole cluster-scoped", got)
	}
	app.Spec.Source.Path = "apps/b"
	_, err = (&Planner{}).Plan(context.Background(), nil, repo, app)
	if err == nil || !strings.Contains(err.Error(), "rendered twice") || !strings.Contains(err.Error(), "apps/b/cm.yaml:2") {
		t.Errorf("want a duplicate object error naming both files, got %v", err)
	}
}
