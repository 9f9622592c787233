package planner

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

const (
	appsetRepoURL  = "https://github.com/org/k8s-gitops.git"
	appsetRevision = "4075bd34f9142038a1b2c3d4e5f60718293a4b5c"
)

func appsetTestClusters(t testing.TB) []Cluster {
	t.Helper()
	data, err := os.ReadFile("testdata/appset/clusters.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var clusters []Cluster
	if err := yaml.UnmarshalStrict(data, &clusters); err != nil {
		t.Fatalf("clusters.yaml: %v", err)
	}
	return clusters
}

func appsetTestOptions(t testing.TB, notes *[]string) ExpandOptions {
	return ExpandOptions{
		Clusters: appsetTestClusters(t),
		Repo:     os.DirFS("testdata/appset/repo"),
		RepoURL:  appsetRepoURL,
		Revision: appsetRevision,
		Note:     func(n string) { *notes = append(*notes, n) },
	}
}

func appsetLoad(t testing.TB, file string) *ApplicationSet {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ParseApplicationSet(file, 1, data)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestExpandGolden expands each ApplicationSet under testdata/appset/cases
// and compares the generated Applications (as YAML) and the notes with
// testdata/appset/NAME.golden.yaml.
func TestExpandGolden(t *testing.T) {
	tests := []struct {
		name  string
		apps  int    // how many Applications a user expects
		notes string // a note the user must see, if any
	}{
		{name: "prometheus-stack", apps: 3},
		{name: "microservices", apps: 9},
		{name: "git-directories", apps: 3},
		{name: "git-files", apps: 4},
		{name: "merge", apps: 6},
		{name: "legacy", apps: 3},
		{name: "template-patch", apps: 2},
		{name: "selector", apps: 4},
		{name: "per-generator-template", apps: 7},
		{name: "nested", apps: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var notes []string
			set := appsetLoad(t, filepath.Join("testdata/appset/cases", tt.name+".yaml"))
			apps, err := set.Expand(context.Background(), appsetTestOptions(t, &notes))
			if err != nil {
				t.Fatalf("Expand: %v", err)
			}
			if len(apps) != tt.apps {
				t.Errorf("got %d Applications, want %d", len(apps), tt.apps)
			}
			joined := strings.Join(notes, "\n")
			if tt.notes == "" && joined != "" || !strings.Contains(joined, tt.notes) {
				t.Errorf("notes = %q, want one containing %q", joined, tt.notes)
			}
			got, err := yaml.Marshal(apps)
			if err != nil {
				t.Fatal(err)
			}
			appsetCheckGolden(t, filepath.Join("testdata/appset", tt.name+".golden.yaml"), got)
		})
	}
}

func appsetCheckGolden(t *testing.T, file string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(file, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update to create it)", err, t.Name())
	}
	if string(got) != string(want) {
		t.Errorf("%s differs from the generated Applications (run with -update after checking):\n--- got\n%s", file, got)
	}
}

// TestExpandSeedValues spot-checks fields a user reads first, independent
// of the golden files.
func TestExpandSeedValues(t *testing.T) {
	var notes []string
	set := appsetLoad(t, "testdata/appset/cases/prometheus-stack.yaml")
	apps, err := set.Expand(context.Background(), appsetTestOptions(t, &notes))
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]Application{}
	for _, a := range apps {
		byName[a.Metadata.Name] = a
	}
	a, ok := byName["prometheus-production-use1"]
	if !ok {
		t.Fatalf("no prometheus-production-use1 among %d apps", len(apps))
	}
	src := a.Spec.Source
	checks := []struct{ field, got, want string }{
		{"source.path", src.Path, "clusters/us-east-1/prometheus"},
		{"helm.releaseName", src.Helm.ReleaseName, "kube-prometheus"},
		{"helm.valueFiles[1]", src.Helm.ValueFiles[1], "values-production.yaml"},
		{"destination.server", a.Spec.Destination.Server, "https://kubernetes.production-use1.internal:6443"},
		{"metadata.namespace", a.Metadata.Namespace, "argocd"},
		{"finalizer", strings.Join(a.Metadata.Finalizers, ","), resourcesFinalizer},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.field, c.got, c.want)
		}
	}
	if _, staging := byName["prometheus-staging"]; staging {
		t.Error("the env=production selector let staging through")
	}
}
