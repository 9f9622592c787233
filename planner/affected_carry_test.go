package planner

import (
	"context"
	"io/fs"
	"maps"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// commitTree is an in-memory commit's tree, as a gitrepo.Tree is: it names
// its commit and its files' contents and tells whether it holds a symlink,
// so that a Planner keeps what it worked out for it.
type commitTree struct {
	idRepo
	commit string
}

func (c *commitTree) Commit() string { return c.commit }

func (c *commitTree) HasSymlinks() bool {
	for _, f := range c.MapFS {
		if f.Mode&fs.ModeSymlink != 0 {
			return true
		}
	}
	return false
}

// helmAppSet is an ApplicationSet over a list of Helm apps, each reading its
// chart's values.yaml and env/NAME.yaml, missing or not, and a parameter x
// from its list element.
func helmAppSet(elems ...string) string {
	return webAppSet(elems, `
        repoURL: `+repoURL+`
        path: 'apps/{{name}}'
        helm:
          ignoreMissingValueFiles: true
          valueFiles: [values.yaml, '../../env/{{name}}.yaml']
          parameters: [{name: p, value: '{{x}}'}]`)
}

const helmChartYAML = "apiVersion: v2\nname: web\nversion: 0.1.0\n"

const helmTemplate = `apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {v: {{ .Values.v | quote }}, p: {{ .Values.p | quote }}}
`

// carryRepo is the first commit: apps a, b and c, b with an env file.
func carryRepo() map[string]string {
	files := map[string]string{
		"clusters/staging.yaml": clusterSecrets,
		"appsets/web.yaml":      helmAppSet("      - {name: a, x: '1'}", "      - {name: b, x: '1'}", "      - {name: c, x: '1'}"),
		"env/b.yaml":            "v: b-env\n",
	}
	for _, n := range []string{"a", "b", "c", "d"} {
		files["apps/"+n+"/Chart.yaml"] = helmChartYAML
		files["apps/"+n+"/templates/cm.yaml"] = helmTemplate
		files["apps/"+n+"/values.yaml"] = "v: " + n + "\np: none\n"
	}
	return files
}

// TestWarmDiffsReportAsColdOnes diffs a run of commits with one Planner, as
// the bot diffs the pushes to a pull request, each head becoming the next
// base. Every report must list what a diff without any cache lists, and
// the apps each change is about.
func TestWarmDiffsReportAsColdOnes(t *testing.T) {
	steps := []struct {
		name string
		edit func(files map[string]string)
		want map[string]AppStatus
	}{
		{"a values file read by b", func(f map[string]string) { f["env/b.yaml"] = "v: b-env-2\n" },
			map[string]AppStatus{"b": AppChanged}},
		{"a values file missing at the base, added", func(f map[string]string) { f["env/a.yaml"] = "v: a-env\n" },
			map[string]AppStatus{"a": AppChanged}},
		{"an Application changed, no file it reads", func(f map[string]string) {
			f["appsets/web.yaml"] = helmAppSet("      - {name: a, x: '2'}", "      - {name: b, x: '1'}", "      - {name: c, x: '1'}")
		}, map[string]AppStatus{"a": AppChanged, "b": AppUnchanged, "c": AppUnchanged}},
		{"a list element renamed", func(f map[string]string) {
			f["appsets/web.yaml"] = helmAppSet("      - {name: a, x: '2'}", "      - {name: d, x: '1'}", "      - {name: c, x: '1'}")
		}, map[string]AppStatus{"a": AppUnchanged, "b": AppRemoved, "c": AppUnchanged, "d": AppAdded}},
		{"a chart's own values", func(f map[string]string) { f["apps/c/values.yaml"] = "v: c2\np: none\n" },
			map[string]AppStatus{"c": AppChanged}},
		{"a file no app reads", func(f map[string]string) { f["README.md"] = "hello\n" },
			map[string]AppStatus{}},
		{"a values file turned into a symlink", func(f map[string]string) {
			f["shared/a.yaml"] = "v: a-shared\n"
			f["env/a.yaml"] = "\x00link:../shared/a.yaml"
		}, map[string]AppStatus{"a": AppChanged}},
		{"a symlink's target", func(f map[string]string) { f["shared/a.yaml"] = "v: a-shared-2\n" },
			map[string]AppStatus{"a": AppChanged}},
	}
	var p Planner
	files := carryRepo()
	prev := treeAt("c0", files)
	for i, step := range steps {
		next := maps.Clone(files)
		step.edit(next)
		head := treeAt("c"+string(rune('1'+i)), next)
		changed := changedPaths(files, next)
		warm, err := p.DiffRevisions(context.Background(), Source{Repo: prev, RepoURL: repoURL}, Source{Repo: head, RepoURL: repoURL},
			DiffOptions{Changed: changed})
		if err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		var cold Planner
		ref, err := cold.DiffRevisions(context.Background(), Source{Repo: plainTree(files), RepoURL: repoURL},
			Source{Repo: plainTree(next), RepoURL: repoURL}, DiffOptions{Changed: changed})
		if err != nil {
			t.Fatalf("%s, no cache: %v", step.name, err)
		}
		got, want := reportStatuses(warm), reportStatuses(ref)
		if !maps.Equal(got, want) {
			t.Errorf("%s: warm diff lists %v, a diff without cache %v", step.name, got, want)
		}
		if !maps.Equal(got, step.want) {
			t.Errorf("%s: diff lists %v, want %v", step.name, got, step.want)
		}
		files, prev = next, head
	}
}

// treeAt is files as commit's tree; content "\x00link:T" is a symlink to T.
func treeAt(commit string, files map[string]string) *commitTree {
	return &commitTree{idRepo: idRepo{MapFS: plainTree(files), mu: newIDRepo(nil).mu, reads: map[string]int{}}, commit: commit}
}

func plainTree(files map[string]string) fstest.MapFS {
	m := fstest.MapFS{}
	for p, c := range files {
		if target, ok := strings.CutPrefix(c, "\x00link:"); ok {
			m[p] = symlink(target)
			continue
		}
		m[p] = &fstest.MapFile{Data: []byte(c)}
	}
	return m
}

// editFiles returns files with edit applied: each path set to its new
// content, or removed when edit gives it "".
func editFiles(files, edit map[string]string) map[string]string {
	next := maps.Clone(files)
	for f, data := range edit {
		if data == "" {
			delete(next, f)
		} else {
			next[f] = data
		}
	}
	return next
}

// changedPaths lists the paths whose content differs between a and b.
func changedPaths(a, b map[string]string) []string {
	var out []string
	for p := range a {
		if v, ok := b[p]; !ok || v != a[p] {
			out = append(out, p)
		}
	}
	for p := range b {
		if _, ok := a[p]; !ok {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out
}

// reportStatuses maps each app of rep on cluster staging to its status.
func reportStatuses(rep *Report) map[string]AppStatus {
	out := map[string]AppStatus{}
	for _, d := range rep.Apps {
		if d.App.Cluster == "staging" {
			out[d.App.App] = d.Status
		}
	}
	return out
}

// TestWarmDiffThroughASymlinkedFolder diffs a change to a kustomization
// that an app reads through a symlinked folder, which now names a base the
// same change edits: the base revision's dependencies miss both, so a warm
// diff must work out the head's, as a diff without cache does. The app
// comes from an ApplicationSet, whose cached expansion both revisions
// share.
func TestWarmDiffThroughASymlinkedFolder(t *testing.T) {
	files := map[string]string{
		"clusters/staging.yaml":       clusterSecrets,
		"appsets/web.yaml":            listAppSet("k"),
		"apps/k":                      "\x00link:../shared/k",
		"shared/k/kustomization.yaml": "resources: [cm.yaml]\n",
		"shared/k/cm.yaml":            configMap,
		"lib/kustomization.yaml":      "resources: [lib.yaml]\n",
		"lib/lib.yaml":                strings.Replace(configMap, "settings", "lib", 1),
	}
	next := maps.Clone(files)
	next["shared/k/kustomization.yaml"] = "resources: [cm.yaml, ../../lib]\n"
	next["lib/lib.yaml"] = strings.Replace(configMap, "settings", "lib-2", 1)
	var p Planner
	base, head := treeAt("k0", files), treeAt("k1", next)
	changed := changedPaths(files, next)
	// A first diff of the base keeps its dependency index.
	if _, err := p.DiffRevisions(context.Background(), Source{Repo: base, RepoURL: repoURL}, Source{Repo: base, RepoURL: repoURL},
		DiffOptions{Changed: []string{"README.md"}}); err != nil {
		t.Fatal(err)
	}
	rep, err := p.DiffRevisions(context.Background(), Source{Repo: base, RepoURL: repoURL}, Source{Repo: head, RepoURL: repoURL},
		DiffOptions{Changed: changed})
	if err != nil {
		t.Fatal(err)
	}
	var cold Planner
	ref, err := cold.DiffRevisions(context.Background(), Source{Repo: plainTree(files), RepoURL: repoURL},
		Source{Repo: plainTree(next), RepoURL: repoURL}, DiffOptions{Changed: changed})
	if err != nil {
		t.Fatal(err)
	}
	got, want := reportStatuses(rep), reportStatuses(ref)
	if !maps.Equal(got, want) || got["k"] != AppChanged {
		t.Errorf("warm diff lists %v, a diff without cache %v; want k changed", got, want)
	}
}

// BlobID follows symlinks, as gitrepo.Tree's does.
func (c *commitTree) BlobID(name string) (string, bool) {
	resolved, err := ResolveRepoPath(c.MapFS, name)
	if err != nil {
		return "", false
	}
	return c.idRepo.BlobID(resolved)
}

// TestChangedPathsSpelledLooselyNameTheirFiles diffs with changed files as
// a command line may spell them ("./", doubled slashes): each names the
// file it cleans to, warm or cold.
func TestChangedPathsSpelledLooselyNameTheirFiles(t *testing.T) {
	files := carryRepo()
	next := maps.Clone(files)
	next["apps/a/values.yaml"] = "v: a2\np: none\n"
	next["env/b.yaml"] = "v: b-env-2\n"
	var p Planner
	base := Source{Repo: treeAt("c0", files), RepoURL: repoURL}
	if _, err := p.Discover(context.Background(), base); err != nil {
		t.Fatal(err)
	}
	for _, warm := range []bool{false, true} {
		planner, b := &p, base
		if !warm {
			planner, b = &Planner{}, Source{Repo: plainTree(files), RepoURL: repoURL}
		}
		rep, err := planner.DiffRevisions(context.Background(), b, Source{Repo: treeAt("c1", next), RepoURL: repoURL},
			DiffOptions{Changed: []string{"./apps/a/values.yaml", "env//b.yaml"}})
		if err != nil {
			t.Fatal(err)
		}
		if got := reportStatuses(rep); len(got) != 2 || got["a"] != AppChanged || got["b"] != AppChanged {
			t.Errorf("warm %v: diff lists %v, want a and b changed", warm, got)
		}
	}
}
