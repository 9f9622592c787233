package bot

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/gitwave/gitwave/bot/markdown"
	"github.com/gitwave/gitwave/config"
	"github.com/gitwave/gitwave/planner"
)

// A served repository that holds no Applications is a source repository:
// the guide's k8s-apps, read by ApplicationSets in k8s-gitops. A pull
// request there changes the apps that read its changed paths at the
// branch it targets; those apps are the ones the default branch of every
// served repository that holds Applications defines (the roots). Nothing
// in the pull request decides which apps exist or what the policy says:
// both come from the roots' default branches.

// rootsCache remembers, per served repository and default-branch tip,
// whether the repository holds Applications.
type rootsCache struct {
	mu    sync.Mutex
	holds map[string]bool // by repo key + "@" + tip
}

// holdsApps reports whether repo's default branch (co, fetched) defines
// any app: such a repository is a roots repository, whose pull requests
// are diffed as themselves.
func (b *Bot) holdsApps(ctx context.Context, t *task, repo config.Repo, co *checkout) (bool, error) {
	tip, err := co.resolve(ctx, repo.DefaultBranch)
	if err != nil {
		return false, err
	}
	key := repoKey(repo.Host, repo.Name) + "@" + tip
	b.roots.mu.Lock()
	holds, known := b.roots.holds[key]
	b.roots.mu.Unlock()
	if known {
		return holds, nil
	}
	_, inv, err := b.discoverAt(ctx, t, co, tip)
	if err != nil {
		return false, err
	}
	holds = len(inv.Apps) > 0
	b.roots.mu.Lock()
	b.roots.holds[key] = holds
	b.roots.mu.Unlock()
	return holds, nil
}

// isSourceRepo reports whether repo (co, fetched) is a source repository:
// its default branch defines no app, and another served repository's
// does. With one served repository, or none holding apps, every
// repository is diffed as itself, as before it had any sources.
func (b *Bot) isSourceRepo(ctx context.Context, t *task, repo config.Repo, co *checkout) (bool, error) {
	holds, err := b.holdsApps(ctx, t, repo, co)
	if err != nil || holds {
		return false, err
	}
	roots, err := b.rootsRepos(ctx, t, repo)
	closeAll(roots)
	return len(roots) > 0, err
}

// rootsSource reads a roots repository at its default branch's commit sha.
func (b *Bot) rootsSource(ctx context.Context, repo config.Repo, co *checkout, sha string) (planner.Source, error) {
	src, err := co.source(ctx, sha)
	src.Branch = repo.DefaultBranch
	return src, err
}

// rootsRepos are the served repositories other than except whose default
// branch holds Applications, each fetched; the caller closes them.
func (b *Bot) rootsRepos(ctx context.Context, t *task, except config.Repo) ([]rootsRepo, error) {
	var out []rootsRepo
	for _, r := range b.opts.Repos {
		if r.Host == "none" || (r.Host == except.Host && r.Name == except.Name) {
			continue
		}
		co, err := b.mirrors.fetch(ctx, r)
		if err != nil {
			closeAll(out)
			return nil, err
		}
		holds, err := b.holdsApps(ctx, t, r, co)
		if err != nil || !holds {
			co.Close()
			if err != nil {
				closeAll(out)
				return nil, err
			}
			continue
		}
		tip, err := co.resolve(ctx, r.DefaultBranch)
		if err != nil {
			co.Close()
			closeAll(out)
			return nil, err
		}
		out = append(out, rootsRepo{repo: r, co: co, tip: tip})
	}
	return out, nil
}

// rootsRepo is a roots repository fetched at its default branch's tip.
type rootsRepo struct {
	repo config.Repo
	co   *checkout
	tip  string
}

func closeAll(rs []rootsRepo) {
	for _, r := range rs {
		r.co.Close()
	}
}

// pinnedAt reads the roots repository at its tip with the source
// repository's branch pinned to sha (the pull request's head, its merge
// base, a merge commit).
func (b *Bot) pinnedAt(ctx context.Context, rr rootsRepo, pin *pinnedSource) (planner.Source, error) {
	src, err := b.rootsSource(ctx, rr.repo, rr.co, rr.tip)
	if err != nil {
		return src, err
	}
	p := *pin
	p.inner = src.Repositories
	src.Repositories = &p
	return src, nil
}

// pinOf pins source repository repo's branch to sha.
func (b *Bot) pinOf(ctx context.Context, repo config.Repo, co *checkout, branch, sha string) (*pinnedSource, error) {
	t, err := co.git.Tree(ctx, sha)
	if err != nil {
		return nil, err
	}
	return &pinnedSource{url: b.appURL(repo), branch: branch, isDefault: branch == repo.DefaultBranch, tree: t, sha: sha}, nil
}

// appsReading returns the apps of inv that read one of files (paths of
// the pinned repository: under a source's path, or a value file through a
// $ref) with a source at the pinned branch.
func appsReading(inv *planner.Inventory, pin *pinnedSource, files []string) []*planner.App {
	var out []*planner.App
	for _, app := range inv.AppsReading(pin.url, files) {
		if slices.ContainsFunc(app.Spec.AllSources(), func(s planner.ApplicationSource) bool {
			return s.Chart == "" && pin.reads(s.RepoURL, s.TargetRevision)
		}) {
			out = append(out, app)
		}
	}
	return out
}

// appNames are the names of apps, sorted and once each.
func appNames(apps []*planner.App) []string {
	var names []string
	for _, a := range apps {
		names = append(names, a.Name)
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// sourceRepoRefusal refuses /sync and /rollback in a pull request of a
// source repository: its apps, their policy and their history belong to
// the roots repositories. Merging deploys the change; /sync and /rollback
// run in a pull request of the roots repository.
func (b *Bot) sourceRepoRefusal(ctx context.Context, t *task, co *checkout) (string, error) {
	source, err := b.isSourceRepo(ctx, t, t.repo, co)
	if err != nil || !source {
		return "", err
	}
	return fmt.Sprintf(":information_source: %s holds no Application: its apps are defined in the roots repositories. "+
		"Merging this pull request deploys the apps that read it; `/sync` and `/rollback` run in a pull request of a roots repository.",
		markdown.Code(t.repo.Name)), nil
}
