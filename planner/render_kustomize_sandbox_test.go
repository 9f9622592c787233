package planner

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// fakeGit puts a git on PATH that records every call in a file, and
// returns a function that fails the test when it was called.
func fakeGit(t *testing.T) func() {
	t.Helper()
	dir := t.TempDir()
	called := filepath.Join(dir, "called")
	script := "#!/bin/sh\necho \"$@\" >> " + called + "\necho 'fatal: unable to access remote: Could not resolve host' >&2\nexit 128\n"
	if err := os.WriteFile(filepath.Join(dir, "git"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	return func() {
		t.Helper()
		if data, err := os.ReadFile(called); err == nil {
			t.Errorf("rendering ran git: %s", data)
		}
	}
}

// TestKustomizeNeverFetches renders kustomizations that name remote bases,
// components and files in every spelling Kustomize would fetch, and checks
// that each is refused with its file and line, that no git runs, that no
// HTTP request is made, that no kustomize-* directory is left in TMPDIR and
// that no connection error reaches the message.
func TestKustomizeNeverFetches(t *testing.T) {
	gitCalled := fakeGit(t)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		_, _ = w.Write([]byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fetched\n"))
	}))
	defer srv.Close()
	const cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"
	tests := []struct {
		name  string
		kust  string
		extra map[string]string
		line  int
		file  string // default k/kustomization.yaml
	}{
		{"scp-style", "resources:\n- cm.yaml\n- deploy@gitlab.example.com:org/repo//dir\n", nil, 3, ""},
		{"scp-style component", "resources:\n- cm.yaml\ncomponents:\n- ci@host.example:org/repo.git//comp?ref=v1\n", nil, 4, ""},
		{"mixed-case GitHub", "resources:\n- GitHub.com/org/repo\n", nil, 2, ""},
		{"GitHub with .git and ref", "bases:\n- gitHUB.com/org/repo.git//base?timeout=5s&ref=v1\n", nil, 2, ""},
		{"https with timeout then ref", "resources:\n- HTTPS://github.com/org/repo//base?timeout=90s&ref=main\n", nil, 2, ""},
		{"upload-pack option in ref", "resources:\n- deploy@example.com:org/repo.git?ref=--upload-pack=touch${IFS}/tmp/pwned\n", nil, 2, ""},
		{"git:: prefix", "resources:\n- GIT::https://example.com/org/repo.git\n", nil, 2, ""},
		{"ssh scheme", "resources:\n- Ssh://git@example.com/org/repo.git\n", nil, 2, ""},
		{"file scheme", "resources:\n- file:///etc/repo.git\n", nil, 2, ""},
		{"http resource file", "resources:\n- " + srv.URL + "/cm.yaml?timeout=1s&ref=v1\n", nil, 2, ""},
		{"http patch", "resources:\n- cm.yaml\npatches:\n- path: " + srv.URL + "/p.yaml\n", nil, 4, ""},
		{"http patch in an inline transformer",
			"resources:\n- cm.yaml\ntransformers:\n- |\n  apiVersion: builtin\n  kind: PatchTransformer\n  metadata:\n    name: p\n  path: " + srv.URL + "/p.yaml?timeout=1s&ref=v1\n", nil, 9, ""},
		{"http file in a transformer config file",
			"resources:\n- cm.yaml\ntransformers:\n- t.yaml\n",
			map[string]string{"k/t.yaml": "apiVersion: builtin\nkind: ReplacementTransformer\nmetadata:\n  name: r\nreplacements:\n- path: " + srv.URL + "/r.yaml\n"}, 6, "k/t.yaml"},
		{"http configMapGenerator file", "configMapGenerator:\n- name: c\n  files:\n  - key=" + srv.URL + "/x\n", nil, 4, ""},
		{"local directory spelled like a remote", "resources:\n- GitHub.com/org/repo/missing\n",
			map[string]string{"k/GitHub.com/org/repo/kustomization.yaml": "resources: []\n"}, 2, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{"k/kustomization.yaml": tt.kust, "k/cm.yaml": cm}
			for p, c := range tt.extra {
				files[p] = c
			}
			re := renderErr(t, &Renderer{}, mapRepo(files), testApp(ApplicationSource{Path: "k"}))
			file := tt.file
			if file == "" {
				file = "k/kustomization.yaml"
			}
			checkErr(t, re, file, tt.line, "never fetches")
			for _, leak := range []string{"unable to access", "Could not resolve", "dial tcp", "connection refused", "no such host"} {
				if strings.Contains(re.Error(), leak) {
					t.Errorf("a connection error reached the message: %v", re)
				}
			}
		})
	}
	gitCalled()
	if n := hits.Load(); n > 0 {
		t.Errorf("rendering made %d HTTP requests", n)
	}
	entries, _ := os.ReadDir(tmp)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "kustomize-") {
			t.Errorf("rendering left %s in TMPDIR", e.Name())
		}
	}
}

// TestKustomizeLocalSpellingsStillBuild checks that local references keep
// working however they are written, including a local directory whose
// name Kustomize would otherwise read as a GitHub address.
func TestKustomizeLocalSpellingsStillBuild(t *testing.T) {
	gitCalled := fakeGit(t)
	const cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s\n"
	repo := mapRepo(map[string]string{
		"k/kustomization.yaml": "resources:\n- ./a.yaml\n- b.yaml\n- ../base\n- github.com/org/repo\n- sub//c.yaml\npatches:\n- path: p.yaml\nconfigMapGenerator:\n- name: gen\n  files:\n  - key=data.txt\n" +
			"transformers:\n- |\n  apiVersion: builtin\n  kind: PatchTransformer\n  metadata:\n    name: t\n  path: p2.yaml\n",
		"k/p2.yaml":    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n  labels: {transformed: \"yes\"}\n",
		"k/a.yaml":     strings.Replace(cm, "%s", "a", 1),
		"k/b.yaml":     strings.Replace(cm, "%s", "b", 1),
		"k/sub/c.yaml": strings.Replace(cm, "%s", "c", 1),
		"k/p.yaml":     "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  labels: {patched: \"yes\"}\n",
		"k/data.txt":   "hello",
		"k/github.com/org/repo/kustomization.yaml": "resources:\n- d.yaml\n",
		"k/github.com/org/repo/d.yaml":             strings.Replace(cm, "%s", "d", 1),
		"base/kustomization.yaml":                  "resources:\n- base.yaml\n",
		"base/base.yaml":                           strings.Replace(cm, "%s", "base", 1),
	})
	objs := mustRender(t, &Renderer{}, repo, testApp(ApplicationSource{Path: "k"}))
	for _, name := range []string{"a", "b", "c", "d", "base"} {
		find(t, objs, "ConfigMap", name)
	}
	if find(t, objs, "ConfigMap", "a").Object.GetLabels()["patched"] != "yes" {
		t.Error("the patch was not applied")
	}
	if find(t, objs, "ConfigMap", "b").Object.GetLabels()["transformed"] != "yes" {
		t.Error("the inline PatchTransformer was not applied")
	}
	generated := false
	for _, o := range objs {
		if strings.HasPrefix(o.Object.GetName(), "gen-") {
			data, _, _ := unstructured.NestedString(o.Object.Object, "data", "key")
			generated = data == "hello"
		}
	}
	if !generated {
		t.Errorf("no generated ConfigMap gen-* with data.key hello in %v", ids(objs))
	}
	gitCalled()
}

// TestKustomizeAmbiguousBase checks that a base whose path only resolves
// because cleaning swallows a segment holding ".." (two list entries
// merged by an indentation slip) is refused, as Kustomize refuses it,
// while a file with ".." inside its name is read.
func TestKustomizeAmbiguousBase(t *testing.T) {
	repo := mapRepo(map[string]string{
		"k/kustomization.yaml":      "resources:\n- a..b.yaml\n- x - ../../base\n",
		"k/a..b.yaml":               "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n",
		"k/base/kustomization.yaml": "resources: []\n",
	})
	re := renderErr(t, &Renderer{}, repo, testApp(ApplicationSource{Path: "k"}))
	checkErr(t, re, "k/kustomization.yaml", 3, `"x - ../../base" has a path segment with ".." inside it`)
}
