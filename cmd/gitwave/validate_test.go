package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// copyExample copies the example repository's main content into a new
// directory that the test may break.
func copyExample(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join("..", "..", "testdata", "example", "repo")
	if out, err := exec.Command("cp", "-R", src+"/.", dir).CombinedOutput(); err != nil {
		t.Fatalf("copy example: %v: %s", err, out)
	}
	return dir
}

func edit(t *testing.T, dir, file, old, new string) {
	t.Helper()
	p := filepath.Join(dir, file)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		t.Fatalf("%s has no %q", file, old)
	}
	if err := os.WriteFile(p, []byte(strings.Replace(string(b), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestValidateReportsEveryProblemAndRendersTheRest breaks three apps in
// three ways; each problem is reported with its file and app, and the
// unbroken apps still render.
func TestValidateReportsEveryProblemAndRendersTheRest(t *testing.T) {
	dir := copyExample(t)
	// A YAML syntax error in one chart's values.
	edit(t, dir, "apps/order-service/values-staging.yaml", "\n", "\n  bad: [unclosed\n")
	// A value file outside the repository, in an Application of its own.
	escape := `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: escape, namespace: argocd}
spec:
  project: applications
  source:
    repoURL: https://github.com/acme/k8s-gitops.git
    path: apps/order-service
    helm: {valueFiles: [../../../../etc/passwd]}
  destination: {name: staging, namespace: escape}
`
	if err := os.WriteFile(filepath.Join(dir, "applications/escape.yaml"), []byte(escape), 0o644); err != nil {
		t.Fatal(err)
	}
	// A template naming a missing key.
	edit(t, dir, "platform/redis.yaml", "'redis-{{.name}}'", "'redis-{{.nosuchkey}}'")
	// A symbolic link out of the repository inside a chart.
	if err := os.Symlink("/etc/hostname", filepath.Join(dir, "apps/notification-service/templates/host.yaml")); err != nil {
		t.Fatal(err)
	}

	out, _, code := run(t, "validate", "--repo", dir)
	if code != 1 {
		t.Fatalf("exit %d, want 1:\n%s", code, out)
	}
	for _, want := range []string{
		"platform/redis.yaml", "nosuchkey", // the ApplicationSet and the key
		"applications/escape.yaml", "app escape on cluster staging", "etc/passwd", "escapes",
		"apps/notification-service/templates/host.yaml", "leaves the repository",
		"apps/order-service/values-staging.yaml", "app order-service-staging on cluster staging",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("validate output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "root:") {
		t.Errorf("validate read a file outside the repository:\n%s", out)
	}
	// Unbroken apps still render.
	for _, app := range []string{"monitoring-agent-production-apne2", "payment-service-staging", "order-service-production-use1"} {
		if out, errOut, code := run(t, "render", app, "--repo", dir); code != 0 || !strings.Contains(out, "kind: Deployment") {
			t.Errorf("render %s: exit %d\n%s", app, code, errOut)
		}
	}
}
