package planner_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gitwave/gitwave/planner"
	"github.com/gitwave/gitwave/planner/plannertest"
)

// TestAppsReading checks which apps a change in k8s-apps concerns: those
// with a source under a changed path, and those whose `$values` file
// changed, and not those reading the same path of another repository.
func TestAppsReading(t *testing.T) {
	repo := rootsRepo(map[string]string{
		"guestbook": mrApp("guestbook", "    - {repoURL: '"+appsURL+"', targetRevision: main, path: guestbook}\n"),
		"local":     mrApp("local", "    - {repoURL: '"+rootsURL+"', targetRevision: main, path: guestbook}\n"),
		"cm": mrApp("cm", "    - {repoURL: '"+jetstack+"', chart: cert-manager, targetRevision: 1.17.0, helm: {valueFiles: [$values/cert-manager/values.yaml]}}\n"+
			"    - {repoURL: 'https://GitHub.com/org/k8s-apps', ref: values}\n"),
	})
	src := planner.Source{Repo: repo, RepoURL: rootsURL, Revision: rootsSHA, Clusters: []planner.Cluster{mrCluster}}
	inv, err := (&planner.Planner{}).Discover(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	names := func(apps []*planner.App) []string {
		var out []string
		for _, a := range apps {
			out = append(out, a.Name)
		}
		slices.Sort(out)
		return out
	}
	tests := []struct {
		files []string
		want  []string
	}{
		{[]string{"guestbook/cm.yaml"}, []string{"guestbook"}},
		{[]string{"cert-manager/values.yaml"}, []string{"cm"}},
		{[]string{"cert-manager/other.yaml", "README.md"}, nil},
	}
	for _, tt := range tests {
		if got := names(inv.AppsReading(appsURL+"/", tt.files)); !slices.Equal(got, tt.want) {
			t.Errorf("AppsReading(k8s-apps, %v) = %v, want %v", tt.files, got, tt.want)
		}
	}
	if got := names(inv.AppsReading(rootsURL, []string{"guestbook/cm.yaml"})); !slices.Equal(got, []string{"local"}) {
		t.Errorf("AppsReading(roots, guestbook/cm.yaml) = %v, want [local]", got)
	}
}

// TestGitGeneratorOtherRepo checks that an ApplicationSet's git generator
// lists the directories of the repository it names, at its revision,
// through Repositories, with that commit as commitSHA, and that without
// Repositories it is an error naming the repository.
func TestGitGeneratorOtherRepo(t *testing.T) {
	set := `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: apps, namespace: argocd}
spec:
  goTemplate: true
  generators:
    - git: {repoURL: '` + appsURL + `', revision: main, directories: [{path: 'svc/*'}]}
  template:
    metadata: {name: '{{.path.basename}}'}
    spec:
      project: default
      source: {repoURL: '` + appsURL + `', targetRevision: '{{.commitSHA}}', path: '{{.path.path}}'}
      destination: {server: https://staging.example.com, namespace: '{{.path.basename}}'}
`
	repo := fstest.MapFS{".gitwave.yaml": {Data: []byte("apps: [apps]\n")}, "apps/set.yaml": {Data: []byte(set)},
		"svc/roots-only/cm.yaml": {Data: []byte(configMap("roots", "from", "roots"))}}
	repos := &plannertest.Repositories{}
	repos.AddTree(appsURL, fstest.MapFS{
		"svc/cart/cm.yaml":    {Data: []byte(configMap("cart", "from", "k8s-apps"))},
		"svc/billing/cm.yaml": {Data: []byte(configMap("billing", "from", "k8s-apps"))},
	}, appsMain, "main")
	src := planner.Source{Repo: repo, RepoURL: rootsURL, Revision: rootsSHA, Repositories: repos, Clusters: []planner.Cluster{mrCluster}}
	p, err := plan(t, src, "cart")
	if err != nil {
		t.Fatal(err)
	}
	if got := dataOf(t, p, "cart"); got != "k8s-apps" || p.Sources[0].Revision != appsMain {
		t.Errorf("cart read %q at %s, want k8s-apps at %s", got, p.Sources[0].Revision, appsMain)
	}
	src.Repositories = nil
	inv, err := (&planner.Planner{}).Discover(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	var unlisted *planner.UnlistedSourceError
	if len(inv.Apps) != 0 || len(inv.Errors) != 1 || !errors.As(inv.Errors[0], &unlisted) || !strings.Contains(inv.Errors[0].Error(), appsURL) {
		t.Errorf("without Repositories: apps %d, errors %v, want no app and one error naming %s", len(inv.Apps), inv.Errors, appsURL)
	}
}

// TestDiffReadsOtherRepoOnce checks that a diff reads another repository
// once for both revisions, so that both sides see it at one commit.
func TestDiffReadsOtherRepoOnce(t *testing.T) {
	apps := map[string]string{"guestbook": mrApp("guestbook", "    - {repoURL: '"+appsURL+"', targetRevision: main, path: guestbook}\n")}
	repos := appsRepos()
	base := planner.Source{Repo: rootsRepo(apps), RepoURL: rootsURL, Revision: "base", Repositories: repos, Clusters: []planner.Cluster{mrCluster}}
	head := base
	head.Repo, head.Revision = rootsRepo(apps), rootsSHA
	head.Repo.(fstest.MapFS)["README.md"] = &fstest.MapFile{Data: []byte("changed\n")}
	rep, err := (&planner.Planner{}).DiffRevisions(context.Background(), base, head, planner.DiffOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Apps) != 1 || rep.Apps[0].Status != planner.AppUnchanged {
		t.Errorf("report = %+v, want guestbook unchanged", rep.Apps)
	}
	if n := repos.Calls(appsURL); n != 1 {
		t.Errorf("the diff read %s %d times, want once", appsURL, n)
	}
}

// TestAppOfAppsInOtherRepo checks that an app of apps whose children live
// in another repository finds them there, and that the children render
// from that repository.
func TestAppOfAppsInOtherRepo(t *testing.T) {
	repo := rootsRepo(map[string]string{"root": mrApp("root", "    - {repoURL: '"+appsURL+"', targetRevision: main, path: children}\n")})
	repos := &plannertest.Repositories{}
	repos.AddTree(appsURL, fstest.MapFS{
		"children/guestbook.yaml": {Data: []byte(mrApp("guestbook", "    - {repoURL: '"+appsURL+"', targetRevision: main, path: guestbook}\n"))},
		"guestbook/cm.yaml":       {Data: []byte(configMap("guestbook", "from", "k8s-apps"))},
	}, appsMain, "main")
	src := planner.Source{Repo: repo, RepoURL: rootsURL, Revision: rootsSHA, Repositories: repos, Clusters: []planner.Cluster{mrCluster}}
	p, err := plan(t, src, "guestbook")
	if err != nil {
		t.Fatal(err)
	}
	if p.App.Parent != "Application/root" || dataOf(t, p, "guestbook") != "k8s-apps" {
		t.Errorf("guestbook: parent %q, read %q, want a child of root rendered from k8s-apps", p.App.Parent, dataOf(t, p, "guestbook"))
	}
}
