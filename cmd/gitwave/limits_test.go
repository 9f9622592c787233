package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gitwave/gitwave/config"
	"github.com/gitwave/gitwave/planner"
)

// limitsRepo writes a repository with an app whose Helm template loops
// 10^10 times and an ApplicationSet of five apps.
func limitsRepo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"apps/loop.yaml": `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: loop, namespace: argocd}
spec:
  project: default
  source: {repoURL: https://example.com/r.git, path: charts/loop}
  destination: {name: in-cluster, namespace: loop}
`,
		"apps/five.yaml": `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: five, namespace: argocd}
spec:
  goTemplate: true
  generators: [{list: {elements: [{x: a}, {x: b}, {x: c}, {x: d}, {x: e}]}}]
  template:
    metadata: {name: 'five-{{ .x }}'}
    spec:
      project: default
      source: {repoURL: https://example.com/r.git, path: manifests}
      destination: {name: in-cluster, namespace: five}
`,
		"charts/loop/Chart.yaml":          "apiVersion: v2\nname: loop\nversion: 0.1.0\n",
		"charts/loop/templates/loop.yaml": "{{ range until 100000 }}{{ range until 100000 }}{{ end }}{{ end }}\n",
		"manifests/cm.yaml":               "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n",
	}
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestCLILimits runs apps, render, validate and diff past --timeout and
// --max-apps: each exits 2 and names the limit. The runaway Helm template
// keeps a goroutine busy after its render is abandoned, so the commands
// run in a child test process.
func TestCLILimits(t *testing.T) {
	if os.Getenv("GITWAVE_TEST_CHILD") == "" {
		cmd := exec.Command(os.Args[0], "-test.run", "^TestCLILimits$", "-test.v")
		cmd.Env = append(os.Environ(), "GITWAVE_TEST_CHILD=1")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS: TestCLILimits") {
			t.Errorf("child test failed: %v\n%s", err, out)
		}
		return
	}
	dir := limitsRepo(t)
	git := func(args ...string) {
		cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=t", "-c", "user.email=t@t"}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git("init", "-q")
	git("commit", "-q", "--allow-empty", "-m", "empty")
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"render", "loop", "--repo", dir, "--timeout", "300ms"}, "render of loop exceeded 300ms"},
		{[]string{"validate", "--repo", dir, "--timeout", "300ms"}, "render of loop exceeded 300ms"},
		{[]string{"apps", "--repo", dir, "--apps", "apps/five.yaml", "--max-apps", "3"}, "produces more than 3 apps"},
		{[]string{"validate", "--repo", dir, "--apps", "apps/five.yaml", "--max-apps", "3"}, "produces more than 3 apps"},
		{[]string{"diff", "--repo", dir, "--apps", "apps/five.yaml", "--base", "HEAD", "--max-apps", "3"}, "produces more than 3 apps"},
	}
	for _, tt := range tests {
		// The manifests name their own repository by URL: say so, as
		// .gitwave.yaml's repoURL would.
		tt.args = append(tt.args, "--repo-url", "https://example.com/r.git")
		start := time.Now()
		stdout, stderr, code := run(t, tt.args...)
		if code != 2 || !strings.Contains(stdout+stderr, tt.want) {
			t.Errorf("gitwave %s: exit %d, want 2 saying %q\nstdout:\n%s\nstderr:\n%s", strings.Join(tt.args, " "), code, tt.want, stdout, stderr)
		}
		if elapsed := time.Since(start); elapsed > 10*time.Second {
			t.Errorf("gitwave %s took %v", strings.Join(tt.args, " "), elapsed)
		}
	}
}

// TestLimitDefaultsAgree checks that gitwave.yaml's defaults are the
// planner's, and that the flags default to them.
func TestLimitDefaultsAgree(t *testing.T) {
	c := config.Limits{RenderTimeout: config.Duration(config.DefaultRenderTimeout), MaxAppsPerApplicationSet: config.DefaultMaxAppsPerApplicationSet,
		MaxAppsPerRevision: config.DefaultMaxAppsPerRevision, MaxObjectsPerApp: config.DefaultMaxObjectsPerApp,
		MaxRenderedBytesPerApp: config.DefaultMaxRenderedBytesPerApp}
	if got, want := plannerLimits(c), (planner.Limits{}).WithDefaults(); got != want {
		t.Errorf("gitwave.yaml defaults %+v, planner defaults %+v", got, want)
	}
	cmd := newValidateCmd(options{})
	for flag, want := range map[string]string{"timeout": "1m0s", "max-apps": "10000"} {
		if f := cmd.Flags().Lookup(flag); f == nil || f.DefValue != want {
			t.Errorf("--%s default %v, want %s", flag, f, want)
		}
	}
}

// TestLimitFlagsRefuseZero: --timeout 0 or --max-apps 0 would otherwise
// fall back to the defaults without a word; they are usage errors.
func TestLimitFlagsRefuseZero(t *testing.T) {
	dir := t.TempDir()
	if out, err := exec.Command("git", "-C", dir, "-c", "user.name=t", "-c", "user.email=t@t", "init", "-q").CombinedOutput(); err != nil {
		t.Fatalf("git init: %v\n%s", err, out)
	}
	if out, err := exec.Command("git", "-C", dir, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "e").CombinedOutput(); err != nil {
		t.Fatalf("git commit: %v\n%s", err, out)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"apps", "--repo", dir, "--timeout", "0s"}, "--timeout must be more than 0"},
		{[]string{"validate", "--repo", dir, "--max-apps", "0"}, "--max-apps must be more than 0"},
		{[]string{"diff", "--repo", dir, "--base", "HEAD", "--timeout", "-1s"}, "--timeout must be more than 0"},
	} {
		_, stderr, code := run(t, tt.args...)
		if code != 2 || !strings.Contains(stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tt.args, code, stderr, tt.want)
		}
	}
}
