package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitwave/gitwave/planner"
	"github.com/gitwave/gitwave/planner/plannertest"
)

// widgetApp is an Application reading plannertest.WidgetRepoURL into namespace ns on
// cluster east.
func widgetApp(ns string) string {
	return "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: widgets, namespace: argocd}\n" +
		"spec:\n  project: default\n  source: {repoURL: '" + plannertest.WidgetRepoURL + "', targetRevision: HEAD, path: widget}\n" +
		"  destination: {name: east, namespace: " + ns + "}\n"
}

// unreachableKubeconfig writes a kubeconfig whose context east refuses
// every connection.
func unreachableKubeconfig(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "kubeconfig")
	kc := `apiVersion: v1
kind: Config
clusters: [{name: east, cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}}]
users: [{name: east, user: {token: unused}}]
contexts: [{name: east, context: {cluster: east, user: east}}]
current-context: east
`
	if err := os.WriteFile(p, []byte(kc), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestDiffLiveDiscoversAndRendersOnce: `gitwave diff --live` reads the
// other repository once (base and head share one pass; nothing discovers
// the head again for the live diff) and renders the changed app once per
// side: the live diff uses the diff's render.
func TestDiffLiveDiscoversAndRendersOnce(t *testing.T) {
	dir := t.TempDir()
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@t", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@t",
			"GIT_CONFIG_GLOBAL="+os.DevNull, "GIT_CONFIG_NOSYSTEM=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v: %s", args, err, out)
		}
	}
	write := func(ns string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Join(dir, "apps"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "apps", "widgets.yaml"), []byte(widgetApp(ns)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git("init", "-q", "-b", "main")
	write("widgets")
	git("add", "-A")
	git("commit", "-q", "-m", "base")
	git("checkout", "-q", "-b", "feature")
	write("widgets-v2")
	git("commit", "-q", "-am", "head")

	c := &plannertest.PassCounter{}
	counted := options{
		adjustPlanner:    func(p *planner.Planner) { p.Scope = c },
		wrapRepositories: func(r planner.Repositories) planner.Repositories { c.Inner = r; return c },
	}

	kc := unreachableKubeconfig(t)
	out, errOut, code := runWith(t, counted, "diff", "--repo", dir, "--base", "main", "--head", "feature", "--changed", "apps/widgets.yaml", "--live",
		"--kubeconfig", kc, "--data-dir", t.TempDir())
	if code != 0 || !strings.Contains(out, "cluster east cannot be reached") || !strings.Contains(out, "widgets-v2") {
		t.Fatalf("exit %d; want 0 and a live diff falling back for east:\n%s%s", code, out, errOut)
	}
	if reads, renders := c.Take(); reads != 1 || renders != 2 {
		t.Errorf("gitwave diff --live: %d reads of the other repository, %d renders of its app; want 1 (one pass for base and head) and 2 (base and head, once each)", reads, renders)
	}
	// Without --changed, the files come from Git: the live diff needs no
	// working tree of its own (it used to read one, and refused a local
	// directory with "--base needs --revision").
	if out, errOut, code := runWith(t, counted, "diff", "--repo", dir, "--base", "main", "--head", "feature", "--live",
		"--kubeconfig", kc, "--data-dir", t.TempDir()); code != 0 || !strings.Contains(out, "widgets-v2") {
		t.Errorf("diff --live of a local directory without --changed: exit %d\n%s%s", code, out, errOut)
	}
}
