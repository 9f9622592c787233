package planner_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitwave/gitwave/gitrepo"
	"github.com/gitwave/gitwave/planner"
)

// TestGitFilesGeneratorWorkingTreeSymlinkIntoGit checks, on a working tree
// as `gitwave apps` reads a local directory, that a git files generator
// never reads the clone's .git through a symbolic link the repository
// holds, whichever matching is in force.
func TestGitFilesGeneratorWorkingTreeSymlinkIntoGit(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(".git/HEAD", "ref: refs/heads/secret-branch\n")
	write("envs/prod.json", `{"ref": "prod"}`)
	if err := os.Symlink("../.git/HEAD", filepath.Join(dir, "envs/head.json")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../.git", filepath.Join(dir, "envs/gitdir")); err != nil {
		t.Fatal(err)
	}
	w, err := gitrepo.DirFS(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	doc := `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: envs}
spec:
  generators:
    - git:
        repoURL: https://example.com/gitops.git
        files: [{path: 'envs/*.json'}, {path: 'envs/gitdir/*'}]
  template:
    metadata: {name: 'env-{{ref}}'}
    spec:
      project: default
      source: {repoURL: https://example.com/gitops.git, path: envs}
      destination: {server: https://kubernetes.default.svc}
`
	set, err := planner.ParseApplicationSet("envs.yaml", 1, []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	for _, mode := range []planner.GitFileGlobbing{planner.GitFileGlobbingDefault, planner.GitFileGlobbingStrict} {
		apps, err := set.Expand(t.Context(), planner.ExpandOptions{Repo: w, RepoURL: "https://example.com/gitops.git", GitFileGlobbing: mode})
		for _, a := range apps {
			t.Errorf("%s: app %s was generated although a matched file points into .git", mode, a.Metadata.Name)
		}
		// .git is hidden from the working tree: the link reads as a missing
		// file, named, and nothing of .git reaches the message.
		if err == nil || !strings.Contains(err.Error(), "read envs/head.json: read .git/HEAD: file does not exist") {
			t.Errorf("%s: err = %v, want the link into .git read as a missing file", mode, err)
		}
		if err != nil && strings.Contains(err.Error(), "secret-branch") {
			t.Errorf("%s: the error shows .git content: %v", mode, err)
		}
	}
}
