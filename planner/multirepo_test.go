package planner_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/gitwave/gitwave/planner"
	"github.com/gitwave/gitwave/planner/plannertest"
)

// The served repository of these tests is the roots repository; the
// Applications it holds read k8s-apps, k8s-values and chart repositories.
const (
	rootsURL  = "https://github.com/org/k8s-gitops.git"
	appsURL   = "https://github.com/org/k8s-apps.git"
	valuesURL = "https://github.com/org/k8s-values.git"
	jetstack  = "https://charts.jetstack.io"
	bitnami   = "https://charts.bitnami.com/bitnami"
	rootsSHA  = "1111111111111111111111111111111111111111"
	appsTag   = "2222222222222222222222222222222222222222"
	appsPin   = "3333333333333333333333333333333333333333"
	appsMain  = "4444444444444444444444444444444444444444"
)

var mrCluster = planner.Cluster{Name: "staging", Server: "https://staging.example.com"}

// mrApp is an Application on the staging cluster with the given sources
// (YAML list items, indented for spec.sources).
func mrApp(name, sources string) string {
	return "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: " + name + ", namespace: argocd}\n" +
		"spec:\n  project: default\n  destination: {server: https://staging.example.com, namespace: " + name + "}\n  sources:\n" + sources
}

func configMap(name, key, value string) string {
	return "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: " + name + "}\ndata: {" + key + ": '" + value + "'}\n"
}

// rootsRepo is a roots repository whose apps/ holds the given Applications
// and which also has a guestbook/ directory: a source that names another
// repository must never be read from here.
func rootsRepo(apps map[string]string) fstest.MapFS {
	repo := fstest.MapFS{
		".gitwave.yaml":     {Data: []byte("apps: [apps]\n")},
		"guestbook/cm.yaml": {Data: []byte(configMap("guestbook", "from", "roots"))},
	}
	for name, doc := range apps {
		repo["apps/"+name+".yaml"] = &fstest.MapFile{Data: []byte(doc)}
	}
	return repo
}

// appsRepos lists k8s-apps at three revisions: main, the tag v1.2.0 and a
// pinned commit, each with its own guestbook ConfigMap.
func appsRepos() *plannertest.Repositories {
	r := &plannertest.Repositories{}
	at := func(v string) fstest.MapFS {
		return fstest.MapFS{"guestbook/cm.yaml": {Data: []byte(configMap("guestbook", "from", v))}}
	}
	r.AddTree(appsURL, at("main"), appsMain, "main", "HEAD")
	r.AddTree(appsURL, at("v1.2.0"), appsTag, "v1.2.0")
	r.AddTree(appsURL, at("pinned"), appsPin)
	return r
}

func plan(t *testing.T, src planner.Source, app string) (*planner.AppPlan, error) {
	t.Helper()
	var p planner.Planner
	inv, err := p.Discover(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range inv.Apps {
		if a.Name == app {
			return p.Plan(context.Background(), inv, src.Repo, a)
		}
	}
	t.Fatalf("no app %s among %d (errors %v)", app, len(inv.Apps), inv.Errors)
	return nil, nil
}

func dataOf(t *testing.T, p *planner.AppPlan, name string) string {
	t.Helper()
	for _, o := range p.Objects {
		if o.Key.Kind == "ConfigMap" && o.Key.Name == name {
			v, _, _ := unstructured.NestedString(o.Manifest.Object, "data", "from")
			return v
		}
	}
	t.Fatalf("%s deploys no ConfigMap %s", p.App.Name, name)
	return ""
}

// TestForeignRepoURLUnlisted checks that a source naming another
// repository is an error naming that repository, at the Application's
// file and line, for its app and cluster, and is never rendered from the
// served repository, which holds the same path: with the served URL known
// and no Repositories, and in the CLI, where the served URL is unknown.
func TestForeignRepoURLUnlisted(t *testing.T) {
	repo := rootsRepo(map[string]string{"guestbook": mrApp("guestbook", "    - {repoURL: '"+appsURL+"', targetRevision: main, path: guestbook}\n")})
	for _, servedURL := range []string{rootsURL, ""} {
		_, err := plan(t, planner.Source{Repo: repo, RepoURL: servedURL, Revision: rootsSHA, Clusters: []planner.Cluster{mrCluster}}, "guestbook")
		var unlisted *planner.UnlistedSourceError
		var re *planner.RenderError
		if !errors.As(err, &unlisted) || unlisted.RepoURL != appsURL || !errors.As(err, &re) {
			t.Fatalf("served URL %q: err = %v, want an UnlistedSourceError naming %s", servedURL, err, appsURL)
		}
		if re.File != "apps/guestbook.yaml" || re.Line != 1 || re.App != "guestbook" || re.Cluster != "staging" {
			t.Errorf("served URL %q: error at %s:%d app %s cluster %s, want apps/guestbook.yaml:1 app guestbook cluster staging", servedURL, re.File, re.Line, re.App, re.Cluster)
		}
		if !strings.Contains(err.Error(), appsURL+" is not in repos[]") {
			t.Errorf("served URL %q: error %q does not say %s is not listed", servedURL, err, appsURL)
		}
	}
}

// TestServedRepoAtOtherRevision checks that a source of the served
// repository at a tag is read through Repositories, not from the served
// tree, and is an error without them.
func TestServedRepoAtOtherRevision(t *testing.T) {
	repo := rootsRepo(map[string]string{"guestbook": mrApp("guestbook", "    - {repoURL: '"+rootsURL+"', targetRevision: v0.9.0, path: guestbook}\n")})
	src := planner.Source{Repo: repo, RepoURL: rootsURL, Revision: rootsSHA, Clusters: []planner.Cluster{mrCluster}}
	if _, err := plan(t, src, "guestbook"); err == nil || !strings.Contains(err.Error(), "targetRevision v0.9.0") {
		t.Fatalf("err = %v, want an error naming targetRevision v0.9.0", err)
	}
	repos := &plannertest.Repositories{}
	repos.AddTree(rootsURL, fstest.MapFS{"guestbook/cm.yaml": {Data: []byte(configMap("guestbook", "from", "v0.9.0"))}}, appsTag, "v0.9.0")
	src.Repositories = repos
	p, err := plan(t, src, "guestbook")
	if err != nil {
		t.Fatal(err)
	}
	if got := dataOf(t, p, "guestbook"); got != "v0.9.0" {
		t.Errorf("guestbook read from %q, want the tree at v0.9.0", got)
	}
	// The served branch is read from the served tree.
	src.Branch = "v0.9.0"
	if p, err = plan(t, src, "guestbook"); err != nil {
		t.Fatal(err)
	}
	if got := dataOf(t, p, "guestbook"); got != "roots" || !p.Sources[0].Served || p.Sources[0].Revision != rootsSHA {
		t.Errorf("with Branch v0.9.0: read from %q (%+v), want the served tree", got, p.Sources[0])
	}
}

// TestOtherRepoAtTagAndSHA checks that apps render from another
// repository at a tag and at a commit SHA, and that the plan and the diff
// report show what each source resolved to.
func TestOtherRepoAtTagAndSHA(t *testing.T) {
	repo := rootsRepo(map[string]string{
		"tagged": mrApp("tagged", "    - {repoURL: '"+appsURL+"', targetRevision: v1.2.0, path: guestbook}\n"),
		"pinned": mrApp("pinned", "    - {repoURL: '"+appsURL+"', targetRevision: '"+appsPin+"', path: guestbook}\n"),
	})
	for _, servedURL := range []string{rootsURL, ""} {
		src := planner.Source{Repo: repo, RepoURL: servedURL, Revision: rootsSHA, Repositories: appsRepos(), Clusters: []planner.Cluster{mrCluster}}
		for app, want := range map[string]string{"tagged": "v1.2.0", "pinned": "pinned"} {
			p, err := plan(t, src, app)
			if err != nil {
				t.Fatalf("served URL %q: %v", servedURL, err)
			}
			if got := dataOf(t, p, "guestbook"); got != want {
				t.Errorf("served URL %q: %s read guestbook from %q, want %q", servedURL, app, got, want)
			}
		}
		p, _ := plan(t, src, "tagged")
		if len(p.Sources) != 1 || p.Sources[0].Revision != appsTag || p.Sources[0].TargetRevision != "v1.2.0" {
			t.Errorf("served URL %q: plan sources = %+v, want v1.2.0 resolved to %s", servedURL, p.Sources, appsTag)
		}
	}
	base := planner.Source{Repo: fstest.MapFS{".gitwave.yaml": {Data: []byte("apps: [apps]\n")}, "apps/.keep": {}}, RepoURL: rootsURL, Revision: "base", Repositories: appsRepos(), Clusters: []planner.Cluster{mrCluster}}
	head := planner.Source{Repo: repo, RepoURL: rootsURL, Revision: rootsSHA, Repositories: appsRepos(), Clusters: []planner.Cluster{mrCluster}}
	var pl planner.Planner
	rep, err := pl.DiffRevisions(context.Background(), base, head, planner.DiffOptions{})
	if err != nil {
		t.Fatal(err)
	}
	line := rep.SourcesLine()
	for _, want := range []string{appsURL + "@v1.2.0 (2222222)", appsURL + "@" + appsPin} {
		if !strings.Contains(line, want) {
			t.Errorf("report header %q does not show %s", line, want)
		}
	}
	for _, d := range rep.Apps {
		if len(d.Sources) != 1 || d.Sources[0].Revision == "" {
			t.Errorf("%s: sources %+v, want the resolved revision", d.App, d.Sources)
		}
	}
}

// TestRefValuesAcrossRepos checks Argo CD's `$values/...` across
// repositories: a chart in k8s-apps at a tag reads its values from
// k8s-values at main.
func TestRefValuesAcrossRepos(t *testing.T) {
	repo := rootsRepo(map[string]string{"web": mrApp("web",
		"    - {repoURL: '"+appsURL+"', targetRevision: v1.2.0, path: charts/web, helm: {valueFiles: [$values/web/prod.yaml]}}\n"+
			"    - {repoURL: '"+valuesURL+"', targetRevision: main, ref: values}\n")})
	repos := &plannertest.Repositories{}
	repos.AddTree(appsURL, fstest.MapFS{
		"charts/web/Chart.yaml":        {Data: []byte("apiVersion: v2\nname: web\nversion: 0.1.0\n")},
		"charts/web/values.yaml":       {Data: []byte("from: chart-default\n")},
		"charts/web/templates/cm.yaml": {Data: []byte(configMap("web", "from", "{{ .Values.from }}"))},
		"web/prod.yaml":                {Data: []byte("from: k8s-apps\n")},
	}, appsTag, "v1.2.0")
	repos.AddTree(valuesURL, fstest.MapFS{"web/prod.yaml": {Data: []byte("from: k8s-values\n")}}, appsMain, "main")
	p, err := plan(t, planner.Source{Repo: repo, RepoURL: rootsURL, Revision: rootsSHA, Repositories: repos, Clusters: []planner.Cluster{mrCluster}}, "web")
	if err != nil {
		t.Fatal(err)
	}
	if got := dataOf(t, p, "web"); got != "k8s-values" {
		t.Errorf("values read from %q, want k8s-values (the ref source's repository)", got)
	}
	if len(p.Sources) != 2 || p.Sources[1].Revision != appsMain || p.Sources[1].Ref != "values" {
		t.Errorf("sources = %+v, want the values source resolved to %s", p.Sources, appsMain)
	}
}

// TestAppSourceUnreachable checks that a repository that cannot be read
// fails the apps that read it, with an error naming it, and no other app.
func TestAppSourceUnreachable(t *testing.T) {
	repo := rootsRepo(map[string]string{
		"down": mrApp("down", "    - {repoURL: '"+appsURL+"', targetRevision: main, path: guestbook}\n"),
		"up":   mrApp("up", "    - {repoURL: '"+rootsURL+"', targetRevision: main, path: guestbook}\n"),
	})
	repos := appsRepos()
	repos.SetDown(appsURL, errors.New("dial tcp: connection refused"))
	var pl planner.Planner
	src := planner.Source{Repo: repo, RepoURL: rootsURL, Revision: rootsSHA, Repositories: repos, Clusters: []planner.Cluster{mrCluster}}
	rep, err := pl.DiffRevisions(context.Background(), planner.Source{Repo: fstest.MapFS{}, RepoURL: rootsURL}, src, planner.DiffOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]planner.AppDiff{}
	for _, d := range rep.Apps {
		got[d.App.App] = d
	}
	if d := got["down"]; d.Status != planner.AppError || !strings.Contains(d.Error, appsURL) || !strings.Contains(d.Error, "connection refused") {
		t.Errorf("down: %s %q, want an error naming %s and the cause", d.Status, d.Error, appsURL)
	}
	if d := got["up"]; d.Status != planner.AppAdded || len(d.Changes) != 1 {
		t.Errorf("up: %s %q with %d changes, want added with its ConfigMap", d.Status, d.Error, len(d.Changes))
	}
}
