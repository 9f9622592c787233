package planner

import (
	"testing"
)

func TestDependenciesReachOutsideTheSourcePath(t *testing.T) {
	repo := mapRepo(map[string]string{
		"overlays/prod/kustomization.yaml":  "resources: [../../bases/web, https://example.com/remote.yaml]\ncomponents: [../../components/tls]\n",
		"bases/web/kustomization.yaml":      "resources: [deploy.yaml, ../../shared/common]\n",
		"bases/web/deploy.yaml":             "kind: ConfigMap\n",
		"shared/common/kustomization.yaml":  "resources: []\n",
		"components/tls/kustomization.yaml": "kind: Component\n",
		"charts/api/Chart.yaml":             "name: api\ndependencies:\n- name: lib\n  repository: file://../lib\n",
		"values/prod.yaml":                  "x: 1\n",
	})
	kust := &App{Name: "web", File: "apps/web.yaml", Spec: ApplicationSpec{Source: &ApplicationSource{Path: "overlays/prod"}}}
	helm := &App{Name: "api", File: "apps/api.yaml", Spec: ApplicationSpec{Source: &ApplicationSource{Path: "charts/api",
		Helm: &ApplicationSourceHelm{ValueFiles: []string{"../../values/prod.yaml"}}}}}
	cases := []struct {
		app     *App
		changed string
		want    bool
	}{
		{kust, "overlays/prod/patch.yaml", true},
		{kust, "bases/web/deploy.yaml", true},
		{kust, "shared/common/cm.yaml", true},
		{kust, "components/tls/kustomization.yaml", true},
		{kust, "apps/web.yaml", true},
		{kust, "charts/api/values.yaml", false},
		{kust, "overlays/staging/patch.yaml", false},
		{helm, "values/prod.yaml", true},
		{helm, "charts/lib/templates/x.yaml", true},
		{helm, "values/staging.yaml", false},
		{helm, "bases/web/deploy.yaml", false},
	}
	idx := newDependencyIndex(repo, "", nil)
	for _, tc := range cases {
		if got := Touches(idx.Dependencies(tc.app), []string{tc.changed}); got != tc.want {
			t.Errorf("%s touched by %s = %v, want %v (deps %v)", tc.app.Name, tc.changed, got, tc.want, idx.Dependencies(tc.app))
		}
	}
}

// TestDependenciesLeaveOtherRepositoriesPathsAlone checks that a change in
// the served repository to apps/foo affects only apps that read apps/foo of
// the served repository: not one that reads apps/foo of k8s-apps.git, nor
// a Helm value file of another repository, while a $ref value file of the
// served repository still counts.
func TestDependenciesLeaveOtherRepositoriesPathsAlone(t *testing.T) {
	repo := mapRepo(map[string]string{
		"apps/foo/cm.yaml":     "kind: ConfigMap\n",
		"values/foo-prod.yaml": "x: 1\n",
	})
	const served, other = "https://github.com/org/k8s-gitops.git", "https://github.com/org/k8s-apps.git"
	app := func(name string, sources ...ApplicationSource) *App {
		return &App{Name: name, File: "root/" + name + ".yaml", Spec: ApplicationSpec{Sources: sources}}
	}
	foreign := app("foreign", ApplicationSource{RepoURL: other, Path: "apps/foo",
		Helm: &ApplicationSourceHelm{ValueFiles: []string{"../../values/foo-prod.yaml"}}})
	own := app("own", ApplicationSource{RepoURL: "https://GitHub.com/org/k8s-gitops", Path: "apps/foo"})
	unnamed := app("unnamed", ApplicationSource{Path: "apps/foo"})
	chartRef := app("chart-ref",
		ApplicationSource{RepoURL: "https://charts.example", Chart: "foo", TargetRevision: "1.0.0",
			Helm: &ApplicationSourceHelm{ValueFiles: []string{"$values/values/foo-prod.yaml"}}},
		ApplicationSource{RepoURL: served, Ref: "values"})
	foreignRef := app("foreign-ref",
		ApplicationSource{RepoURL: "https://charts.example", Chart: "foo", TargetRevision: "1.0.0",
			Helm: &ApplicationSourceHelm{ValueFiles: []string{"$values/values/foo-prod.yaml"}}},
		ApplicationSource{RepoURL: other, Ref: "values"})
	cases := []struct {
		app     *App
		changed string
		want    bool
	}{
		{foreign, "apps/foo/cm.yaml", false},
		{foreign, "values/foo-prod.yaml", false},
		{foreign, "root/foreign.yaml", true},
		{own, "apps/foo/cm.yaml", true},
		{unnamed, "apps/foo/cm.yaml", true},
		{chartRef, "values/foo-prod.yaml", true},
		{chartRef, "apps/foo/cm.yaml", false},
		{foreignRef, "values/foo-prod.yaml", false},
	}
	src := Source{Repo: repo, RepoURL: served}
	for _, tc := range cases {
		if got := Touches(Dependencies(src, tc.app), []string{tc.changed}); got != tc.want {
			t.Errorf("%s touched by %s = %v, want %v (deps %v)", tc.app.Name, tc.changed, got, tc.want, Dependencies(src, tc.app))
		}
	}
	// With the served URL unknown (the CLI), a named repoURL is read
	// through --source, never from the served tree.
	if Touches(Dependencies(Source{Repo: repo}, own), []string{"apps/foo/cm.yaml"}) {
		t.Errorf("with no served URL, a source naming a repoURL reads the served tree")
	}
}
