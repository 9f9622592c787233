package examplerepo

import (
	"context"
	"fmt"
	"path/filepath"
	"time"
)

// The branches and the repository URL of the example.
const (
	// MainBranch is the default branch, holding testdata/example/repo.
	MainBranch = "main"
	// PRBranch is the pull request's branch, one commit ahead of main.
	PRBranch = "pr/1"
	// RepoURL is the URL the example's Applications name their own
	// repository by (.gitwave.yaml's repoURL).
	RepoURL = "https://github.com/acme/k8s-gitops.git"
)

// The commit messages and dates of Build. Fixed dates make fixed commit ids.
const (
	baseMessage = "Add the GitOps repository: root apps, infrastructure, platform, applications, clusters"
	prMessage   = "Deploy payment-service v2.4.0, add inventory-service, scale redis in production"
)

var (
	baseTime = time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC)
	prTime   = time.Date(2025, 1, 7, 14, 30, 0, 0, time.UTC)
)

// Repo is a Git repository Build made from the example.
type Repo struct {
	// Dir is the repository's working tree, with MainBranch checked out.
	Dir string
	// BaseSHA is the commit of MainBranch: testdata/example/repo.
	BaseSHA string
	// HeadSHA is the commit of PRBranch: the pull request on top of BaseSHA.
	HeadSHA string
	// Changed are the repository paths the pull request adds, modifies or
	// deletes, sorted.
	Changed []string
}

// Build creates a Git repository in dir, which must be empty or not exist:
// the example's repo/ committed on MainBranch, then PRBranch with the
// example's pr/ applied as one more commit. MainBranch is left checked out.
// The same example always gives the same commit ids.
func Build(dir string, opts Options) (*Repo, error) {
	src, err := opts.source()
	if err != nil {
		return nil, err
	}
	if err := prepareDir(dir); err != nil {
		return nil, fmt.Errorf("build example repository: %w", err)
	}
	ctx := context.Background()
	g := gitDir{dir: dir}
	if err := g.initRepo(ctx); err != nil {
		return nil, fmt.Errorf("build example repository: %w", err)
	}
	if err := copyTree(filepath.Join(src, repoDir), dir, nil); err != nil {
		return nil, fmt.Errorf("build example repository from %s: %w", src, err)
	}
	base, err := g.commitAll(ctx, baseMessage, baseTime)
	if err != nil {
		return nil, fmt.Errorf("build example repository: commit %s: %w", MainBranch, err)
	}
	head, err := commitPR(ctx, g, filepath.Join(src, prDir))
	if err != nil {
		return nil, fmt.Errorf("build example repository: %w", err)
	}
	changed, err := g.changedFiles(ctx, base, head)
	if err != nil {
		return nil, fmt.Errorf("build example repository: %w", err)
	}
	return &Repo{Dir: dir, BaseSHA: base, HeadSHA: head, Changed: changed}, nil
}

// commitPR creates PRBranch at the current commit, commits the overlay in
// pr on it, checks MainBranch out again and returns the new commit's id.
func commitPR(ctx context.Context, g gitDir, pr string) (string, error) {
	if _, err := g.run(ctx, time.Time{}, "checkout", "-q", "-b", PRBranch); err != nil {
		return "", err
	}
	if err := applyOverlay(pr, g.dir); err != nil {
		return "", fmt.Errorf("apply the pull request %s: %w", pr, err)
	}
	head, err := g.commitAll(ctx, prMessage, prTime)
	if err != nil {
		return "", fmt.Errorf("commit %s: %w", PRBranch, err)
	}
	if _, err := g.run(ctx, time.Time{}, "checkout", "-q", MainBranch); err != nil {
		return "", err
	}
	return head, nil
}

// Merge fast-forwards MainBranch to PRBranch, as merging the pull request
// does, and checks that MainBranch then points at repo.HeadSHA. Merging
// twice is harmless.
func Merge(ctx context.Context, repo *Repo) error {
	g := gitDir{dir: repo.Dir}
	if _, err := g.run(ctx, time.Time{}, "checkout", "-q", MainBranch); err != nil {
		return fmt.Errorf("merge %s into %s: %w", PRBranch, MainBranch, err)
	}
	if _, err := g.run(ctx, time.Time{}, "merge", "-q", "--ff-only", PRBranch); err != nil {
		return fmt.Errorf("merge %s into %s: %w", PRBranch, MainBranch, err)
	}
	got, err := g.revParse(ctx, MainBranch)
	if err != nil {
		return fmt.Errorf("merge %s into %s: %w", PRBranch, MainBranch, err)
	}
	if got != repo.HeadSHA {
		return fmt.Errorf("merge %s into %s: %s is at %s, want %s", PRBranch, MainBranch, MainBranch, got, repo.HeadSHA)
	}
	return nil
}
