package planner

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// argoGlobRepo is the layout of Argo CD's own git file globbing tests
// (util/git/git_test.go, TestLsFilesForGitFileGeneratorGlobbingPatterns)
// and of its Generators-Git-File-Globbing document.
var argoGlobRepo = []string{
	"cluster-charts/cluster1/mychart/charts/mysubchart/values.yaml",
	"cluster-charts/cluster1/mychart/values.yaml",
	"cluster-charts/cluster1/myotherchart/values.yaml",
	"cluster-charts/cluster2/values.yaml",
	"some-path/values.yaml",
	"some-path/staging/values.yaml",
	"cluster-config/engineering/production/config.json",
	"cluster-config/engineering/dev/config.json",
	"p1/p2/config.json",
	"p1/app2/config.json",
	"p1/app3/config.json",
	"p1/config.json",
}

func globRepo(files []string) fstest.MapFS {
	repo := fstest.MapFS{}
	for _, f := range files {
		repo[f] = &fstest.MapFile{Data: []byte("{}\n")}
	}
	return repo
}

// TestGitFileGlobbingArgoCDCases runs Argo CD's cases for both modes: the
// default, where "*" crosses "/" as in `git ls-files`, and the strict
// doublestar form of --enable-new-git-file-globbing.
func TestGitFileGlobbingArgoCDCases(t *testing.T) {
	tests := []struct {
		pattern        string
		strict, byDflt []string
	}{
		{"**/config.json",
			[]string{"cluster-config/engineering/dev/config.json", "cluster-config/engineering/production/config.json", "p1/app2/config.json", "p1/app3/config.json", "p1/config.json", "p1/p2/config.json"},
			[]string{"cluster-config/engineering/dev/config.json", "cluster-config/engineering/production/config.json", "p1/app2/config.json", "p1/app3/config.json", "p1/config.json", "p1/p2/config.json"}},
		{"some-path/*.yaml",
			[]string{"some-path/values.yaml"},
			[]string{"some-path/staging/values.yaml", "some-path/values.yaml"}},
		{"p1/**/config.json",
			[]string{"p1/app2/config.json", "p1/app3/config.json", "p1/config.json", "p1/p2/config.json"},
			[]string{"p1/app2/config.json", "p1/app3/config.json", "p1/p2/config.json"}},
		{"cluster-config/**/config.json",
			[]string{"cluster-config/engineering/dev/config.json", "cluster-config/engineering/production/config.json"},
			[]string{"cluster-config/engineering/dev/config.json", "cluster-config/engineering/production/config.json"}},
		{"cluster-config/*/dev/config.json",
			[]string{"cluster-config/engineering/dev/config.json"},
			[]string{"cluster-config/engineering/dev/config.json"}},
		{"cluster-charts/*/*/values.yaml",
			[]string{"cluster-charts/cluster1/mychart/values.yaml", "cluster-charts/cluster1/myotherchart/values.yaml"},
			[]string{"cluster-charts/cluster1/mychart/charts/mysubchart/values.yaml", "cluster-charts/cluster1/mychart/values.yaml", "cluster-charts/cluster1/myotherchart/values.yaml"}},
		{"cluster-charts/*/values.yaml",
			[]string{"cluster-charts/cluster2/values.yaml"},
			[]string{"cluster-charts/cluster1/mychart/charts/mysubchart/values.yaml", "cluster-charts/cluster1/mychart/values.yaml", "cluster-charts/cluster1/myotherchart/values.yaml", "cluster-charts/cluster2/values.yaml"}},
		// A pathspec naming a directory lists every file below it.
		{"some-path", nil, []string{"some-path/staging/values.yaml", "some-path/values.yaml"}},
	}
	repo := globRepo(argoGlobRepo)
	for _, tt := range tests {
		for _, mode := range []GitFileGlobbing{"", GitFileGlobbingDefault, GitFileGlobbingStrict} {
			want := tt.byDflt
			if mode == GitFileGlobbingStrict {
				want = tt.strict
			}
			got, err := gitMatchFiles(repo, []GitFileGeneratorItem{{Path: tt.pattern}}, mode)
			if err != nil {
				t.Fatalf("%s (%q): %v", tt.pattern, mode, err)
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s (%q) = %q, want %q", tt.pattern, mode, got, want)
			}
		}
	}
}

// TestGitFileGlobbingExclude checks that an exclude pattern lists files as
// an include does: with the default matching, excluding
// cluster-charts/*/values.yaml excludes deeper files too.
func TestGitFileGlobbingExclude(t *testing.T) {
	items := []GitFileGeneratorItem{{Path: "cluster-charts/**"}, {Path: "cluster-charts/*/values.yaml", Exclude: true}}
	tests := []struct {
		mode GitFileGlobbing
		want []string
	}{
		{GitFileGlobbingDefault, nil},
		{GitFileGlobbingStrict, []string{"cluster-charts/cluster1/mychart/charts/mysubchart/values.yaml", "cluster-charts/cluster1/mychart/values.yaml", "cluster-charts/cluster1/myotherchart/values.yaml"}},
	}
	for _, tt := range tests {
		got, err := gitMatchFiles(globRepo(argoGlobRepo), items, tt.mode)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: %q, want %q", tt.mode, got, tt.want)
		}
	}
}

// TestGitFileGlobbingSymlinks is Argo CD's TestLsFiles: the default
// matching lists a symbolic link like Git does, and the generator then
// refuses one that leaves the repository instead of reading outside it;
// the strict matching skips it, as Argo CD does.
func TestGitFileGlobbingSymlinks(t *testing.T) {
	repo := globRepo([]string{"a.yaml", "subdir/b.yaml"})
	repo["link.yaml"] = symlink("../outside/c.yaml")
	got, err := gitMatchFiles(repo, []GitFileGeneratorItem{{Path: "*.yaml"}}, GitFileGlobbingDefault)
	if want := []string{"a.yaml", "link.yaml", "subdir/b.yaml"}; err != nil || !slices.Equal(got, want) {
		t.Errorf("default: %q, %v; want %q", got, err, want)
	}
	doc := appsetBadHeader + `  goTemplate: true
  generators:
    - git:
        repoURL: https://example.com/any.git
        files: [{path: '*.yaml'}]
  template:
    metadata: {name: 'x-{{ .path.filename | normalize }}'}
    spec:
      project: default
      source: {repoURL: x, path: '{{ .path.path }}'}
      destination: {server: https://kubernetes.default.svc}
`
	set, err := ParseApplicationSet("bad.yaml", 1, []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	_, err = set.Expand(t.Context(), ExpandOptions{Repo: repo, RepoURL: "https://example.com/any.git"})
	if err == nil || !strings.Contains(err.Error(), "link.yaml") || !strings.Contains(err.Error(), "leaves the repository") {
		t.Errorf("default matching: %v, want an error naming link.yaml that leaves the repository", err)
	}
	var notes []string
	apps, err := set.Expand(t.Context(), ExpandOptions{Repo: repo, RepoURL: "https://example.com/any.git",
		GitFileGlobbing: GitFileGlobbingStrict, Note: func(n string) { notes = append(notes, n) }})
	if err != nil || len(apps) != 1 || apps[0].Metadata.Name != "x-a.yaml" {
		t.Errorf("strict matching: %d apps, %v; want only x-a.yaml", len(apps), err)
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "link.yaml ignored") {
		t.Errorf("strict notes = %q, want one saying link.yaml is ignored", notes)
	}
}

// TestPathspecMatchAgainstGit compares pathspecMatch with `git ls-files`
// itself on patterns with every wildcard form.
func TestPathspecMatchAgainstGit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	files := append(slices.Clone(argoGlobRepo), "a*b/x.yaml", "Upper/Case.YAML", "q/a1.json", "q/ab.json",
		"q/a-.json", "q/a].json", "dot/.hidden.yaml", "deep/a/b/c/d.yaml")
	dir := t.TempDir()
	for _, f := range files {
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(f)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git := func(args ...string) string {
		cmd := exec.Command("git", append([]string{"-C", dir, "-c", "core.ignorecase=false"}, args...)...)
		cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("git %v: %v", args, err)
		}
		return string(out)
	}
	git("init", "-q")
	git("add", "-A")
	patterns := []string{"*", "*.yaml", "**/config.json", "p1/**/config.json", "some-path/*.yaml", "q/a?.json",
		"q/a[0-9].json", "q/a[!0-9].json", "q/a[^b].json", "q/a[[:alpha:]].json", "q/a[]].json", "q/a[-].json",
		"a*b", "a\\*b/x.yaml", "cluster-charts", "cluster-charts/", "some-path/values.yaml", "*/values.yaml",
		"?luster-config", "upper/*", "Upper/*.YAML", "q/a[a-b].json", "deep/**/d.yaml", "*/*/*/*/d.yaml", "q/a[.json"}
	for _, p := range patterns {
		want := strings.Split(strings.TrimSuffix(git("ls-files", "-z", "--", p), "\x00"), "\x00")
		if want[0] == "" {
			want = nil
		}
		var got []string
		for _, f := range files {
			if pathspecMatch(p, f) {
				got = append(got, f)
			}
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("pattern %q: pathspecMatch %q, git ls-files %q", p, got, want)
		}
	}
}
