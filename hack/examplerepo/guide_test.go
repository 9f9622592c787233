package examplerepo

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/Masterminds/semver/v3"
	"helm.sh/helm/v3/pkg/chart/loader"
	"sigs.k8s.io/yaml"
)

var update = flag.Bool("update", false, "rewrite testdata/helm-repo from testdata/helm-charts")

// TestHelmRepo checks that testdata/helm-repo is what WriteHelmRepo makes
// of testdata/helm-charts today (go test -run TestHelmRepo -update rewrites
// it), and that Helm reads it: an index naming every version with the
// digest of its archive, each archive a chart of that version.
func TestHelmRepo(t *testing.T) {
	src, err := FindSource()
	if err != nil {
		t.Fatal(err)
	}
	checked := filepath.Join(filepath.Dir(src), helmRepoDir)
	if *update {
		if err := WriteHelmRepo(checked); err != nil {
			t.Fatal(err)
		}
	}
	fresh := t.TempDir()
	if err := WriteHelmRepo(fresh); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(fresh)
	for _, e := range entries {
		want, _ := os.ReadFile(filepath.Join(fresh, e.Name()))
		got, err := os.ReadFile(filepath.Join(checked, e.Name()))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("testdata/helm-repo/%s is not current (go test ./hack/examplerepo -run TestHelmRepo -update)", e.Name())
		}
	}
	data, err := os.ReadFile(filepath.Join(checked, "index.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var index helmIndex
	if err := yaml.UnmarshalStrict(data, &index); err != nil {
		t.Fatal(err)
	}
	var versions []string
	for _, cv := range index.Entries[GuideChart] {
		versions = append(versions, cv.Version)
		ch, err := loader.Load(filepath.Join(checked, cv.URLs[0]))
		if err != nil || ch.Metadata.Version != cv.Version {
			t.Errorf("%s: chart %v, err %v; want version %s", cv.URLs[0], ch, err, cv.Version)
		}
	}
	slices.Sort(versions)
	if !slices.Equal(versions, GuideChartVersions) {
		t.Errorf("index lists %q, want %q", versions, GuideChartVersions)
	}
	rng, err := semver.NewConstraint("v1.16.*")
	if err != nil {
		t.Fatal(err)
	}
	var best *semver.Version
	for _, v := range versions {
		if sv := semver.MustParse(v); rng.Check(sv) && (best == nil || sv.GreaterThan(best)) {
			best = sv
		}
	}
	if best == nil || best.Original() != "v1.16.2" {
		t.Errorf("v1.16.* resolves to %v, want v1.16.2", best)
	}
}

// TestBuildGuide builds the three repositories and checks the pull request
// in k8s-apps changes only payment-service's values.
func TestBuildGuide(t *testing.T) {
	g, err := BuildGuide(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range GuideRepoNames {
		if g.Main[name] == "" {
			t.Errorf("%s has no main commit", name)
		}
	}
	if want := []string{"apps/payment-service/values.yaml"}; !slices.Equal(g.PR.Changed, want) {
		t.Errorf("pull request changes %q, want %q", g.PR.Changed, want)
	}
	again, err := BuildGuide(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if again.PR.HeadSHA != g.PR.HeadSHA || again.Main[GuideGitops] != g.Main[GuideGitops] {
		t.Errorf("building twice gave different commits")
	}
}
