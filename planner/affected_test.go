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
	idx := newDependencyIndex(repo)
	for _, tc := range cases {
		if got := Touches(idx.Dependencies(tc.app), []string{tc.changed}); got != tc.want {
			t.Errorf("%s touched by %s = %v, want %v (deps %v)", tc.app.Name, tc.changed, got, tc.want, idx.Dependencies(tc.app))
		}
	}
}
