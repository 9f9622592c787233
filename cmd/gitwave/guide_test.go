package main

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/gitwave/gitwave/hack/examplerepo"
)

var (
	guideOnce sync.Once
	guideRepo *examplerepo.Guide
	guideErr  error
)

// guide builds the guide's three repositories once per test binary.
func guide(t *testing.T) *examplerepo.Guide {
	t.Helper()
	guideOnce.Do(func() {
		dir, err := os.MkdirTemp("", "gitwave-guide-")
		if err != nil {
			guideErr = err
			return
		}
		guideRepo, guideErr = examplerepo.BuildGuide(dir)
	})
	if guideErr != nil {
		t.Fatal(guideErr)
	}
	return guideRepo
}

// guideArgs are --repo (the roots) and the mappings of the other two
// repositories and the Helm repository.
func guideArgs(g *examplerepo.Guide) []string {
	return []string{"--repo", g.Dirs[examplerepo.GuideGitops],
		"--source", examplerepo.GuideURL(examplerepo.GuideInfrastructure) + "=" + g.Dirs[examplerepo.GuideInfrastructure],
		"--source", examplerepo.GuideURL(examplerepo.GuideApps) + "=" + g.Dirs[examplerepo.GuideApps],
		"--helm-repo", examplerepo.GuideChartRepoURL + "=" + g.HelmRepo}
}

// TestCLIGuideGolden runs the CLI on the guide's three repositories and
// the Helm repository: every app renders from the repository it names,
// cert-manager from the chart version v1.16.* resolves to, and a change in
// k8s-apps is diffed against the apps that read it.
func TestCLIGuideGolden(t *testing.T) {
	g := guide(t)
	apps := examplerepo.GuideURL(examplerepo.GuideApps)
	cases := []struct {
		golden string
		args   []string
		code   int
	}{
		{"guide-apps.txt", []string{"apps", "--revision", "main"}, 0},
		{"guide-render-cert-manager.yaml", []string{"render", "cert-manager", "--revision", "main"}, 0},
		{"guide-validate.txt", []string{"validate", "--revision", "main"}, 0},
		{"guide-diff-source.md", []string{"diff", "--revision", "main", "--changed", apps, "--base", "main", "--head", examplerepo.PRBranch, "-o", "markdown", "--exit-code"}, 1},
		{"guide-diff-source.txt", []string{"diff", "--changed", apps, "--base", "main", "--head", examplerepo.PRBranch}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.golden, func(t *testing.T) {
			out, errOut, code := run(t, append(tc.args, guideArgs(g)...)...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stdout:\n%s\nstderr: %s", code, tc.code, out, errOut)
			}
			golden(t, tc.golden, strings.ReplaceAll(out, filepath.Dir(g.Dirs[examplerepo.GuideGitops]), "<guide>"))
		})
	}
}

// TestCLIRefusesUnlistedRepoURL checks that an app whose repoURL is
// neither mapped nor listed is an error naming the URL, never a silent
// read of the repository at hand.
func TestCLIRefusesUnlistedRepoURL(t *testing.T) {
	g := guide(t)
	for _, cmd := range []string{"apps", "validate"} {
		out, errOut, code := run(t, cmd, "--repo", g.Dirs[examplerepo.GuideGitops], "--revision", "main",
			"--source", examplerepo.GuideURL(examplerepo.GuideInfrastructure)+"="+g.Dirs[examplerepo.GuideInfrastructure],
			"--helm-repo", examplerepo.GuideChartRepoURL+"="+g.HelmRepo)
		if code == 0 {
			t.Errorf("%s exits 0 with k8s-apps unmapped:\n%s%s", cmd, out, errOut)
		}
		if want := "repository https://github.com/org/k8s-apps.git is not in repos[]"; !strings.Contains(out+errOut, want) {
			t.Errorf("%s does not say %q:\n%s%s", cmd, want, out, errOut)
		}
	}
	_, errOut, code := run(t, "render", "cert-manager", "--repo", g.Dirs[examplerepo.GuideGitops], "--revision", "main")
	if code == 0 || !strings.Contains(errOut, "chart repository https://charts.jetstack.io is not in helmRepos[]") {
		t.Errorf("render of an unmapped chart: exit %d, stderr %s", code, errOut)
	}
}
