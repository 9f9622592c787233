package sources

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"helm.sh/helm/v3/pkg/repo"

	"github.com/gitwave/gitwave/config"
	"github.com/gitwave/gitwave/planner"
)

func TestParseMapping(t *testing.T) {
	u, loc, err := ParseMapping("https://github.com/acme/k8s-apps.git=../k8s-apps")
	if err != nil || u != "https://github.com/acme/k8s-apps.git" || loc != "../k8s-apps" {
		t.Errorf("= %q %q %v", u, loc, err)
	}
	if _, loc, _ := ParseMapping("https://charts.example=/tmp/a=b"); loc != "/tmp/a=b" {
		t.Errorf("location with '=' = %q", loc)
	}
	for _, bad := range []string{"https://x", "=dir", "https://x="} {
		if _, _, err := ParseMapping(bad); err == nil {
			t.Errorf("ParseMapping(%q) accepted", bad)
		}
	}
}

func TestMapSourceToAPlainDirectoryAGitRepositoryAndACloneURL(t *testing.T) {
	const apps = "https://github.com/acme/k8s-apps.git"
	plain := t.TempDir()
	if err := os.WriteFile(filepath.Join(plain, "a.yaml"), []byte("plain\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := newTestRegistry(t, nil)
	ctx := context.Background()
	if err := r.MapSource(apps, plain); err != nil {
		t.Fatal(err)
	}
	if fsys, sha, err := r.Tree(ctx, "git@github.com:acme/k8s-apps", "any-branch"); err != nil || sha != "" || readFile(t, fsys, "a.yaml") != "plain\n" {
		t.Errorf("plain directory: %q, %v", sha, err)
	}

	work, first := newWorkRepo(t, map[string]string{"a.yaml": "v1\n"})
	gitIn(t, work, "tag", "v1")
	second := commitFiles(t, work, map[string]string{"a.yaml": "v2\n"})
	clone := filepath.Join(t.TempDir(), "clone")
	gitIn(t, t.TempDir(), "clone", "--quiet", work, clone)
	gitIn(t, work, "checkout", "--quiet", "-b", "release")
	release := commitFiles(t, work, map[string]string{"a.yaml": "release\n"})
	gitIn(t, clone, "fetch", "--quiet", "origin")
	if err := r.MapSource(apps, clone); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ rev, want string }{{"", second}, {"HEAD", second}, {"v1", first}, {"release", release}, {first, first}} {
		if _, sha, err := r.Tree(ctx, apps, tc.rev); err != nil || sha != tc.want {
			t.Errorf("git directory at %q: %s, %v; want %s", tc.rev, sha, err, tc.want)
		}
	}

	if err := r.MapSource(apps, "file://"+work); err != nil {
		t.Fatal(err)
	}
	if fsys, sha, err := r.Tree(ctx, apps, "release"); err != nil || sha != release || readFile(t, fsys, "a.yaml") != "release\n" {
		t.Errorf("clone URL at release: %s, %v", sha, err)
	}
	if err := r.MapSource(apps, filepath.Join(plain, "missing")); err == nil {
		t.Error("a missing directory was mapped")
	}
	var unlisted *planner.UnlistedSourceError
	if _, _, err := r.Tree(ctx, "https://github.com/acme/other", ""); !errors.As(err, &unlisted) {
		t.Errorf("unmapped repoURL: %v", err)
	}
}

func TestMapHelmRepoReadsPackagedChartsInsideTheDirectory(t *testing.T) {
	dir := t.TempDir()
	for _, v := range []string{"1.0.0", "1.1.0"} {
		if err := os.WriteFile(filepath.Join(dir, "podinfo-"+v+".tgz"), chartArchive(t, "podinfo", v, 0), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	idx, err := repo.IndexDirectory(dir, "https://charts.example")
	if err != nil {
		t.Fatal(err)
	}
	if err := idx.WriteFile(filepath.Join(dir, "index.yaml"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := newTestRegistry(t, &config.Config{})
	if err := r.MapHelmRepo("https://charts.example", dir); err != nil {
		t.Fatal(err)
	}
	a, err := r.Chart(context.Background(), "https://charts.example/", "podinfo", "~1.0", 1<<20)
	if err != nil || a.Version != "1.0.0" || a.Digest != digestOf(a.Data) {
		t.Fatalf("~1.0: %s, %v", a.Version, err)
	}
	if err := r.MapHelmRepo("https://other.example", t.TempDir()); err == nil || !strings.Contains(err.Error(), "index.yaml") {
		t.Errorf("a directory without index.yaml: %v", err)
	}

	// An index pointing outside the directory reads nothing there.
	outside := filepath.Join(t.TempDir(), "secret.tgz")
	if err := os.WriteFile(outside, chartArchive(t, "evil", "1.0.0", 0), 0o644); err != nil {
		t.Fatal(err)
	}
	idx.Entries["podinfo"][0].URLs = []string{"../" + filepath.Base(filepath.Dir(outside)) + "/secret.tgz"}
	idx.Entries["podinfo"][1].URLs = []string{"../" + filepath.Base(filepath.Dir(outside)) + "/secret.tgz"}
	if err := idx.WriteFile(filepath.Join(dir, "index.yaml"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Chart(context.Background(), "https://charts.example", "podinfo", "1.0.0", 1<<20); err == nil {
		t.Error("an index entry outside the directory was read")
	}
}
