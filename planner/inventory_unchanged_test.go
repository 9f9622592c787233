package planner

import (
	"context"
	"fmt"
	"io/fs"
	"maps"
	"strings"
	"testing"
)

// clusterAppSet is an ApplicationSet that puts app "mon" on every cluster
// labelled env: production.
const clusterAppSet = `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: mon}
spec:
  generators:
  - clusters: {selector: {matchLabels: {env: production}}}
  template:
    metadata: {name: 'mon-{{name}}'}
    spec:
      project: default
      source: {repoURL: ` + repoURL + `, path: apps/a}
      destination: {server: '{{server}}', namespace: mon}
`

// TestHeadInventoryFollowsEachChange diffs a run of commits with one
// Planner, each tree derived from the one before, as the bot diffs the
// pushes to a pull request. A change that touches nothing discovery reads
// hands the head the base's apps without discovering them again; any other
// change is discovered anew. Either way the report must be what a diff
// without any cache gives.
func TestHeadInventoryFollowsEachChange(t *testing.T) {
	// Step 9 (commit c9) adds an app pinned to c9, which step 10 compares
	// with c10: there the app reads another revision.
	pinned := strings.Replace(application("pinned", "0", "apps/c", "https://staging.internal:6443"),
		"path: apps/c", "path: apps/c\n    targetRevision: c9", 1)
	steps := []struct {
		name   string
		edit   map[string]string // "" removes the file
		shared bool
	}{
		{"a values file", map[string]string{"apps/a/values.yaml": "v: a2\np: none\n"}, true},
		{"a file no app reads", map[string]string{"README.md": "hello\n"}, true},
		{"an ApplicationSet's list", map[string]string{"appsets/web.yaml": listAppSet("a", "b", "c", "d")}, false},
		{"a new Application", map[string]string{"roots/extra.yaml": application("extra", "0", "apps/b", "https://staging.internal:6443")}, false},
		{"an Application removed", map[string]string{"roots/extra.yaml": ""}, false},
		{"a cluster Secret's labels", map[string]string{"clusters/staging.yaml": strings.Replace(clusterSecrets, "env: staging", "env: production", 1)}, false},
		{"a chart template that turns its app into an app of apps",
			map[string]string{"apps/d/templates/child.yaml": application("child", "0", "apps/b", "https://staging.internal:6443")}, false},
		{"the app of apps back to a plain app", map[string]string{"apps/d/templates/child.yaml": ""}, false},
		{"an app pinned to its own commit", map[string]string{"roots/pinned.yaml": pinned}, false},
		{"a values file, with an app pinned to the base commit", map[string]string{"apps/b/values.yaml": "v: b2\np: none\n"}, false},
		{"the pinned app removed", map[string]string{"roots/pinned.yaml": ""}, false},
		{"a values file again", map[string]string{"apps/c/values.yaml": "v: c2\np: none\n"}, true},
	}
	files := carryRepo()
	files["appsets/web.yaml"] = listAppSet("a", "b", "c")
	files["appsets/mon.yaml"] = clusterAppSet
	var p Planner
	prev := &derivedTree{commitTree: treeAt("c0", files)}
	if _, err := p.Discover(context.Background(), Source{Repo: prev, RepoURL: repoURL, Revision: "c0"}); err != nil {
		t.Fatal(err)
	}
	for i, step := range steps {
		next := editFiles(files, step.edit)
		rev := fmt.Sprintf("c%d", i+1)
		head := &derivedTree{commitTree: treeAt(rev, next), from: prev.commit, changed: changedPaths(files, next)}
		changed := changedPaths(files, next)
		warm, err := p.DiffRevisions(context.Background(), Source{Repo: prev, RepoURL: repoURL, Revision: prev.commit},
			Source{Repo: head, RepoURL: repoURL, Revision: rev}, DiffOptions{Changed: changed})
		if err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		var cold Planner
		ref, err := cold.DiffRevisions(context.Background(), Source{Repo: plainTree(files), RepoURL: repoURL, Revision: prev.commit},
			Source{Repo: plainTree(next), RepoURL: repoURL, Revision: rev}, DiffOptions{Changed: changed})
		if err != nil {
			t.Fatalf("%s, no cache: %v", step.name, err)
		}
		if got, want := reportSummary(warm), reportSummary(ref); got != want {
			t.Errorf("%s: warm diff reports\n%s\na diff without cache\n%s", step.name, got, want)
		}
		if got := sameApps(warm.BaseRevision.Inventory.Apps, warm.HeadRevision.Inventory.Apps); got != step.shared {
			t.Errorf("%s: head shares the base's apps: %v, want %v", step.name, got, step.shared)
		}
		files, prev = next, head
	}
}

// TestGitGeneratorHeadIsDiscoveredAgain adds a folder that a git
// directory generator lists: no manifest changes, yet the head has one
// more app, so its inventory cannot be the base's.
func TestGitGeneratorHeadIsDiscoveredAgain(t *testing.T) {
	gitSet := `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: dirs}
spec:
  generators:
  - git: {repoURL: ` + repoURL + `, revision: HEAD, directories: [{path: 'svc/*'}]}
  template:
    metadata: {name: '{{path.basename}}'}
    spec:
      project: default
      source: {repoURL: ` + repoURL + `, path: '{{path}}'}
      destination: {server: https://staging.internal:6443, namespace: svc}
`
	files := map[string]string{"clusters/staging.yaml": clusterSecrets, "appsets/dirs.yaml": gitSet, "svc/cart/cm.yaml": configMap}
	next := maps.Clone(files)
	next["svc/shop/cm.yaml"] = configMap
	var p Planner
	base := &derivedTree{commitTree: treeAt("c0", files)}
	if _, err := p.Discover(context.Background(), Source{Repo: base, RepoURL: repoURL, Revision: "c0"}); err != nil {
		t.Fatal(err)
	}
	head := &derivedTree{commitTree: treeAt("c1", next), from: "c0", changed: []string{"svc/shop/cm.yaml"}}
	rep, err := p.DiffRevisions(context.Background(), Source{Repo: base, RepoURL: repoURL, Revision: "c0"},
		Source{Repo: head, RepoURL: repoURL, Revision: "c1"}, DiffOptions{Changed: []string{"svc/shop/cm.yaml"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := reportStatuses(rep); got["shop"] != AppAdded || len(got) != 1 {
		t.Errorf("diff lists %v, want shop added", got)
	}
}

// reportSummary lists a report's apps with their status and changes, and
// its errors.
func reportSummary(rep *Report) string {
	var b strings.Builder
	for _, d := range rep.Apps {
		fmt.Fprintf(&b, "%s %s %s\n", d.App, d.Status, d.Error)
		for _, c := range d.Changes {
			fmt.Fprintf(&b, "  %s %s\n", c.Action, c.Key)
		}
	}
	for _, e := range rep.Errors {
		fmt.Fprintf(&b, "error %s\n", e)
	}
	return b.String()
}

// TestColdDiffDiscoversTheDerivedTreeFromTheOther diffs, with a new
// Planner as `gitwave diff` does, two commits whose trees one Repo read in
// turn, the second derived from the first, in both orders (the CLI reads
// the head first). The derived one must be discovered from the other: its
// inventory is the other's apps, not a second discovery of every app.
func TestColdDiffDiscoversTheDerivedTreeFromTheOther(t *testing.T) {
	files := carryRepo()
	next := maps.Clone(files)
	next["apps/a/values.yaml"] = "v: a2\np: none\n"
	changed := []string{"apps/a/values.yaml"}
	for _, headFirst := range []bool{false, true} {
		var base, head fs.FS
		if headFirst {
			head = &derivedTree{commitTree: treeAt("c1", next)}
			base = &derivedTree{commitTree: treeAt("c0", files), from: "c1", changed: changed}
		} else {
			base = &derivedTree{commitTree: treeAt("c0", files)}
			head = &derivedTree{commitTree: treeAt("c1", next), from: "c0", changed: changed}
		}
		var p Planner
		rep, err := p.DiffRevisions(context.Background(), Source{Repo: base, RepoURL: repoURL, Revision: "c0"},
			Source{Repo: head, RepoURL: repoURL, Revision: "c1"}, DiffOptions{Changed: changed})
		if err != nil {
			t.Fatal(err)
		}
		if got := reportStatuses(rep); len(got) != 1 || got["a"] != AppChanged {
			t.Errorf("head read first %v: diff lists %v, want a changed", headFirst, got)
		}
		if !sameApps(rep.BaseRevision.Inventory.Apps, rep.HeadRevision.Inventory.Apps) {
			t.Errorf("head read first %v: the derived tree was discovered on its own", headFirst)
		}
	}
}
