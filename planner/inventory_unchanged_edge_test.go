package planner

import (
	"context"
	"strings"
	"testing"
)

// warmMatchesCold diffs files against each edit in turn with one Planner,
// each head tree derived from the base before it, and checks every report
// against a diff of plain trees by a new Planner.
func warmMatchesCold(t *testing.T, src Source, files map[string]string, edits ...map[string]string) {
	t.Helper()
	var p Planner
	prev := &derivedTree{commitTree: treeAt("c0", files)}
	at := func(repo *derivedTree, rev string) Source {
		s := src
		s.Repo, s.Revision = repo, rev
		return s
	}
	if _, err := p.Discover(context.Background(), at(prev, "c0")); err != nil {
		t.Fatal(err)
	}
	for i, edit := range edits {
		next := editFiles(files, edit)
		rev := "c" + string(rune('1'+i))
		changed := changedPaths(files, next)
		head := &derivedTree{commitTree: treeAt(rev, next), from: prev.commit, changed: changed}
		warm, err := p.DiffRevisions(context.Background(), at(prev, prev.commit), at(head, rev), DiffOptions{Changed: changed})
		if err != nil {
			t.Fatalf("edit %d: %v", i, err)
		}
		var cold Planner
		base, tip := src, src
		base.Repo, base.Revision, tip.Repo, tip.Revision = plainTree(files), prev.commit, plainTree(next), rev
		ref, err := cold.DiffRevisions(context.Background(), base, tip, DiffOptions{Changed: changed})
		if err != nil {
			t.Fatalf("edit %d, no cache: %v", i, err)
		}
		if got, want := reportSummary(warm), reportSummary(ref); got != want {
			t.Errorf("edit %d: warm diff reports\n%s\na diff without cache\n%s", i, got, want)
		}
		files, prev = next, head
	}
}

// TestHeadInventoryWithAPinnedParentThatDoesNotBind diffs a change to a
// file no app reads, in a repository whose app of apps names the base
// commit as its targetRevision but fails to bind (its cluster is unknown):
// at the base its path holds its children, which are no roots; at the head
// that path is another revision's, so the child Application there is a
// root app of its own. The head cannot take the base's inventory.
func TestHeadInventoryWithAPinnedParentThatDoesNotBind(t *testing.T) {
	parent := strings.Replace(application("parent", "0", "apps/children", "https://nowhere.internal:6443"),
		"path: apps/children", "path: apps/children\n    targetRevision: c0", 1)
	files := map[string]string{
		"clusters/staging.yaml":    clusterSecrets,
		"roots/parent.yaml":        parent,
		"apps/children/child.yaml": application("child", "0", "apps/a", "https://staging.internal:6443"),
		"apps/a/cm.yaml":           configMap,
	}
	warmMatchesCold(t, Source{RepoURL: repoURL}, files, map[string]string{"README.md": "hello\n"})
}
