package planner

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

// renderRepo is the fixture repository of the renderer tests.
var renderRepo = os.DirFS("testdata/render/repo")

const fixtureRepoURL = "https://github.com/example/gitops.git"

// testApp returns an app on cluster staging reading one source.
func testApp(src ApplicationSource) *App {
	if src.RepoURL == "" {
		src.RepoURL = fixtureRepoURL
	}
	return &App{
		Name:      "payment",
		Cluster:   Cluster{Name: "staging", Server: "https://staging.example.com"},
		Namespace: "payment",
		File:      "apps/payment.yaml",
		Line:      3,
		Spec:      ApplicationSpec{Source: &src},
	}
}

// ids summarises rendered objects as "Kind/name", in render order.
func ids(objs []Rendered) []string {
	out := make([]string, 0, len(objs))
	for _, o := range objs {
		out = append(out, o.Object.GetKind()+"/"+o.Object.GetName())
	}
	return out
}

func find(t *testing.T, objs []Rendered, kind, name string) Rendered {
	t.Helper()
	for _, o := range objs {
		if o.Object.GetKind() == kind && o.Object.GetName() == name {
			return o
		}
	}
	t.Fatalf("no %s/%s in %v", kind, name, ids(objs))
	return Rendered{}
}

// mustRender renders app and fails the test on error.
func mustRender(t *testing.T, r *Renderer, repo fs.FS, app *App) []Rendered {
	t.Helper()
	objs, err := r.Render(context.Background(), repo, app)
	if err != nil {
		t.Fatalf("render: %v", err)
	}
	return objs
}

// renderErr renders app and returns its *RenderError, failing when there
// is none.
func renderErr(t *testing.T, r *Renderer, repo fs.FS, app *App) *RenderError {
	t.Helper()
	_, err := r.Render(context.Background(), repo, app)
	var re *RenderError
	if !errors.As(err, &re) {
		t.Fatalf("want a *RenderError, got %v", err)
	}
	return re
}

// checkErr asserts the error's file, line (when wantLine >= 0) and that its
// message holds every part of want.
func checkErr(t *testing.T, re *RenderError, wantFile string, wantLine int, want ...string) {
	t.Helper()
	if re.File != wantFile || (wantLine >= 0 && re.Line != wantLine) {
		t.Errorf("error at %s:%d, want %s:%d (%v)", re.File, re.Line, wantFile, wantLine, re)
	}
	if re.App != "payment" || re.Cluster != "staging" {
		t.Errorf("error names app %q cluster %q: %v", re.App, re.Cluster, re)
	}
	for _, w := range want {
		if !strings.Contains(re.Error(), w) {
			t.Errorf("error %q does not say %q", re.Error(), w)
		}
	}
}

// goldenYAML renders objects as sorted YAML documents headed by their
// origin, and compares them with (or, with -update, writes) a golden file.
func goldenYAML(t *testing.T, name string, objs []Rendered) {
	t.Helper()
	sorted := append([]Rendered(nil), objs...)
	sort.SliceStable(sorted, func(i, j int) bool {
		a, b := sorted[i].Object, sorted[j].Object
		if a.GetKind() != b.GetKind() {
			return a.GetKind() < b.GetKind()
		}
		return a.GetName() < b.GetName()
	})
	var b strings.Builder
	for _, o := range sorted {
		data, err := yaml.Marshal(o.Object.Object)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "---\n# Source: %s\n%s", o.File, data)
	}
	path := filepath.Join("testdata", "render", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run with -update to create it): %v", err)
	}
	if b.String() != string(want) {
		t.Errorf("%s differs from the golden file; got:\n%s", name, b.String())
	}
}

func TestRenderErrorMessage(t *testing.T) {
	tests := []struct {
		err  RenderError
		want string
	}{
		{RenderError{App: "payment-service", Cluster: "staging", File: "apps/payment/values-prod.yaml", Line: 12, Err: errors.New("bad")},
			"apps/payment/values-prod.yaml:12: app payment-service on cluster staging: bad"},
		{RenderError{App: "web", Cluster: "prod", File: "charts/web", Err: errors.New("bad")},
			"charts/web: app web on cluster prod: bad"},
		{RenderError{App: "web", Err: errors.New("bad")}, "app web: bad"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

func TestRenderSourceType(t *testing.T) {
	tests := []struct {
		name string
		src  ApplicationSource
		want string // an object only that source type yields
	}{
		{"Chart.yaml makes a Helm source", ApplicationSource{Path: "charts/web"}, "Deployment/payment-web"},
		{"kustomization.yaml makes a Kustomize source", ApplicationSource{Path: "kustomize/overlays/prod"}, "ConfigMap/checkout-config-"},
		{"anything else is a directory", ApplicationSource{Path: "manifests/plain"}, "ConfigMap/plain-config"},
		{"an explicit directory wins over the files", ApplicationSource{Path: "kustomize/base", Directory: &ApplicationSourceDirectory{}}, "Kustomization/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			objs, err := (&Renderer{}).Render(context.Background(), renderRepo, testApp(tt.src))
			if tt.want == "Kustomization/" {
				// kustomization.yaml read as a plain manifest has no name.
				var re *RenderError
				if !errors.As(err, &re) || re.File != "kustomize/base/kustomization.yaml" {
					t.Fatalf("want the kustomization read as a manifest, got %v %v", ids(objs), err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, id := range ids(objs) {
				if strings.HasPrefix(id, tt.want) {
					return
				}
			}
			t.Errorf("objects %v hold no %s", ids(objs), tt.want)
		})
	}
}

func TestRenderSourceErrors(t *testing.T) {
	tests := []struct {
		name string
		app  *App
		want []string
	}{
		{"remote chart", testApp(ApplicationSource{RepoURL: "https://charts.example.com", Chart: "redis", TargetRevision: "1.0.0"}),
			[]string{"chart repository https://charts.example.com is not in helmRepos[]"}},
		{"plugin", testApp(ApplicationSource{Path: "manifests/plain", Plugin: map[string]any{"name": "cmp"}}),
			[]string{"config management plugins are not supported"}},
		{"path escapes", testApp(ApplicationSource{Path: "../outside"}), []string{"escapes the repository"}},
		{"path missing", testApp(ApplicationSource{Path: "nope"}), []string{"nope is not a directory"}},
		{"no source", &App{Name: "payment", Cluster: Cluster{Name: "staging"}, File: "apps/payment.yaml", Line: 3}, []string{"no source"}},
		{"other repository", &App{Name: "payment", Cluster: Cluster{Name: "staging"}, File: "apps/payment.yaml", Line: 3,
			Spec: ApplicationSpec{Sources: []ApplicationSource{
				{RepoURL: fixtureRepoURL, Path: "manifests/plain"},
				{RepoURL: "https://github.com/other/repo.git", Path: "x"},
			}}}, []string{"source 2", "repository https://github.com/other/repo.git is not in repos[]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			re := renderErr(t, &Renderer{}, renderRepo, tt.app)
			checkErr(t, re, "apps/payment.yaml", 3, tt.want...)
		})
	}
}

func TestRenderMultiSource(t *testing.T) {
	app := testApp(ApplicationSource{})
	app.Spec.Source = nil
	app.Spec.Sources = []ApplicationSource{
		{RepoURL: fixtureRepoURL, Path: "charts/web", Helm: &ApplicationSourceHelm{
			ValueFiles: []string{"$values/apps/payment/values-common.yaml", "$values/apps/payment/values-prod.yaml"},
		}},
		{RepoURL: "https://GitHub.com/example/gitops/", Ref: "values"},
		{RepoURL: "", Path: "manifests/plain"},
	}
	objs := mustRender(t, &Renderer{}, renderRepo, app)
	dep := find(t, objs, "Deployment", "payment-web")
	if dep.Source != 0 {
		t.Errorf("deployment from source %d, want 0", dep.Source)
	}
	if n, _, _ := unstructured.NestedInt64(dep.Object.Object, "spec", "replicas"); n != 3 {
		t.Errorf("replicas = %d, want 3 from $values/apps/payment/values-prod.yaml", n)
	}
	if cm := find(t, objs, "ConfigMap", "plain-config"); cm.Source != 2 {
		t.Errorf("plain-config from source %d, want 2", cm.Source)
	}
	// Sources concatenate in order: every Helm object comes before the directory's.
	last := -1
	for _, o := range objs {
		if o.Source < last {
			t.Fatalf("sources interleaved: %v", ids(objs))
		}
		last = o.Source
	}

	app.Spec.Sources[0].Helm.ValueFiles = []string{"$other/values.yaml"}
	re := renderErr(t, &Renderer{}, renderRepo, app)
	checkErr(t, re, "apps/payment.yaml", 3, `no source has ref "other"`)
}

func TestRenderCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := (&Renderer{}).Render(ctx, renderRepo, testApp(ApplicationSource{Path: "manifests/plain"}))
	if !errors.Is(err, context.Canceled) {
		t.Errorf("render after cancel: %v, want context.Canceled", err)
	}
}

// mapRepo builds an in-memory repository from path/content pairs.
func mapRepo(files map[string]string) fstest.MapFS {
	m := fstest.MapFS{}
	for p, c := range files {
		m[p] = &fstest.MapFile{Data: []byte(c)}
	}
	return m
}

// symlink returns a MapFS entry that is a symbolic link to target.
func symlink(target string) *fstest.MapFile {
	return &fstest.MapFile{Data: []byte(target), Mode: fs.ModeSymlink}
}
