package planner_test

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gitwave/gitwave/planner"
)

// TestDiscoverNamesTheUnknownFieldsPath: a typo in an ApplicationSet or an
// Application read through Discover (what apps, diffs and deploys run) is
// named by its path, as ParseApplicationSet names it, not as a bare
// `json: unknown field`.
func TestDiscoverNamesTheUnknownFieldsPath(t *testing.T) {
	const set = `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: fleet, namespace: argocd}
spec:
  generators:
    - clusters: {selectr: {matchLabels: {env: prod}}}
  template:
    metadata: {name: 'web-{{name}}'}
    spec:
      project: default
      source: {repoURL: 'https://example.com/gitops.git', path: web}
      destination: {server: '{{server}}', namespace: web}
`
	const app = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: api, namespace: argocd}
spec:
  project: default
  source: {repoURL: 'https://example.com/gitops.git', path: api, helm: {valueFile: [v.yaml]}}
  destination: {name: east, namespace: api}
`
	repo := fstest.MapFS{
		".gitwave.yaml": {Data: []byte("apps: [apps]\nrepoURL: https://example.com/gitops.git\n")},
		"apps/set.yaml": {Data: []byte(set)},
		"apps/api.yaml": {Data: []byte(app)},
		"web/cm.yaml":   {Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\n")},
	}
	src := planner.Source{Repo: repo, RepoURL: "https://example.com/gitops.git", Revision: "1111111111111111111111111111111111111111",
		Clusters: []planner.Cluster{{Name: "east", Server: "https://east.example.com"}}}
	inv, err := (&planner.Planner{}).Discover(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for _, e := range inv.Errors {
		msgs = append(msgs, e.Error())
	}
	all := strings.Join(msgs, "\n")
	for _, want := range []string{"unknown field spec.generators[0].clusters.selectr", "unknown field spec.source.helm.valueFile"} {
		if !strings.Contains(all, want) {
			t.Errorf("discover errors lack %q:\n%s", want, all)
		}
	}
}
