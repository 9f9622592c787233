package planner

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// derivedTree is a commit's tree derived from another's, as gitrepo's
// trees of successive pushes are.
type derivedTree struct {
	*commitTree
	from    string
	changed []string
}

func (d *derivedTree) DerivedFrom() (string, []string, bool) {
	return d.from, slices.Clone(d.changed), d.from != ""
}

// TestDerivedScanIsTheWalkedScan scans a run of commits with one Planner,
// each tree derived from the one before, and checks that every scan finds
// what walking the whole tree finds, in the same order: manifests added,
// edited, removed and moved, cluster Secrets, files in hidden and
// excluded folders, an unparsable file, and a folder that sorts between.
func TestDerivedScanIsTheWalkedScan(t *testing.T) {
	cfg := RepoConfig{Exclude: []string{"skip/**"}}
	files := map[string]string{
		"clusters/staging.yaml": clusterSecrets,
		"appsets/web.yaml":      listAppSet("a", "b"),
		"roots/extra.yaml":      application("extra", "0", "apps/extra", "https://staging.internal:6443"),
		"apps/a/cm.yaml":        configMap,
	}
	steps := []map[string]string{
		{"roots/extra-b.yaml": application("extra-b", "0", "apps/b", "https://staging.internal:6443")},
		{"roots/extra/x.yaml": application("x", "0", "apps/x", "https://staging.internal:6443"), "roots/extra.yaml": ""},
		{".hidden/app.yaml": application("hidden", "0", "apps/h", "https://staging.internal:6443"),
			"skip/app.yaml": application("skipped", "0", "apps/s", "https://staging.internal:6443")},
		{"appsets/web.yaml": listAppSet("a", "c"), "clusters/prod.yaml": clusterSecrets},
		{"roots/bad.yaml": "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: [\n"},
		{"clusters/staging.yaml": "", "roots/a-b.yaml": application("ab", "0", "apps/ab", "https://staging.internal:6443")},
		{"roots/bad.yaml": ""},
	}
	var p Planner
	prev := &derivedTree{commitTree: treeAt("c0", files)}
	if _, err := p.scanTree(context.Background(), prev, cfg); err != nil {
		t.Fatal(err)
	}
	for i, edit := range steps {
		next := editFiles(files, edit)
		head := &derivedTree{commitTree: treeAt(fmt.Sprintf("c%d", i+1), next), from: prev.commit, changed: changedPaths(files, next)}
		got, err := p.scanTree(context.Background(), head, cfg)
		if err != nil {
			t.Fatal(err)
		}
		want, err := scanRepo(context.Background(), plainTree(next), cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		if g, w := scanSummary(got), scanSummary(want); g != w {
			t.Errorf("step %d: derived scan\n%s\nwant the walked one\n%s", i+1, g, w)
		}
		files, prev = next, head
	}
	if _, err := p.scanTree(context.Background(), prev, cfg); err != nil {
		t.Fatal(err)
	}
}

// scanSummary lists what a scan found, in order.
func scanSummary(s *scan) string {
	out := ""
	for _, m := range s.Manifests {
		out += fmt.Sprintf("manifest %s:%d %s\n", m.File, m.Line, m.Obj.GetName())
	}
	for _, c := range s.Clusters {
		out += fmt.Sprintf("cluster %s %s\n", c.Source, c.Name)
	}
	for _, f := range s.ArgoFiles {
		out += "argo " + f + "\n"
	}
	for _, e := range s.Errors {
		out += "error " + e.Error() + "\n"
	}
	return out
}

// TestSameApplicationSetInTwoFilesNamesEach discovers one ApplicationSet,
// byte for byte, in two files, twice with one Planner: it is decoded once,
// yet each expansion error names its own file.
func TestSameApplicationSetInTwoFilesNamesEach(t *testing.T) {
	bad := "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: {name: web}\nspec:\n" +
		"  goTemplate: true\n  goTemplateOptions: [missingkey=error]\n  generators:\n  - list: {elements: [{name: a}]}\n" +
		"  template:\n    metadata: {name: '{{.nope}}'}\n    spec:\n      source: {repoURL: " + repoURL + ", path: a}\n" +
		"      destination: {server: https://staging.internal:6443}\n"
	var p Planner
	repo := treeAt("c0", map[string]string{"clusters/staging.yaml": clusterSecrets, "one/set.yaml": bad, "two/set.yaml": bad})
	for range 2 {
		inv := discoverWith(t, &p, repo)
		var got []string
		for _, e := range inv.Errors {
			got = append(got, e.Error())
		}
		if len(got) != 2 || !strings.Contains(got[0], "one/set.yaml") || !strings.Contains(got[1], "two/set.yaml") {
			t.Errorf("errors %q, want one naming one/set.yaml, then one naming two/set.yaml", got)
		}
	}
}

// TestPlainApplicationDecodedOncePerContent discovers two commits with
// one Planner: an Application whose file is unchanged is the same decoded
// Application at both (its sources are shared, so the warm diff's
// shortcuts apply to it), one whose file changed is decoded anew with its
// new content, and the same invalid Application in two files is reported
// in each.
func TestPlainApplicationDecodedOncePerContent(t *testing.T) {
	bad := "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: broken}\nspec: {nope: 1}\n"
	files := map[string]string{
		"clusters/staging.yaml": clusterSecrets,
		"apps/web.yaml":         application("web", "0", "web", "https://staging.internal:6443"),
		"apps/api.yaml":         application("api", "0", "api", "https://staging.internal:6443"),
		"one/bad.yaml":          bad, "two/bad.yaml": bad,
	}
	var p Planner
	inv0 := discoverWith(t, &p, treeAt("c0", files))
	files["apps/api.yaml"] = application("api", "0", "api-v2", "https://staging.internal:6443")
	inv1 := discoverWith(t, &p, treeAt("c1", files))
	web0, web1 := findApp(t, inv0, "web"), findApp(t, inv1, "web")
	if web0.Spec.Source == nil || web0.Spec.Source != web1.Spec.Source {
		t.Errorf("unchanged Application web: sources %p and %p, want the one decoded", web0.Spec.Source, web1.Spec.Source)
	}
	api0, api1 := findApp(t, inv0, "api"), findApp(t, inv1, "api")
	if api0.Spec.Source == api1.Spec.Source || api1.Spec.Source.Path != "api-v2" || api0.Spec.Source.Path != "api" {
		t.Errorf("changed Application api: paths %q then %q, want api then api-v2", api0.Spec.Source.Path, api1.Spec.Source.Path)
	}
	for _, inv := range []*Inventory{inv0, inv1} {
		var got []string
		for _, e := range inv.Errors {
			got = append(got, e.Error())
		}
		if len(got) != 2 || !strings.Contains(got[0], "one/bad.yaml") || !strings.Contains(got[1], "two/bad.yaml") {
			t.Errorf("errors %q, want one naming one/bad.yaml, then one naming two/bad.yaml", got)
		}
	}
}

func findApp(t *testing.T, inv *Inventory, name string) *App {
	t.Helper()
	for _, a := range inv.Apps {
		if a.Name == name {
			return a
		}
	}
	t.Fatalf("no app %s in %v", name, inv.Apps)
	return nil
}
