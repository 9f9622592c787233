package planner

import (
	"context"
	"maps"
	"strings"
	"testing"
)

// TestChangeBehindASymlinkReachesItsApp changes files that apps read only
// through symbolic links: a manifest linked into an app's folder, and a
// folder that an app's path is a link to. Each app must be diffed as
// changed, by a warm Planner (trees that name their commits) and by a new
// one (plain trees), since its render reads the changed file.
func TestChangeBehindASymlinkReachesItsApp(t *testing.T) {
	files := map[string]string{
		"clusters/staging.yaml":       clusterSecrets,
		"appsets/web.yaml":            listAppSet("c", "k"),
		"apps/c/cm.yaml":              configMap,
		"apps/c/shared.yaml":          "\x00link:../../shared/x.yaml",
		"shared/x.yaml":               strings.Replace(configMap, "settings", "shared", 1),
		"apps/k":                      "\x00link:../shared/k",
		"shared/k/kustomization.yaml": "resources: [cm.yaml]\n",
		"shared/k/cm.yaml":            configMap,
	}
	edits := map[string]map[string]string{
		"c": {"shared/x.yaml": strings.NewReplacer("settings", "shared", `a: "1"`, `a: "2"`).Replace(configMap)},
		"k": {"shared/k/cm.yaml": strings.Replace(configMap, `a: "1"`, `a: "2"`, 1)},
	}
	for app, edit := range edits {
		next := maps.Clone(files)
		maps.Copy(next, edit)
		changed := changedPaths(files, next)
		var warm Planner
		base := Source{Repo: treeAt("l0", files), RepoURL: repoURL}
		if _, err := warm.Discover(context.Background(), base); err != nil {
			t.Fatal(err)
		}
		for name, p := range map[string]*Planner{"warm": &warm, "new": {}} {
			b, h := base, Source{Repo: treeAt("l1", next), RepoURL: repoURL}
			if name == "new" {
				b.Repo, h.Repo = plainTree(files), plainTree(next)
			}
			rep, err := p.DiffRevisions(context.Background(), b, h, DiffOptions{Changed: changed})
			if err != nil {
				t.Fatal(err)
			}
			if got := reportStatuses(rep); len(got) != 1 || got[app] != AppChanged {
				t.Errorf("%s Planner, change to %v: diff lists %v, want %s changed\n%s", name, changed, got, app, reportSummary(rep))
			}
		}
	}
}
