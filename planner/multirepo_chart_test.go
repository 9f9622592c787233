package planner_test

import (
	"context"
	"errors"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gitwave/gitwave/planner"
	"github.com/gitwave/gitwave/planner/plannertest"
)

// certManager packages a chart whose ConfigMap says which version rendered
// it and with which values.
func certManager(version string) []byte {
	return plannertest.Package("cert-manager", map[string]string{
		"Chart.yaml":          "apiVersion: v2\nname: cert-manager\nversion: " + version + "\n",
		"values.yaml":         "size: default\n",
		"values-small.yaml":   "size: small\n",
		"templates/cm.yaml":   configMap("cert-manager", "from", "{{ .Chart.Version }}-{{ .Values.size }}-{{ .Release.Name }}"),
		"templates/NOTES.txt": "installed\n",
	})
}

func chartRepos() *plannertest.Repositories {
	r := &plannertest.Repositories{}
	for _, v := range []string{"1.15.0", "1.16.1", "1.16.3", "1.17.0"} {
		r.AddChart(jetstack, "cert-manager", v, certManager(v))
	}
	r.AddChart(bitnami, "redis", "1.0.2", plannertest.Package("redis", map[string]string{
		"Chart.yaml":        "apiVersion: v2\nname: redis\nversion: 1.0.2\n",
		"templates/cm.yaml": configMap("redis", "from", "redis-{{ .Chart.Version }}"),
	}))
	return r
}

// TestChartSourceSemverRange checks that a `chart:` source installs the
// highest version its semver range allows, with a value file from inside
// the chart and releaseName, and that the plan shows the version.
func TestChartSourceSemverRange(t *testing.T) {
	repo := rootsRepo(map[string]string{"cert-manager": mrApp("cert-manager",
		"    - {repoURL: '"+jetstack+"', chart: cert-manager, targetRevision: '~1.16.0', helm: {releaseName: cm, valueFiles: [values-small.yaml]}}\n")})
	repos := chartRepos()
	src := planner.Source{Repo: repo, RepoURL: rootsURL, Revision: rootsSHA, Repositories: repos, Clusters: []planner.Cluster{mrCluster}}
	p, err := plan(t, src, "cert-manager")
	if err != nil {
		t.Fatal(err)
	}
	if got := dataOf(t, p, "cert-manager"); got != "1.16.3-small-cm" {
		t.Errorf("rendered %q, want 1.16.3-small-cm", got)
	}
	if len(p.Sources) != 1 || p.Sources[0].Revision != "1.16.3" || !strings.HasPrefix(p.Sources[0].Digest, "sha256:") {
		t.Errorf("sources = %+v, want ~1.16.0 resolved to 1.16.3 with its digest", p.Sources)
	}
	src.Repositories = nil
	if _, err := plan(t, src, "cert-manager"); err == nil || !strings.Contains(err.Error(), "chart repository "+jetstack+" is not in helmRepos[]") {
		t.Errorf("without Repositories: err = %v, want the chart repository named as unlisted", err)
	}
}

// TestChartSourceFetchedOncePerPass checks that many apps installing the
// same chart fetch it once per Discover pass.
func TestChartSourceFetchedOncePerPass(t *testing.T) {
	apps := map[string]string{}
	for _, n := range []string{"a", "b", "c"} {
		apps[n] = mrApp(n, "    - {repoURL: '"+jetstack+"', chart: cert-manager, targetRevision: 1.17.0}\n")
	}
	repos := chartRepos()
	src := planner.Source{Repo: rootsRepo(apps), RepoURL: rootsURL, Revision: rootsSHA, Repositories: repos, Clusters: []planner.Cluster{mrCluster}}
	var pl planner.Planner
	inv, err := pl.Discover(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range inv.Apps {
		if _, err := pl.Plan(context.Background(), inv, src.Repo, a); err != nil {
			t.Fatal(err)
		}
	}
	if n := repos.Calls(jetstack); n != 1 {
		t.Errorf("3 apps made %d chart requests, want 1", n)
	}
}

// TestChartDependencyFetched checks that a chart dependency missing from
// charts/ is fetched from its listed chart repository, and that a
// repository alias, which needs a local repository name, is an error
// naming it.
func TestChartDependencyFetched(t *testing.T) {
	chart := func(repository string) fstest.MapFS {
		repo := rootsRepo(map[string]string{"shop": mrApp("shop", "    - {repoURL: '"+rootsURL+"', path: charts/shop}\n")})
		repo["charts/shop/Chart.yaml"] = &fstest.MapFile{Data: []byte("apiVersion: v2\nname: shop\nversion: 0.1.0\ndependencies:\n- name: redis\n  version: ^1.0.0\n  repository: " + repository + "\n")}
		repo["charts/shop/templates/cm.yaml"] = &fstest.MapFile{Data: []byte(configMap("shop", "from", "shop"))}
		return repo
	}
	src := planner.Source{Repo: chart(bitnami), RepoURL: rootsURL, Revision: rootsSHA, Repositories: chartRepos(), Clusters: []planner.Cluster{mrCluster}}
	p, err := plan(t, src, "shop")
	if err != nil {
		t.Fatal(err)
	}
	if got := dataOf(t, p, "redis"); got != "redis-1.0.2" {
		t.Errorf("dependency rendered %q, want redis-1.0.2", got)
	}
	src.Repo = chart(`"@bitnami"`)
	_, err = plan(t, src, "shop")
	var re *planner.RenderError
	if !errors.As(err, &re) || re.File != "charts/shop/Chart.yaml" || !strings.Contains(err.Error(), "@bitnami") {
		t.Errorf("alias: err = %v, want an error at charts/shop/Chart.yaml naming @bitnami", err)
	}
}

// TestProjectRefusesUnlistedChartRepo checks that AppProject sourceRepos
// applies to chart repositories: the project's chart repository renders,
// another one is refused by sourceRepos.
func TestProjectRefusesUnlistedChartRepo(t *testing.T) {
	repo := rootsRepo(map[string]string{
		"cert-manager": mrApp("cert-manager", "    - {repoURL: '"+jetstack+"', chart: cert-manager, targetRevision: 1.17.0}\n"),
		"redis":        mrApp("redis", "    - {repoURL: '"+bitnami+"', chart: redis, targetRevision: 1.0.2}\n"),
	})
	for _, name := range []string{"cert-manager", "redis"} {
		f := repo["apps/"+name+".yaml"]
		f.Data = []byte(strings.Replace(string(f.Data), "project: default", "project: infra", 1))
	}
	repo["projects/infra.yaml"] = &fstest.MapFile{Data: []byte("apiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata: {name: infra, namespace: argocd}\n" +
		"spec:\n  sourceRepos: ['" + rootsURL + "', '" + jetstack + "']\n  destinations: [{server: '*', namespace: '*'}]\n")}
	src := planner.Source{Repo: repo, RepoURL: rootsURL, Revision: rootsSHA, Repositories: chartRepos(), Clusters: []planner.Cluster{mrCluster}}
	projects, errs := planner.LoadProjects(context.Background(), src)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	var pl planner.Planner
	inv, err := pl.Discover(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range inv.Apps {
		v := projects.CheckApp(a)
		switch a.Name {
		case "cert-manager":
			if len(v) > 0 {
				t.Errorf("cert-manager refused: %v", v)
			}
			if _, err := pl.Plan(context.Background(), inv, src.Repo, a); err != nil {
				t.Errorf("cert-manager: %v", err)
			}
		case "redis":
			if len(v) != 1 || v[0].Rule != planner.RuleSourceRepos || !strings.Contains(v[0].Message, bitnami) {
				t.Errorf("redis violations = %v, want sourceRepos refusing %s", v, bitnami)
			}
		}
	}
}

// blockingRepos never answers before its caller gives up.
type blockingRepos struct{}

func (blockingRepos) Tree(ctx context.Context, _, _ string) (fs.FS, string, error) {
	<-ctx.Done()
	return nil, "", ctx.Err()
}

func (blockingRepos) Chart(ctx context.Context, _, _, _ string, _ int64) (planner.ChartArchive, error) {
	<-ctx.Done()
	return planner.ChartArchive{}, ctx.Err()
}

// TestFetchWithinRenderLimits checks that fetching another repository or
// a chart counts against the app's render deadline, and that a chart
// archive larger than the app's byte limit is refused.
func TestFetchWithinRenderLimits(t *testing.T) {
	repo := rootsRepo(map[string]string{
		"guestbook":    mrApp("guestbook", "    - {repoURL: '"+appsURL+"', targetRevision: main, path: guestbook}\n"),
		"cert-manager": mrApp("cert-manager", "    - {repoURL: '"+jetstack+"', chart: cert-manager, targetRevision: 1.17.0}\n"),
	})
	src := planner.Source{Repo: repo, RepoURL: rootsURL, Revision: rootsSHA, Repositories: blockingRepos{}, Clusters: []planner.Cluster{mrCluster}}
	pl := planner.Planner{Limits: planner.Limits{RenderTimeout: 200 * time.Millisecond}}
	inv, err := pl.Discover(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"guestbook": "read " + appsURL + " at main did not finish within the render deadline", "cert-manager": "render of cert-manager exceeded 200ms"}
	for _, a := range inv.Apps {
		_, err := pl.Plan(context.Background(), inv, src.Repo, a)
		if !planner.IsLimit(err) || !strings.Contains(err.Error(), want[a.Name]) {
			t.Errorf("%s: err = %v, want %q", a.Name, err, want[a.Name])
		}
	}
	src.Repositories = chartRepos()
	pl = planner.Planner{Limits: planner.Limits{MaxRenderedBytesPerApp: 100}}
	inv, err = pl.Discover(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range inv.Apps {
		if a.Name != "cert-manager" {
			continue
		}
		if _, err := pl.Plan(context.Background(), inv, src.Repo, a); err == nil || !strings.Contains(err.Error(), "larger than 100 bytes") {
			t.Errorf("cert-manager: err = %v, want the chart refused as larger than 100 bytes", err)
		}
	}
}
