package planner_test

import (
	"context"
	"io/fs"
	"slices"
	"testing"
	"testing/fstest"

	"github.com/gitwave/gitwave/planner"
	"github.com/gitwave/gitwave/planner/plannertest"
)

// commitFS is a commit's tree, as gitrepo hands out: one value per commit.
type commitFS struct {
	fs.FS
	sha string
}

func (c *commitFS) Commit() string { return c.sha }

// appNames lists inv's apps as name@cluster.
func appNames(inv *planner.Inventory) []string {
	var out []string
	for _, a := range inv.Apps {
		out = append(out, a.Name+"@"+a.Cluster.Name)
	}
	slices.Sort(out)
	return out
}

func discoverSrc(t *testing.T, p *planner.Planner, src planner.Source) *planner.Inventory {
	t.Helper()
	inv, err := p.Discover(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

// TestKeptInventoryFollowsSettings discovers one commit again with one
// Planner: with the same settings the apps are those found the first
// time, and a caller appending to the first inventory's errors does not
// change the second's; with another cluster list or configuration the
// commit is discovered anew.
func TestKeptInventoryFollowsSettings(t *testing.T) {
	other := planner.Cluster{Name: "prod", Server: "https://prod.example.com"}
	tree := &commitFS{FS: fstest.MapFS{
		"apps/web.yaml": {Data: []byte(mrApp("web", "  - {repoURL: "+rootsURL+", path: web}\n"))},
		"apps/api.yaml": {Data: []byte("apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: api}\n" +
			"spec:\n  project: default\n  destination: {name: prod, namespace: api}\n  source: {repoURL: " + rootsURL + ", path: api}\n")},
	}, sha: rootsSHA}
	src := planner.Source{Repo: tree, RepoURL: rootsURL, Revision: rootsSHA, Clusters: []planner.Cluster{mrCluster}}
	var p planner.Planner
	first := discoverSrc(t, &p, src)
	if got := appNames(first); !slices.Equal(got, []string{"web@staging"}) || len(first.Errors) != 1 {
		t.Fatalf("apps %v, errors %v: want web@staging and api's unknown cluster", got, first.Errors)
	}
	first.Errors = append(first.Errors, context.Canceled)
	again := discoverSrc(t, &p, src)
	if len(again.Apps) != 1 || again.Apps[0] != first.Apps[0] || len(again.Errors) != 1 {
		t.Errorf("same commit and settings: apps %v errors %v, want the kept web app and one error", again.Apps, again.Errors)
	}
	src.Clusters = []planner.Cluster{mrCluster, other}
	if got := appNames(discoverSrc(t, &p, src)); !slices.Equal(got, []string{"api@prod", "web@staging"}) {
		t.Errorf("with cluster prod added: apps %v, want api@prod and web@staging", got)
	}
	src.Config.Exclude = []string{"apps/web.yaml"}
	if got := appNames(discoverSrc(t, &p, src)); !slices.Equal(got, []string{"api@prod"}) {
		t.Errorf("with apps/web.yaml excluded: apps %v, want api@prod", got)
	}
}

// TestKeptInventoryFollowsOtherRepository discovers one commit twice
// whose ApplicationSet lists the folders of another repository's main
// branch; when that branch moves between the two, the second discovery
// lists the new folders.
func TestKeptInventoryFollowsOtherRepository(t *testing.T) {
	set := "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: {name: svc}\nspec:\n  generators:\n" +
		"  - git: {repoURL: " + appsURL + ", revision: main, directories: [{path: '*'}]}\n" +
		"  template:\n    metadata: {name: '{{path.basename}}'}\n    spec:\n      project: default\n" +
		"      source: {repoURL: " + appsURL + ", targetRevision: main, path: '{{path}}'}\n" +
		"      destination: {server: https://staging.example.com, namespace: '{{path.basename}}'}\n"
	tree := &commitFS{FS: fstest.MapFS{"apps/svc.yaml": {Data: []byte(set)}}, sha: rootsSHA}
	repos := &plannertest.Repositories{}
	repos.AddTree(appsURL, fstest.MapFS{"one/cm.yaml": {Data: []byte(configMap("one", "k", "v"))}}, appsMain, "main")
	src := planner.Source{Repo: tree, RepoURL: rootsURL, Revision: rootsSHA, Repositories: repos, Clusters: []planner.Cluster{mrCluster}}
	var p planner.Planner
	if got := appNames(discoverSrc(t, &p, src)); !slices.Equal(got, []string{"one@staging"}) {
		t.Fatalf("apps %v, want one@staging", got)
	}
	repos.AddTree(appsURL, fstest.MapFS{"one/cm.yaml": {Data: []byte(configMap("one", "k", "v"))},
		"two/cm.yaml": {Data: []byte(configMap("two", "k", "v"))}}, appsPin, "main")
	if got := appNames(discoverSrc(t, &p, src)); !slices.Equal(got, []string{"one@staging", "two@staging"}) {
		t.Errorf("after k8s-apps main moved: apps %v, want one@staging and two@staging", got)
	}
}
