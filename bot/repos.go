package bot

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"

	"github.com/gitwave/gitwave/config"
	"github.com/gitwave/gitwave/gitrepo"
	"github.com/gitwave/gitwave/planner"
	"github.com/gitwave/gitwave/reconcile"
)

// mirrors keeps one bare Git mirror per served repository under one
// directory, read and written through one long-lived handle per repository.
// The handle asks the repository's host for a clone token on every fetch and
// push (GitHub installation tokens live an hour), so that the reconciler's
// cached trees stay readable and no token outlives its job.
type mirrors struct {
	dir      string
	clusters []planner.Cluster
	// sources read what apps name outside the repository at hand.
	sources planner.Repositories
	log     *slog.Logger
	ops     *OpsMetrics // counts fetches; nil counts none
	more    func() []planner.Cluster
	// hosts issue the clone tokens, by Host.Name.
	hosts map[string]Host

	mu    sync.Mutex
	repos map[string]*gitrepo.Repo // by URL
}

func newMirrors(dir string, clusters []planner.Cluster, sources planner.Repositories, log *slog.Logger) *mirrors {
	return &mirrors{dir: dir, clusters: clusters, sources: sources, log: log, repos: map[string]*gitrepo.Repo{}}
}

// checkout is a served repository fetched for one job.
type checkout struct {
	repo config.Repo
	// git is the repository's handle: trees, changed files, merge bases,
	// name lookups and pushes.
	git *gitrepo.Repo
	m   *mirrors
}

// fetch brings the mirror of repo up to date with a token from its host.
func (m *mirrors) fetch(ctx context.Context, repo config.Repo) (*checkout, error) {
	g, err := m.open(ctx, repo)
	if err != nil {
		return nil, err
	}
	err = g.Fetch(ctx)
	m.ops.ObserveFetch(repo.Name, err)
	if err != nil {
		return nil, err
	}
	markJobFetched(ctx, repoKey(repo.Host, repo.Name))
	return &checkout{repo: repo, git: g, m: m}, nil
}

// open returns the handle of repo, opening (and the first time cloning) it
// once. A name it resolves within servedRefresh of a fetch is looked up
// without fetching again: every job fetches first.
func (m *mirrors) open(ctx context.Context, repo config.Repo) (*gitrepo.Repo, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if r := m.repos[repo.URL]; r != nil {
		return r, nil
	}
	opts := gitrepo.Options{Location: repo.URL, CacheDir: m.dir, FetchInterval: servedRefresh,
		TokenSource: m.tokenSource(repo), Logger: m.log}
	if repo.Host == "gitlab" {
		opts.TokenUser = "oauth2"
	}
	r, err := gitrepo.Open(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", repo.Name, err)
	}
	m.repos[repo.URL] = r
	return r, nil
}

// tokenSource asks repo's host for a clone token on each call; a repository
// of no served host needs none.
func (m *mirrors) tokenSource(repo config.Repo) func(context.Context) (string, error) {
	return func(ctx context.Context) (string, error) {
		h := m.hosts[repo.Host]
		if h == nil {
			return "", nil
		}
		token, err := h.CloneToken(ctx, repo.Name)
		if err != nil {
			return "", fmt.Errorf("clone token for %s: %w", repo.Name, err)
		}
		return token, nil
	}
}

// Close closes every handle.
func (m *mirrors) Close() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for url, r := range m.repos {
		_ = r.Close()
		delete(m.repos, url)
	}
}

// sourceFunc reads repo at a revision through its handle, for the
// reconciler's drift checks (which run after a fetch).
func (m *mirrors) sourceFunc(repo config.Repo) reconcile.SourceFunc {
	return func(ctx context.Context, rev string) (planner.Source, error) {
		r, err := m.open(ctx, repo)
		if err != nil {
			return planner.Source{}, err
		}
		return m.source(ctx, r, repo, rev)
	}
}

// clusterList is the configured clusters, then those of more.
func (m *mirrors) clusterList() []planner.Cluster {
	if m.more == nil {
		return m.clusters
	}
	return append(slices.Clip(m.clusters), m.more()...)
}

// source reads repo at rev as the planner wants it.
func (m *mirrors) source(ctx context.Context, r *gitrepo.Repo, repo config.Repo, rev string) (planner.Source, error) {
	t, err := r.Tree(ctx, rev)
	if err != nil {
		return planner.Source{}, err
	}
	rc, err := planner.LoadRepoConfig(t)
	if err != nil {
		return planner.Source{}, fmt.Errorf("%s at %s: %w", repo.Name, short(t.Commit()), err)
	}
	src := planner.Source{Repo: t, Revision: t.Commit(), Config: rc, RepoURL: rc.RepoURL, Clusters: m.clusterList(), Repositories: m.sources, Branch: repo.DefaultBranch}
	if src.RepoURL == "" {
		src.RepoURL = repo.URL
	}
	return src, nil
}

// Close ends the job's use of the checkout. The handle stays open for the
// next job and holds no token, so there is nothing to release.
func (c *checkout) Close() {}

// resolve turns a branch or SHA into a full SHA, fetching a missing commit
// by itself.
func (c *checkout) resolve(ctx context.Context, rev string) (string, error) {
	return c.git.Resolve(ctx, rev)
}

// source reads the repository at a full SHA.
func (c *checkout) source(ctx context.Context, sha string) (planner.Source, error) {
	return c.m.source(ctx, c.git, c.repo, sha)
}

// short abbreviates a commit SHA for people.
func short(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}
