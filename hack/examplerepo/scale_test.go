package examplerepo

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/yaml"

	"github.com/gitwave/gitwave/planner"
)

// countScaledApps counts the apps a scaled repository declares by reading
// its YAML: for each ApplicationSet, its list elements times the cluster
// Secrets its clusters generator selects.
func countScaledApps(t *testing.T, dir string) int {
	t.Helper()
	type secret struct {
		Kind     string            `json:"kind"`
		Metadata metav1.ObjectMeta `json:"metadata"`
	}
	var clusterLabels []labels.Set
	for _, f := range globFiles(t, dir, "clusters/*.yaml") {
		var s secret
		unmarshalFile(t, f, &s)
		if s.Kind == "Secret" && s.Metadata.Labels["argocd.argoproj.io/secret-type"] == "cluster" {
			clusterLabels = append(clusterLabels, s.Metadata.Labels)
		}
	}
	type generator struct {
		Clusters *struct {
			Selector metav1.LabelSelector `json:"selector"`
		} `json:"clusters"`
		List *struct {
			Elements []map[string]any `json:"elements"`
		} `json:"list"`
	}
	type appSet struct {
		Kind string `json:"kind"`
		Spec struct {
			Generators []struct {
				Matrix struct {
					Generators []generator `json:"generators"`
				} `json:"matrix"`
			} `json:"generators"`
		} `json:"spec"`
	}
	total := 0
	for _, f := range globFiles(t, dir, "appsets/*.yaml") {
		var s appSet
		unmarshalFile(t, f, &s)
		if s.Kind != "ApplicationSet" || len(s.Spec.Generators) != 1 {
			t.Fatalf("%s: want one ApplicationSet with one generator", f)
		}
		clusters, elements := 0, 0
		for _, g := range s.Spec.Generators[0].Matrix.Generators {
			switch {
			case g.Clusters != nil:
				sel, err := metav1.LabelSelectorAsSelector(&g.Clusters.Selector)
				if err != nil {
					t.Fatalf("%s: %v", f, err)
				}
				for _, l := range clusterLabels {
					if sel.Matches(l) {
						clusters++
					}
				}
			case g.List != nil:
				elements += len(g.List.Elements)
			}
		}
		if elements > AppsPerSet {
			t.Errorf("%s lists %d apps, more than %d", f, elements, AppsPerSet)
		}
		total += clusters * elements
	}
	return total
}

func globFiles(t *testing.T, dir, pattern string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, pattern))
	if err != nil || len(files) == 0 {
		t.Fatalf("no %s in %s (%v)", pattern, dir, err)
	}
	return files
}

func unmarshalFile(t *testing.T, file string, v any) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
}

// discoverScaled lists the apps the planner finds in a scaled repository.
func discoverScaled(t *testing.T, dir string) (*planner.Planner, planner.Source, *planner.Inventory) {
	t.Helper()
	src := exampleSourceURL(t, dir, ScaleRepoURL)
	p := &planner.Planner{}
	inv, err := p.Discover(context.Background(), src)
	if err != nil {
		t.Fatalf("Discover: %v", err)
	}
	for _, e := range inv.Errors {
		t.Errorf("Discover: %v", e)
	}
	return p, src, inv
}

func exampleSourceURL(t *testing.T, dir, url string) planner.Source {
	t.Helper()
	repo := os.DirFS(dir)
	cfg, err := planner.LoadRepoConfig(repo)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.RepoURL != url {
		t.Fatalf("%s: repoURL %q, want %q", dir, cfg.RepoURL, url)
	}
	return planner.Source{Repo: repo, RepoURL: url, Config: cfg}
}

func TestScaleDeclaresAppsTimesClusters(t *testing.T) {
	tests := []struct{ apps, clusters, sets int }{
		{300, 3, 3},
		{250, 2, 3},
		{1, 1, 1},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%dx%d", tt.apps, tt.clusters), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "scale")
			if err := Scale(dir, tt.apps, tt.clusters); err != nil {
				t.Fatalf("Scale: %v", err)
			}
			if got, want := countScaledApps(t, dir), tt.apps*tt.clusters; got != want {
				t.Errorf("the YAML declares %d apps, want %d", got, want)
			}
			if got := len(globFiles(t, dir, "appsets/*.yaml")); got != tt.sets {
				t.Errorf("%d ApplicationSets, want %d", got, tt.sets)
			}
			_, _, inv := discoverScaled(t, dir)
			if len(inv.Apps) != tt.apps*tt.clusters {
				t.Errorf("the planner finds %d apps, want %d", len(inv.Apps), tt.apps*tt.clusters)
			}
			if n := strings.Count(gitOut(t, dir, "log", "--format=%H"), "\n") + 1; n != 1 {
				t.Errorf("%d commits, want 1", n)
			}
		})
	}
}

func TestScaleMixesHelmAndKustomizeAndRenders(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "scale")
	if err := Scale(dir, 6, 2); err != nil {
		t.Fatalf("Scale: %v", err)
	}
	p, src, inv := discoverScaled(t, dir)
	kinds := map[string]int{}
	for _, app := range inv.Apps {
		plan, err := p.Plan(context.Background(), inv, src.Repo, app)
		if err != nil {
			t.Errorf("Plan: %v", err)
			continue
		}
		svc := strings.TrimSuffix(app.Name, "-"+app.Cluster.Name)
		want := []string{"ConfigMap/" + svc + "/" + svc + "-config", "Service/" + svc + "/" + svc, "apps/Deployment/" + svc + "/" + svc}
		if _, err := os.Stat(filepath.Join(dir, "services", svc, "kustomization.yaml")); err == nil {
			kinds["kustomize"]++
			want = []string{"ConfigMap/" + svc + "/web-config", "Service/" + svc + "/web", "apps/Deployment/" + svc + "/web"}
		} else {
			kinds["helm"]++
		}
		if got := objectKeys(plan); !slices.Equal(got, want) {
			t.Errorf("%s: objects %q, want %q", app.Key(), got, want)
		}
		checkObjects(t, plan)
	}
	if kinds["helm"] != 6 || kinds["kustomize"] != 6 {
		t.Errorf("apps by source type: %v, want 6 Helm and 6 Kustomize", kinds)
	}
}

func TestScaleIsReproducible(t *testing.T) {
	var heads []string
	for range 2 {
		dir := filepath.Join(t.TempDir(), "scale")
		if err := Scale(dir, 20, 2); err != nil {
			t.Fatal(err)
		}
		heads = append(heads, gitOut(t, dir, "rev-parse", "HEAD"))
	}
	if heads[0] != heads[1] {
		t.Errorf("two Scale runs give %s and %s", heads[0], heads[1])
	}
}

func TestScaleChangeTouchesOneApp(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "scale")
	if err := Scale(dir, 120, 3); err != nil {
		t.Fatal(err)
	}
	for round := 1; round <= 2; round++ {
		changed, err := ScaleChange(dir)
		if err != nil {
			t.Fatalf("ScaleChange (round %d): %v", round, err)
		}
		want := []string{"services/" + ScaleChangedApp + "/values.yaml"}
		if !slices.Equal(changed, want) {
			t.Errorf("ScaleChange returned %q, want %q", changed, want)
		}
		if got := strings.Fields(gitOut(t, dir, "diff", "--name-only", "HEAD~1", "HEAD")); !slices.Equal(got, want) {
			t.Errorf("the commit changes %q, want %q", got, want)
		}
		base := filepath.Join(t.TempDir(), "base")
		gitOut(t, dir, "worktree", "add", "-q", "--detach", base, "HEAD~1")
		p := &planner.Planner{}
		rep, err := p.DiffRevisions(context.Background(), exampleSourceURL(t, base, ScaleRepoURL),
			exampleSourceURL(t, dir, ScaleRepoURL), planner.DiffOptions{Changed: changed})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, a := range rep.Apps {
			for _, c := range a.Changes {
				if c.Action != planner.ActionUnchanged {
					got = append(got, fmt.Sprintf("%s %s %s", a.App, c.Action, c.Key))
				}
			}
		}
		var wantChanges []string
		for c := range 3 {
			cl := clusterName(c)
			wantChanges = append(wantChanges, fmt.Sprintf("%s-%s@%s changed ConfigMap/%s/%s-config", ScaleChangedApp, cl, cl, ScaleChangedApp, ScaleChangedApp))
		}
		if !slices.Equal(got, wantChanges) {
			t.Errorf("round %d: the diff changes\n %q\nwant\n %q", round, got, wantChanges)
		}
		if !strings.Contains(rep.Apps[0].Changes[0].Diff, fmt.Sprintf("+  REVISION: %q", fmt.Sprint(round+1))) {
			t.Errorf("round %d: diff lacks the new revision:\n%s", round, rep.Apps[0].Changes[0].Diff)
		}
	}
}

func TestScaleRefusesBadInput(t *testing.T) {
	notEmpty := t.TempDir()
	if err := os.WriteFile(filepath.Join(notEmpty, "x"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name           string
		dir            string
		apps, clusters int
		wantErr        string
	}{
		{"no apps", filepath.Join(t.TempDir(), "a"), 0, 3, "at least one app"},
		{"no clusters", filepath.Join(t.TempDir(), "b"), 3, 0, "at least one app and one cluster"},
		{"non-empty folder", notEmpty, 3, 3, "is not empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Scale(tt.dir, tt.apps, tt.clusters)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Scale error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
	if _, err := ScaleChange(t.TempDir()); err == nil || !strings.Contains(err.Error(), "written by Scale") {
		t.Errorf("ScaleChange on an empty folder: error = %v", err)
	}
}
