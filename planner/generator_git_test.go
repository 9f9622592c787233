package planner

import (
	"context"
	"errors"
	"testing"
	"testing/fstest"
)

// TestRepoURLKey checks which spellings of a repository URL name the
// served repository.
func TestRepoURLKey(t *testing.T) {
	served := "https://github.com/org/k8s-gitops.git"
	tests := []struct {
		url  string
		same bool
	}{
		{"https://github.com/org/k8s-gitops.git", true},
		{"https://github.com/org/k8s-gitops", true},
		{"https://GitHub.com/org/k8s-gitops/", true},
		{"git@github.com:org/k8s-gitops.git", true},
		{"ssh://git@github.com/org/k8s-gitops.git", true},
		{"https://github.com/org/k8s-gitops-other.git", false},
		{"https://gitlab.com/org/k8s-gitops.git", false},
		{"https://github.com/Org/K8s-Gitops.git", false},
	}
	for _, tt := range tests {
		if got := repoURLKey(tt.url) == repoURLKey(served); got != tt.same {
			t.Errorf("%s same as %s = %v, want %v", tt.url, served, got, tt.same)
		}
	}
}

// TestGitGeneratorLegacyParams checks the flattened parameters of git
// files and directories in the legacy form, and that with the served URL
// unknown (the CLI) the generator's repoURL is refused as unlisted instead
// of being read from the served repository.
func TestGitGeneratorLegacyParams(t *testing.T) {
	repo := fstest.MapFS{
		"envs/prod/eu/cfg.json": {Data: []byte(`{"cluster": {"name": "eu", "zones": ["a", "b"]}}`)},
	}
	doc := appsetBadHeader + `  generators:
    - git:
        repoURL: https://example.com/any.git
        files: [{path: 'envs/**/cfg.json'}]
  template:
    metadata: {name: '{{cluster.name}}-{{path.basename}}-{{path[1]}}-{{cluster.zones.1}}'}
    spec:
      project: default
      source: {repoURL: x, path: '{{path}}/{{path.filename}}'}
      destination: {server: https://kubernetes.default.svc}
`
	set, err := ParseApplicationSet("bad.yaml", 1, []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	_, err = set.Expand(context.Background(), ExpandOptions{Repo: repo})
	var unlisted *UnlistedSourceError
	if !errors.As(err, &unlisted) || unlisted.RepoURL != "https://example.com/any.git" {
		t.Fatalf("with the served URL unknown: err = %v, want an UnlistedSourceError naming https://example.com/any.git", err)
	}
	apps, err := set.Expand(context.Background(), ExpandOptions{Repo: repo, RepoURL: "https://example.com/any.git"})
	if err != nil {
		t.Fatal(err)
	}
	if len(apps) != 1 || apps[0].Metadata.Name != "eu-eu-prod-b" || apps[0].Spec.Source.Path != "envs/prod/eu/cfg.json" {
		t.Fatalf("got %+v, want one app eu-eu-prod-b with path envs/prod/eu/cfg.json", apps)
	}
}
