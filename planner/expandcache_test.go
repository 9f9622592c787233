package planner

import (
	"context"
	"testing"
	"testing/fstest"
)

// TestUnchangedApplicationSetExpandsOnceForBaseAndHead: a diff whose
// change leaves an ApplicationSet with a list generator alone expands it
// once for both revisions, while one with a git generator is expanded on
// each side, since it reads the repository at that revision.
func TestUnchangedApplicationSetExpandsOnceForBaseAndHead(t *testing.T) {
	const listSet = `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: envs, namespace: argocd}
spec:
  generators:
    - list: {elements: [{env: staging}, {env: prod}]}
  template:
    metadata: {name: 'web-{{env}}'}
    spec:
      project: default
      source: {repoURL: 'https://example.com/gitops.git', path: 'web/{{env}}'}
      destination: {name: east, namespace: web}
`
	const gitSet = `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: dirs, namespace: argocd}
spec:
  generators:
    - git: {repoURL: 'https://example.com/gitops.git', revision: HEAD, directories: [{path: 'svc/*'}]}
  template:
    metadata: {name: '{{path.basename}}'}
    spec:
      project: default
      source: {repoURL: 'https://example.com/gitops.git', path: '{{path}}'}
      destination: {name: east, namespace: svc}
`
	tree := func(readme string) fstest.MapFS {
		return fstest.MapFS{
			".gitwave.yaml":       {Data: []byte("apps: [apps]\nrepoURL: https://example.com/gitops.git\n")},
			"apps/envs.yaml":      {Data: []byte(listSet)},
			"apps/dirs.yaml":      {Data: []byte(gitSet)},
			"web/staging/cm.yaml": {Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\n")},
			"web/prod/cm.yaml":    {Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\n")},
			"svc/cart/cm.yaml":    {Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cart}\n")},
			"README.md":           {Data: []byte(readme)},
		}
	}
	clusters := []Cluster{{Name: "east", Server: "https://east.example.com"}}
	base := Source{Repo: tree("a\n"), RepoURL: "https://example.com/gitops.git", Revision: "1111111111111111111111111111111111111111", Clusters: clusters}
	head := base
	head.Repo, head.Revision = tree("b\n"), "2222222222222222222222222222222222222222"
	p := &Planner{}
	rep, err := p.DiffRevisions(context.Background(), base, head, DiffOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.HasErrors() {
		t.Fatalf("diff has errors: %v", rep.Errors)
	}
	// envs once (cached across the revisions), dirs once per side.
	if got := p.expansions.expanded.Load(); got != 3 {
		t.Errorf("%d expansions for base and head; want 3: the list ApplicationSet once, the git one on each side", got)
	}
}
