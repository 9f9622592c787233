package sources

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

	"github.com/gitwave/gitwave/config"
	"github.com/gitwave/gitwave/planner"
)

// HostTokenFunc returns a token for a served repository (host github or
// gitlab) that has neither tokenFile nor sshKeyFile: the GitHub App
// installation's token, or GitLab's.
type HostTokenFunc func(ctx context.Context, repo config.Repo) (string, error)

// Option changes how New builds a Registry.
type Option func(*Registry)

// WithHostToken gives the Registry the clone tokens of the Git hosts.
func WithHostToken(f HostTokenFunc) Option { return func(r *Registry) { r.hostToken = f } }

// WithLogger sets the logger (default slog.Default()). Secrets are never
// logged.
func WithLogger(l *slog.Logger) Option { return func(r *Registry) { r.log = l } }

// Registry reads the repositories and chart repositories gitwave.yaml
// lists, and those mapped locally for the CLI. It implements
// planner.Repositories and is safe for concurrent use. Close it when done.
type Registry struct {
	dataDir       string
	fetchInterval time.Duration
	indexTTL      time.Duration
	hostToken     HostTokenFunc
	log           *slog.Logger
	cache         *chartCache

	mu     sync.Mutex
	trees  map[string]treeSource  // by config.RepoKey
	charts map[string]chartSource // by config.HelmRepoKey
}

// treeSource reads one repository at a revision.
type treeSource interface {
	tree(ctx context.Context, rev string) (fs.FS, string, error)
	close() error
}

// chartSource fetches charts from one chart repository.
type chartSource interface {
	chart(ctx context.Context, name, version string, maxBytes int64) (planner.ChartArchive, error)
}

var _ planner.Repositories = (*Registry)(nil)

// New builds the Registry of cfg's repos[] and helmRepos[] (cfg may be nil:
// then only local mappings exist). Git mirrors live under dataDir/git,
// chart archives under dataDir/charts. Nothing is fetched until a source
// asks; credential files are read now so that a missing one is reported at
// start.
func New(cfg *config.Config, dataDir string, opts ...Option) (*Registry, error) {
	if dataDir == "" {
		return nil, fmt.Errorf("sources: no data directory given")
	}
	r := &Registry{
		dataDir:       dataDir,
		fetchInterval: config.DefaultFetchInterval,
		indexTTL:      config.DefaultHelmIndexTTL,
		log:           slog.Default(),
		trees:         map[string]treeSource{},
		charts:        map[string]chartSource{},
	}
	for _, o := range opts {
		o(r)
	}
	r.cache = newChartCache(filepath.Join(dataDir, "charts"))
	if cfg == nil {
		return r, nil
	}
	if cfg.FetchInterval > 0 {
		r.fetchInterval = time.Duration(cfg.FetchInterval)
	}
	if cfg.HelmIndexTTL > 0 {
		r.indexTTL = time.Duration(cfg.HelmIndexTTL)
	}
	gitDir := filepath.Join(dataDir, "git")
	for _, repo := range cfg.Repos {
		if repo.TokenFile != "" {
			if _, err := cfg.ReadSecret(repo.TokenFile); err != nil {
				return nil, fmt.Errorf("repository %s: %w", repo.Name, err)
			}
		}
		options := repoOptions(cfg, repo, gitDir, r.hostToken, r.log)
		r.trees[config.RepoKey(repo.URL)] = newGitSource(repo.URL, repo.DefaultBranch, r.fetchInterval, options, r.log)
	}
	for _, hr := range cfg.HelmRepos {
		src, err := r.remoteChartSource(cfg, hr)
		if err != nil {
			return nil, err
		}
		r.charts[config.HelmRepoKey(hr.URL)] = src
	}
	return r, nil
}

// Tree returns repoURL's tree at targetRevision and the commit SHA it
// resolved to (empty for a plain local directory). See
// planner.Repositories.
func (r *Registry) Tree(ctx context.Context, repoURL, targetRevision string) (fs.FS, string, error) {
	r.mu.Lock()
	src := r.trees[config.RepoKey(repoURL)]
	r.mu.Unlock()
	if src == nil || repoURL == "" {
		return nil, "", &planner.UnlistedSourceError{RepoURL: repoURL}
	}
	return src.tree(ctx, targetRevision)
}

// Chart returns the chart name from repoURL at version, an exact version or
// a semver range. See planner.Repositories. A fetch stopped by ctx's
// deadline or cancellation says so, whatever the transport saw.
func (r *Registry) Chart(ctx context.Context, repoURL, name, version string, maxBytes int64) (planner.ChartArchive, error) {
	r.mu.Lock()
	src := r.charts[config.HelmRepoKey(repoURL)]
	r.mu.Unlock()
	if src == nil || repoURL == "" {
		return planner.ChartArchive{}, &planner.UnlistedSourceError{RepoURL: repoURL, Chart: true}
	}
	if err := checkChartName(name); err != nil {
		return planner.ChartArchive{}, fmt.Errorf("chart %q from %s: %w", name, repoURL, err)
	}
	if maxBytes <= 0 {
		maxBytes = int64(config.DefaultMaxRenderedBytesPerApp)
	}
	arc, err := src.chart(ctx, name, version, maxBytes)
	if err != nil && ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
		// A fetch cut short by the deadline can surface as the transport's
		// EOF or reset: say what stopped it.
		err = fmt.Errorf("%w: %v", ctx.Err(), err)
	}
	return arc, err
}

// Close stops every repository reader.
func (r *Registry) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	var errs []error
	for _, src := range r.trees {
		errs = append(errs, src.close())
	}
	return errors.Join(errs...)
}

// GitFetches reports how many clones and fetches the Registry has made of
// repoURL's mirror (0 for a local mapping or an unlisted URL).
func (r *Registry) GitFetches(repoURL string) int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	if g, ok := r.trees[config.RepoKey(repoURL)].(*gitSource); ok {
		return g.fetches.Load()
	}
	return 0
}

// ChartRequests reports how many network requests the Registry has sent to
// the chart repository repoURL (0 for a local mapping or an unlisted URL).
func (r *Registry) ChartRequests(repoURL string) int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch src := r.charts[config.HelmRepoKey(repoURL)].(type) {
	case *httpRepo:
		return src.requests.Load()
	case *ociRepo:
		return src.requests.Load()
	}
	return 0
}
