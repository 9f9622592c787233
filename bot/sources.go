package bot

import (
	"context"
	"fmt"
	"io/fs"
	"regexp"
	"time"

	"github.com/gitwave/gitwave/config"
	"github.com/gitwave/gitwave/planner"
)

// servedRefresh is how long a served repository's handle trusts the
// branches it fetched when a name is resolved through it: a job fetches
// first, and the names it resolves right after need no second fetch.
const servedRefresh = 5 * time.Second

// fullSHA matches a full commit id, which never needs a fetch.
var fullSHA = regexp.MustCompile(`^[0-9a-f]{40}$`)

// servedSources is what the planner reads outside the repository it was
// handed, as the bot serves it: a served repository through the bot's own
// mirror, fetched with its host's token, and everything else (read-only
// repositories, chart repositories) through Options.Repositories. A
// repoURL neither knows is an *planner.UnlistedSourceError.
type servedSources struct {
	b *Bot
}

func newServedSources(b *Bot) *servedSources {
	return &servedSources{b: b}
}

// Tree reads repoURL at targetRevision.
func (s *servedSources) Tree(ctx context.Context, repoURL, targetRevision string) (fs.FS, string, error) {
	repo, ok := s.b.servedByURL(repoURL)
	if !ok {
		if s.b.opts.Repositories == nil {
			return nil, "", &planner.UnlistedSourceError{RepoURL: repoURL}
		}
		return s.b.opts.Repositories.Tree(ctx, repoURL, targetRevision)
	}
	rev := targetRevision
	if rev == "" || rev == "HEAD" {
		rev = repo.DefaultBranch
	}
	sha, err := s.resolve(ctx, repo, rev)
	if err != nil {
		return nil, "", fmt.Errorf("%s at %s: %w", repoURL, rev, err)
	}
	r, err := s.b.mirrors.open(ctx, repo)
	if err != nil {
		return nil, "", err
	}
	t, err := r.Tree(ctx, sha)
	if err != nil {
		return nil, "", fmt.Errorf("%s at %s: %w", repoURL, short(sha), err)
	}
	return t, sha, nil
}

// resolve turns rev into a full SHA: a full SHA the mirror holds as it
// is, a name after the job's fetch of the repository (once per job, see
// onceInJob), a missing SHA after fetching it.
func (s *servedSources) resolve(ctx context.Context, repo config.Repo, rev string) (string, error) {
	r, err := s.b.mirrors.open(ctx, repo)
	if err != nil {
		return "", err
	}
	if fullSHA.MatchString(rev) {
		if sha, err := r.Lookup(ctx, rev); err == nil && sha != "" {
			return sha, nil
		}
	}
	err = onceInJob(ctx, repoKey(repo.Host, repo.Name), func() error {
		co, err := s.b.mirrors.fetch(ctx, repo)
		if err == nil {
			co.Close()
		}
		return err
	})
	if err != nil {
		return "", err
	}
	if sha, err := r.Lookup(ctx, rev); err == nil && sha != "" {
		return sha, nil
	}
	return r.Resolve(ctx, rev) // a SHA no branch reaches, or an error naming rev
}

// Chart reads a chart through Options.Repositories: the bot serves no chart
// repository itself.
func (s *servedSources) Chart(ctx context.Context, repoURL, name, version string, maxBytes int64) (planner.ChartArchive, error) {
	if s.b.opts.Repositories == nil {
		return planner.ChartArchive{}, &planner.UnlistedSourceError{RepoURL: repoURL, Chart: true}
	}
	return s.b.opts.Repositories.Chart(ctx, repoURL, name, version, maxBytes)
}

// appURL is the URL Applications name a served repository by.
func (b *Bot) appURL(repo config.Repo) string {
	if u := b.opts.RepoURLs[repo.Name]; u != "" {
		return u
	}
	return repo.URL
}

// servedByURL finds the served repository an Applications' repoURL names.
func (b *Bot) servedByURL(repoURL string) (config.Repo, bool) {
	key := config.RepoKey(repoURL)
	for _, r := range b.opts.Repos {
		if b.hosts[r.Host] != nil && config.RepoKey(b.appURL(r)) == key {
			return r, true
		}
	}
	return config.Repo{}, false
}

// pinnedSource reads one repository's branch at one commit and every other
// source as inner does: a pull request's head (or its merge base) stands in
// for the branch it targets, for exactly the apps that read that branch.
type pinnedSource struct {
	inner planner.Repositories
	// url is the repository's URL as Applications name it.
	url string
	// branch is the pinned branch; isDefault says whether "" and HEAD name
	// it too.
	branch    string
	isDefault bool
	tree      fs.FS
	sha       string
}

// Tree returns the pinned tree for the pinned branch.
func (p *pinnedSource) Tree(ctx context.Context, repoURL, targetRevision string) (fs.FS, string, error) {
	if p.reads(repoURL, targetRevision) {
		return p.tree, p.sha, nil
	}
	return p.inner.Tree(ctx, repoURL, targetRevision)
}

// Chart is inner's.
func (p *pinnedSource) Chart(ctx context.Context, repoURL, name, version string, maxBytes int64) (planner.ChartArchive, error) {
	return p.inner.Chart(ctx, repoURL, name, version, maxBytes)
}

// reads reports whether a source of repoURL at targetRevision reads the
// pinned branch.
func (p *pinnedSource) reads(repoURL, targetRevision string) bool {
	if config.RepoKey(repoURL) != config.RepoKey(p.url) {
		return false
	}
	switch targetRevision {
	case p.branch, "refs/heads/" + p.branch:
		return true
	case "", "HEAD":
		return p.isDefault
	}
	return false
}
