package bot

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/gitwave/gitwave/config"
	"github.com/gitwave/gitwave/gitrepo"
	"github.com/gitwave/gitwave/planner"
	"github.com/gitwave/gitwave/reconcile"
)

// mirrors keeps one bare Git mirror per served repository under one
// directory. Each job fetches with a fresh clone token (GitHub installation
// tokens live an hour); trees are read through one long-lived reader per
// repository, which never fetches, so that the reconciler's cached trees
// stay readable.
type mirrors struct {
	dir      string
	clusters []planner.Cluster
	// sources read what apps name outside the repository at hand.
	sources planner.Repositories
	log     *slog.Logger
	ops     *OpsMetrics // counts fetches; nil counts none
	more    func() []planner.Cluster

	mu      sync.Mutex
	readers map[string]*gitrepo.Repo // by URL
}

func newMirrors(dir string, clusters []planner.Cluster, sources planner.Repositories, log *slog.Logger) *mirrors {
	return &mirrors{dir: dir, clusters: clusters, sources: sources, log: log, readers: map[string]*gitrepo.Repo{}}
}

// checkout is a served repository fetched for one job.
type checkout struct {
	repo config.Repo
	// fresh holds this job's clone token: name lookups and pushes.
	fresh *gitrepo.Repo
	// reader reads trees, changed files and merge bases at full SHAs.
	reader *gitrepo.Repo
	m      *mirrors
}

// fetch brings the mirror of repo up to date with a fresh token from h.
func (m *mirrors) fetch(ctx context.Context, h Host, repo config.Repo) (*checkout, error) {
	token, err := h.CloneToken(ctx, repo.Name)
	if err != nil {
		return nil, fmt.Errorf("clone token for %s: %w", repo.Name, err)
	}
	opts := gitrepo.Options{Location: repo.URL, CacheDir: m.dir, Token: token, Logger: m.log}
	if h.Name() == "gitlab" {
		opts.TokenUser = "oauth2"
	}
	fresh, err := gitrepo.Open(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", repo.Name, err)
	}
	err = fresh.Fetch(ctx)
	m.ops.ObserveFetch(repo.Name, err)
	if err != nil {
		fresh.Close()
		return nil, err
	}
	reader, err := m.reader(ctx, repo)
	if err != nil {
		fresh.Close()
		return nil, err
	}
	return &checkout{repo: repo, fresh: fresh, reader: reader, m: m}, nil
}

// reader returns the long-lived reader of repo, opening it once the mirror
// exists.
func (m *mirrors) reader(ctx context.Context, repo config.Repo) (*gitrepo.Repo, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if r := m.readers[repo.URL]; r != nil {
		return r, nil
	}
	r, err := gitrepo.Open(ctx, gitrepo.Options{Location: repo.URL, CacheDir: m.dir,
		FetchInterval: 100 * 365 * 24 * time.Hour, Logger: m.log})
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", repo.Name, err)
	}
	m.readers[repo.URL] = r
	return r, nil
}

// Close closes every reader.
func (m *mirrors) Close() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for url, r := range m.readers {
		_ = r.Close()
		delete(m.readers, url)
	}
}

// sourceFunc reads repo at a revision through its reader, for the
// reconciler's drift checks (which run after a fetch).
func (m *mirrors) sourceFunc(repo config.Repo) reconcile.SourceFunc {
	return func(ctx context.Context, rev string) (planner.Source, error) {
		r, err := m.reader(ctx, repo)
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

// Close releases the job's token-holding repository.
func (c *checkout) Close() { _ = c.fresh.Close() }

// resolve turns a branch or SHA into a full SHA, fetching a missing commit
// by itself.
func (c *checkout) resolve(ctx context.Context, rev string) (string, error) {
	return c.fresh.Resolve(ctx, rev)
}

// source reads the repository at a full SHA.
func (c *checkout) source(ctx context.Context, sha string) (planner.Source, error) {
	return c.m.source(ctx, c.reader, c.repo, sha)
}

// short abbreviates a commit SHA for people.
func short(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}
