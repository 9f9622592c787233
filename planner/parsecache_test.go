package planner

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"io/fs"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
)

// idRepo is an in-memory repository that names each file's content, as a
// gitrepo.Tree does, and counts the files read through it.
type idRepo struct {
	fstest.MapFS
	mu    *sync.Mutex
	reads map[string]int
}

func newIDRepo(files map[string]string) idRepo {
	return idRepo{MapFS: mapRepo(files), mu: &sync.Mutex{}, reads: map[string]int{}}
}

// edited returns a copy of r with files written over it, its read counts
// zeroed.
func (r idRepo) edited(files map[string]string) idRepo {
	m := maps.Clone(r.MapFS)
	for p, data := range files {
		m[p] = &fstest.MapFile{Data: []byte(data)}
	}
	return idRepo{MapFS: m, mu: &sync.Mutex{}, reads: map[string]int{}}
}

func (r idRepo) count(name string) {
	r.mu.Lock()
	r.reads[name]++
	r.mu.Unlock()
}

func (r idRepo) ReadFile(name string) ([]byte, error) {
	r.count(name)
	return r.MapFS.ReadFile(name)
}

func (r idRepo) Open(name string) (fs.File, error) {
	if f, ok := r.MapFS[name]; ok && !f.Mode.IsDir() {
		r.count(name)
	}
	return r.MapFS.Open(name)
}

func (r idRepo) BlobID(name string) (string, bool) {
	f, ok := r.MapFS[name]
	if !ok || f.Mode.IsDir() {
		return "", false
	}
	sum := sha1.Sum(f.Data)
	return hex.EncodeToString(sum[:]), true
}

// read lists the files read, sorted.
func (r idRepo) read() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Sorted(maps.Keys(r.reads))
}

// listAppSet is an ApplicationSet over a list of app names, each a
// directory under apps/.
func listAppSet(names ...string) string {
	var elems []string
	for _, n := range names {
		elems = append(elems, "      - name: "+n)
	}
	return webAppSet(elems, " {repoURL: "+repoURL+", path: 'apps/{{name}}'}")
}

// webAppSet is the ApplicationSet web over the list elements elems (YAML
// lines), each app reading source (the text after "source:") into the
// namespace of its name on staging.
func webAppSet(elems []string, source string) string {
	return `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: web}
spec:
  generators:
  - list:
      elements:
` + strings.Join(elems, "\n") + `
  template:
    metadata: {name: '{{name}}'}
    spec:
      project: default
      source:` + source + `
      destination: {server: https://staging.internal:6443, namespace: '{{name}}'}
`
}

// parseRepo is a repository of three apps from one ApplicationSet, with a
// cluster Secret, an Application and manifests beside it.
func parseRepo() idRepo {
	return newIDRepo(map[string]string{
		"clusters/staging.yaml":  clusterSecrets,
		"appsets/web.yaml":       listAppSet("a", "b", "c"),
		"roots/extra.yaml":       application("extra", "0", "apps/extra", "https://staging.internal:6443"),
		"apps/a/cm.yaml":         configMap,
		"apps/b/cm.yaml":         strings.Replace(configMap, "settings", "b-settings", 1),
		"apps/c/cm.yaml":         strings.Replace(configMap, "settings", "c-settings", 1),
		"apps/extra/values.yaml": "replicas: 1\n",
	})
}

func discoverWith(t *testing.T, p *Planner, repo fs.FS) *Inventory {
	t.Helper()
	inv, err := p.Discover(context.Background(), Source{Repo: repo, RepoURL: repoURL})
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

// TestDiscoverReadsOnlyChangedFilesAgain discovers a base and then two
// heads with one Planner, as the bot diffs pull requests: each head reads
// only the file its change touched, and still finds every app.
func TestDiscoverReadsOnlyChangedFilesAgain(t *testing.T) {
	var p Planner
	base := parseRepo()
	if got := len(discoverWith(t, &p, base).Apps); got != 4 {
		t.Fatalf("base: %d apps, want 4", got)
	}
	if len(base.read()) < 7 {
		t.Fatalf("base read %v, want every manifest file", base.read())
	}
	head := base.edited(map[string]string{"apps/b/cm.yaml": strings.Replace(configMap, `"1"`, `"2"`, 1)})
	inv := discoverWith(t, &p, head)
	if got := head.read(); !slices.Equal(got, []string{"apps/b/cm.yaml"}) {
		t.Errorf("head read %v, want only the changed apps/b/cm.yaml", got)
	}
	if len(inv.Apps) != 4 || len(inv.Clusters) != 2 || len(inv.Errors) > 0 {
		t.Errorf("head: %d apps, %d clusters, errors %v; want 4 apps on 2 clusters", len(inv.Apps), len(inv.Clusters), inv.Errors)
	}
	next := head.edited(map[string]string{"apps/extra/values.yaml": "replicas: 2\n"})
	discoverWith(t, &p, next)
	if got := next.read(); !slices.Equal(got, []string{"apps/extra/values.yaml"}) {
		t.Errorf("second pull request read %v, want only apps/extra/values.yaml", got)
	}
}

// TestDiffRevisionsParsesEachManifestOnce diffs a one-app change: the
// base and the head, discovered side by side, parse each unchanged
// manifest file once between them.
func TestDiffRevisionsParsesEachManifestOnce(t *testing.T) {
	var p Planner
	base := parseRepo()
	head := base.edited(map[string]string{"apps/b/cm.yaml": strings.Replace(configMap, `"1"`, `"2"`, 1)})
	rep, err := p.DiffRevisions(context.Background(), Source{Repo: base, RepoURL: repoURL}, Source{Repo: head, RepoURL: repoURL},
		DiffOptions{Changed: []string{"apps/b/cm.yaml"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Apps) != 1 || rep.Apps[0].App.App != "b" || rep.Apps[0].Status != AppChanged {
		t.Fatalf("report %+v, want b changed", rep.Apps)
	}
	for _, f := range []string{"appsets/web.yaml", "clusters/staging.yaml", "roots/extra.yaml", "apps/a/cm.yaml"} {
		if n := base.reads[f] + head.reads[f]; n != 1 {
			t.Errorf("%s read %d times by base and head, want once", f, n)
		}
	}
}

// TestDiscoverParsesAnEditedFileAnew edits the ApplicationSet at the same
// path: the head sees the new app, and a syntax error in an edited file is
// named by file and line, on every discover.
func TestDiscoverParsesAnEditedFileAnew(t *testing.T) {
	var p Planner
	base := parseRepo()
	discoverWith(t, &p, base)
	head := base.edited(map[string]string{"appsets/web.yaml": listAppSet("a", "b", "c", "d")})
	var names []string
	for _, a := range discoverWith(t, &p, head).Apps {
		names = append(names, a.Name)
	}
	if !slices.Contains(names, "d") {
		t.Errorf("edited ApplicationSet gives %v, want d among them", names)
	}
	broken := head.edited(map[string]string{"appsets/web.yaml": listAppSet("a") + "  bad: [\n"})
	for i := range 2 {
		inv := discoverWith(t, &p, broken)
		if len(inv.Errors) != 1 || !strings.Contains(inv.Errors[0].Error(), "appsets/web.yaml:") {
			t.Errorf("discover %d: errors %v, want one naming appsets/web.yaml and its line", i, inv.Errors)
		}
	}
}

// TestDependenciesReadAnEditedKustomizationAnew checks the dependency
// index's cache: a kustomization edited at the same path to name another
// base is read again, and an unchanged one is not.
func TestDependenciesReadAnEditedKustomizationAnew(t *testing.T) {
	app := &App{Name: "web", File: "apps.yaml", Spec: ApplicationSpec{Source: &ApplicationSource{Path: "overlays/prod"}}}
	base := newIDRepo(map[string]string{
		"overlays/prod/kustomization.yaml": "resources: [../../bases/web]\n",
		"bases/web/kustomization.yaml":     "resources: [deploy.yaml]\n",
		"bases/api/kustomization.yaml":     "resources: [deploy.yaml]\n",
	})
	if deps := Dependencies(Source{Repo: base}, app); !slices.Contains(deps, "bases/web") || slices.Contains(deps, "bases/api") {
		t.Fatalf("base dependencies %v, want bases/web only", deps)
	}
	head := base.edited(map[string]string{"overlays/prod/kustomization.yaml": "resources: [../../bases/web, ../../bases/api]\n"})
	if deps := Dependencies(Source{Repo: head}, app); !slices.Contains(deps, "bases/api") || !slices.Contains(deps, "bases/web") {
		t.Errorf("after the edit, dependencies %v, want bases/web and bases/api", deps)
	}
	if head.reads["bases/web/kustomization.yaml"] != 0 {
		t.Errorf("unchanged bases/web/kustomization.yaml read again")
	}
}

// TestParseCacheIsBounded fills a small cache: it keeps its bound, and a
// forgotten entry is computed again.
func TestParseCacheIsBounded(t *testing.T) {
	c := &parseCache{maxBytes: 4096}
	value := func(i int) func() (string, int64, bool) {
		return func() (string, int64, bool) { return strings.Repeat("x", i), 100, true }
	}
	for i := range 100 {
		cachedParse(c, "key"+strings.Repeat("k", i%3)+string(rune('a'+i%26))+string(rune('a'+i/26)), value(i))
	}
	if c.size > 4096 || c.order.Len() == 0 || c.order.Len() >= 100 {
		t.Fatalf("cache holds %d entries of %d bytes, want some, within 4096 bytes", c.order.Len(), c.size)
	}
	before := c.computed.Load()
	cachedParse(c, "keyaa", value(0)) // the first entry, long forgotten
	if c.computed.Load() != before+1 {
		t.Errorf("a forgotten entry was not computed again")
	}
}

// TestParseCacheComputesOnceConcurrently has many goroutines ask for one
// key: one computes, all get its value; a result not to be kept is
// computed again on the next call.
func TestParseCacheComputesOnceConcurrently(t *testing.T) {
	var c parseCache
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			if got := cachedParse(&c, "k", func() (int, int64, bool) { return 42, 8, true }); got != 42 {
				t.Errorf("got %d, want 42", got)
			}
		})
	}
	wg.Wait()
	if n := c.computed.Load(); n != 1 {
		t.Errorf("computed %d times, want once", n)
	}
	cachedParse(&c, "failed", func() (int, int64, bool) { return 0, 0, false })
	cachedParse(&c, "failed", func() (int, int64, bool) { return 0, 0, false })
	if n := c.computed.Load(); n != 3 {
		t.Errorf("a result not kept: computed %d times in all, want 3", n)
	}
}

// commitRepo is an idRepo that names its commit, as a gitrepo.Tree does.
type commitRepo struct {
	idRepo
	commit string
}

func (r commitRepo) Commit() string { return r.commit }

// TestDiscoverScansACommitOnce discovers one commit twice, as the bot does
// for the default branch of every pull request: the second time reads no
// file, finds the same apps, and what the first caller changed in its
// inventory does not reach the second.
func TestDiscoverScansACommitOnce(t *testing.T) {
	var p Planner
	repo := commitRepo{idRepo: parseRepo(), commit: strings.Repeat("a", 40)}
	first := discoverWith(t, &p, repo)
	first.Clusters[0].Labels["env"] = "changed by a caller"
	repo.reads = map[string]int{}
	second := discoverWith(t, &p, repo)
	if got := repo.read(); len(got) > 0 {
		t.Errorf("second discover of one commit read %v, want nothing", got)
	}
	if len(second.Apps) != len(first.Apps) || len(second.Clusters) != 2 {
		t.Errorf("second discover: %d apps, %d clusters; want %d apps on 2 clusters", len(second.Apps), len(second.Clusters), len(first.Apps))
	}
	if env := second.Clusters[0].Labels["env"]; env != "staging" {
		t.Errorf("cluster env label %q in the second inventory, want staging", env)
	}
	other := commitRepo{idRepo: parseRepo().edited(map[string]string{"appsets/web.yaml": listAppSet("a")}), commit: strings.Repeat("b", 40)}
	if got := len(discoverWith(t, &p, other).Apps); got != 2 {
		t.Errorf("another commit: %d apps, want 2 (a and extra)", got)
	}
}
