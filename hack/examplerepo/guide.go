package examplerepo

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// The guide's three repositories, as testdata/guide-repos holds them: roots
// in k8s-gitops whose ApplicationSets read k8s-infrastructure and k8s-apps,
// and cert-manager installed from the Helm repository in testdata/helm-repo.
const (
	GuideGitops         = "k8s-gitops"
	GuideInfrastructure = "k8s-infrastructure"
	GuideApps           = "k8s-apps"
	// GuideOwner owns the three repositories on the Git host.
	GuideOwner = "org"
	// GuideChartRepoURL is the Helm repository cert-manager's Application
	// names; testdata/helm-repo stands in for it.
	GuideChartRepoURL = "https://charts.jetstack.io"
)

// GuideRepoNames are the guide's repositories, roots first.
var GuideRepoNames = []string{GuideGitops, GuideInfrastructure, GuideApps}

// GuideURL is the URL the guide's Applications name repository name by.
func GuideURL(name string) string { return "https://github.com/" + GuideOwner + "/" + name + ".git" }

// guideDir and helmRepoDir are folders of testdata.
const (
	guideDir    = "guide-repos"
	helmRepoDir = "helm-repo"
)

// guidePRMessage is the commit of pull request 1 in k8s-apps.
const guidePRMessage = "payment-service v2.4.0 with the fraud check"

// Guide is the guide's layout built by BuildGuide.
type Guide struct {
	// Dirs are the working trees by repository name (GuideRepoNames),
	// each with MainBranch checked out.
	Dirs map[string]string
	// Main are the commits of MainBranch by repository name.
	Main map[string]string
	// PR is pull request 1 in k8s-apps, on PRBranch: testdata/guide-repos/pr/k8s-apps.
	PR *Repo
	// HelmRepo is testdata/helm-repo: index.yaml and the packaged charts.
	HelmRepo string
}

// BuildGuide commits each of testdata/guide-repos' repositories into a Git
// repository under dir (dir/k8s-gitops, ...) on MainBranch, and pull
// request 1 of k8s-apps on PRBranch. The same trees always give the same
// commit ids.
func BuildGuide(dir string) (*Guide, error) {
	src, err := FindSource()
	if err != nil {
		return nil, err
	}
	testdata := filepath.Dir(src)
	g := &Guide{Dirs: map[string]string{}, Main: map[string]string{}, HelmRepo: filepath.Join(testdata, helmRepoDir)}
	ctx := context.Background()
	for _, name := range GuideRepoNames {
		wt := filepath.Join(dir, name)
		sha, err := commitTree(ctx, filepath.Join(testdata, guideDir, name), wt)
		if err != nil {
			return nil, fmt.Errorf("build the guide's %s: %w", name, err)
		}
		g.Dirs[name], g.Main[name] = wt, sha
	}
	apps := gitDir{dir: g.Dirs[GuideApps]}
	head, err := commitOverlay(ctx, apps, filepath.Join(testdata, guideDir, "pr", GuideApps), guidePRMessage)
	if err != nil {
		return nil, fmt.Errorf("build the guide's pull request: %w", err)
	}
	changed, err := apps.changedFiles(ctx, g.Main[GuideApps], head)
	if err != nil {
		return nil, err
	}
	g.PR = &Repo{Dir: apps.dir, BaseSHA: g.Main[GuideApps], HeadSHA: head, Changed: changed}
	return g, nil
}

// commitTree commits the files under src into a new repository at dir.
func commitTree(ctx context.Context, src, dir string) (string, error) {
	if err := prepareDir(dir); err != nil {
		return "", err
	}
	g := gitDir{dir: dir}
	if err := g.initRepo(ctx); err != nil {
		return "", err
	}
	if err := copyTree(src, dir, nil); err != nil {
		return "", err
	}
	return g.commitAll(ctx, "Add "+filepath.Base(src), baseTime)
}

// commitOverlay commits the files under overlay on PRBranch, checks
// MainBranch out again and returns the new commit.
func commitOverlay(ctx context.Context, g gitDir, overlay, message string) (string, error) {
	if _, err := g.run(ctx, time.Time{}, "checkout", "-q", "-b", PRBranch); err != nil {
		return "", err
	}
	if _, err := os.Stat(overlay); err != nil {
		return "", err
	}
	if err := copyTree(overlay, g.dir, nil); err != nil {
		return "", err
	}
	head, err := g.commitAll(ctx, message, prTime)
	if err != nil {
		return "", err
	}
	_, err = g.run(ctx, time.Time{}, "checkout", "-q", MainBranch)
	return head, err
}
