package planner

import (
	"strings"
	"testing"
	"testing/fstest"
)

// TestSetsExpandedSideBySideKeepTheirOrder discovers three root
// ApplicationSets, which discovery expands side by side before adding
// their apps: the apps must still come in wave order (the later file's
// wave -1 set first), each set must be expanded once, and the set whose
// template fails must be reported once, naming its file.
func TestSetsExpandedSideBySideKeepTheirOrder(t *testing.T) {
	wave := func(set, w string) string {
		return strings.Replace(set, "metadata: {name: web}", "metadata: {name: "+w+"-set, annotations: {argocd.argoproj.io/sync-wave: '"+w+"'}}", 1)
	}
	bad := strings.Replace(wave(listAppSet("z"), "1"), "name: '{{name}}'", "name: '{{.missing}}'", 1)
	bad = strings.Replace(bad, "spec:\n  generators:", "spec:\n  goTemplate: true\n  goTemplateOptions: [missingkey=error]\n  generators:", 1)
	repo := fstest.MapFS{
		".gitwave.yaml":         {Data: []byte("apps: [appsets]\nclusters: [clusters]\n")},
		"clusters/staging.yaml": {Data: []byte(clusterSecrets)},
		"appsets/a.yaml":        {Data: []byte(wave(listAppSet("a1", "a2"), "0"))},
		"appsets/b.yaml":        {Data: []byte(wave(listAppSet("b1", "b2"), "-1"))},
		"appsets/c.yaml":        {Data: []byte(bad)},
	}
	cfg, err := LoadRepoConfig(repo)
	if err != nil {
		t.Fatal(err)
	}
	var p Planner
	inv, err := p.Discover(t.Context(), Source{Repo: repo, RepoURL: repoURL, Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, a := range inv.Apps {
		names = append(names, a.Name)
	}
	if got := strings.Join(names, " "); got != "b1 b2 a1 a2" {
		t.Errorf("apps in order %q, want %q", got, "b1 b2 a1 a2")
	}
	if len(inv.Errors) != 1 || !strings.Contains(inv.Errors[0].Error(), "appsets/c.yaml") {
		t.Errorf("errors %v, want one naming appsets/c.yaml", inv.Errors)
	}
	if n := p.expansions.expanded.Load(); n != 3 {
		t.Errorf("%d expansions, want 3 (one a set)", n)
	}
}
