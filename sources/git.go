package sources

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"regexp"
	"sync/atomic"
	"time"

	"github.com/gitwave/gitwave/config"
	"github.com/gitwave/gitwave/gitrepo"
)

// fullSHA matches a full SHA-1 or SHA-256 commit name.
var fullSHA = regexp.MustCompile(`^([0-9a-f]{40}|[0-9a-f]{64})$`)

// gitCredentials gives the options that let a fetch reach a repository:
// location, cache directory and credentials, read afresh for every fetch so
// that rotated tokens are picked up.
type gitCredentials func(ctx context.Context) (gitrepo.Options, error)

// gitSource is one listed Git repository: a shared bare mirror fetched at
// most once per interval, read through one long-lived local reader that
// never fetches by itself.
type gitSource struct {
	url           string
	defaultBranch string
	interval      time.Duration
	options       gitCredentials
	log           *slog.Logger

	// sem serializes opening and fetching: a caller that waits for another's
	// fetch finds the mirror fresh and does not fetch again.
	sem       chan struct{}
	reader    atomic.Pointer[gitrepo.Repo] // set once under sem
	lastFetch time.Time                    // start of the last fetch or clone; guarded by sem
	cache     resolvedCache

	// fetches counts clones and fetches, for tests and benchmarks.
	fetches atomic.Int64
}

func newGitSource(url, defaultBranch string, interval time.Duration, options gitCredentials, log *slog.Logger) *gitSource {
	if defaultBranch == "" {
		defaultBranch = "main"
	}
	return &gitSource{url: url, defaultBranch: defaultBranch, interval: interval, options: options,
		log: log, sem: make(chan struct{}, 1)}
}

// tree returns the repository's tree at rev and the commit SHA it resolved
// to.
func (g *gitSource) tree(ctx context.Context, rev string) (fs.FS, string, error) {
	if rev == "" || rev == "HEAD" {
		rev = g.defaultBranch
	}
	reader, err := g.open(ctx)
	if err != nil {
		return nil, "", err
	}
	sha, ok := g.cache.name(rev, g.interval)
	if !ok {
		if sha, err = g.resolve(ctx, reader, rev); err != nil {
			return nil, "", err
		}
	}
	if t, ok := g.cache.tree(sha); ok {
		return t, sha, nil
	}
	t, err := reader.Tree(ctx, sha)
	if err != nil {
		return nil, "", fmt.Errorf("read %s at %s: %w", g.url, sha, err)
	}
	g.cache.putTree(sha, t)
	return t, sha, nil
}

// resolve finds rev's commit: a name after a fetch at most interval old, a
// SHA the mirror lacks after fetching it.
func (g *gitSource) resolve(ctx context.Context, reader *gitrepo.Repo, rev string) (string, error) {
	start := time.Now()
	var fetchedAt time.Time
	var err error
	if !fullSHA.MatchString(rev) {
		if fetchedAt, err = g.fetch(ctx, start.Add(-g.interval)); err != nil {
			return "", err
		}
	}
	sha, err := lookup(ctx, reader, rev)
	if err == nil && sha == "" {
		// Not there: the remote may have it since the last fetch.
		if fetchedAt, err = g.fetch(ctx, start); err != nil {
			return "", err
		}
		sha, err = lookup(ctx, reader, rev)
	}
	if err == nil && sha == "" && fullSHA.MatchString(rev) {
		sha, err = g.fetchCommit(ctx, reader, rev)
	}
	if err != nil {
		return "", fmt.Errorf("resolve targetRevision %q in %s: %w", rev, g.url, err)
	}
	if sha == "" {
		return "", &RevisionNotFoundError{RepoURL: g.url, Revision: rev}
	}
	g.cache.putName(rev, sha, fetchedAt)
	return sha, nil
}

// RevisionNotFoundError is a targetRevision that names no branch, tag or
// commit of a repository, even after a fetch.
type RevisionNotFoundError struct {
	RepoURL, Revision string
}

func (e *RevisionNotFoundError) Error() string {
	return fmt.Sprintf("targetRevision %q not found in %s: no branch, tag or commit of that name", e.Revision, e.RepoURL)
}

// Is makes errors.Is match gitrepo.ErrRevisionNotFound.
func (e *RevisionNotFoundError) Is(target error) bool { return target == gitrepo.ErrRevisionNotFound }

// lookup resolves rev in r without fetching; "" when nothing matches.
func lookup(ctx context.Context, r *gitrepo.Repo, rev string) (string, error) {
	sha, err := r.Resolve(ctx, rev)
	if errors.Is(err, gitrepo.ErrRevisionNotFound) {
		return "", nil
	}
	return sha, err
}

// acquire takes the semaphore, or fails when ctx ends first.
func (g *gitSource) acquire(ctx context.Context) error {
	select {
	case g.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("wait for the mirror of %s: %w", g.url, ctx.Err())
	}
}

func (g *gitSource) release() { <-g.sem }

// open returns the reader, cloning the mirror the first time.
func (g *gitSource) open(ctx context.Context) (*gitrepo.Repo, error) {
	if r := g.reader.Load(); r != nil {
		return r, nil
	}
	if err := g.acquire(ctx); err != nil {
		return nil, err
	}
	defer g.release()
	if r := g.reader.Load(); r != nil {
		return r, nil
	}
	start := time.Now()
	fetcher, err := g.openFetcher(ctx)
	if err != nil {
		return nil, err
	}
	defer fetcher.Close()
	if st, err := os.Stat(fetcher.GitDir()); err == nil && !st.ModTime().Before(start) {
		// Open has just cloned it: as fresh as a fetch.
		g.lastFetch = start
		g.fetches.Add(1)
	}
	reader, err := gitrepo.Open(ctx, gitrepo.Options{Location: fetcher.GitDir(), Logger: g.log})
	if err != nil {
		return nil, fmt.Errorf("open the mirror of %s: %w", g.url, err)
	}
	g.reader.Store(reader)
	return reader, nil
}

// openFetcher opens the mirror with the repository's credentials.
func (g *gitSource) openFetcher(ctx context.Context) (*gitrepo.Repo, error) {
	o, err := g.options(ctx)
	if err != nil {
		return nil, fmt.Errorf("credentials for %s: %w", g.url, err)
	}
	// Open's error already says "clone URL: ...".
	return gitrepo.Open(ctx, o)
}

// fetch updates the mirror unless a fetch started after since: concurrent
// callers share one fetch. It returns when the mirror's last fetch started.
func (g *gitSource) fetch(ctx context.Context, since time.Time) (time.Time, error) {
	if err := g.acquire(ctx); err != nil {
		return time.Time{}, err
	}
	defer g.release()
	if g.lastFetch.After(since) {
		return g.lastFetch, nil
	}
	start := time.Now()
	fetcher, err := g.openFetcher(ctx)
	if err != nil {
		return time.Time{}, err
	}
	defer fetcher.Close()
	g.fetches.Add(1)
	if err := fetcher.Fetch(ctx); err != nil {
		return time.Time{}, err
	}
	g.lastFetch = start
	g.cache.clearNames()
	return start, nil
}

// fetchCommit fetches a commit that no branch or tag reaches by its SHA.
func (g *gitSource) fetchCommit(ctx context.Context, reader *gitrepo.Repo, sha string) (string, error) {
	if err := g.acquire(ctx); err != nil {
		return "", err
	}
	defer g.release()
	fetcher, err := g.openFetcher(ctx)
	if err != nil {
		return "", err
	}
	defer fetcher.Close()
	g.fetches.Add(1)
	if _, err := fetcher.Resolve(ctx, sha); err != nil {
		if errors.Is(err, gitrepo.ErrRevisionNotFound) {
			return "", nil
		}
		return "", err
	}
	return lookup(ctx, reader, sha)
}

// close stops the reader.
func (g *gitSource) close() error {
	g.sem <- struct{}{}
	defer g.release()
	r := g.reader.Swap(nil)
	g.cache.reset()
	if r == nil {
		return nil
	}
	return r.Close()
}

// repoOptions builds the fetch options of a listed repository from its
// credentials: tokenFile, sshKeyFile with knownHostsFile, or the host's
// clone token (the GitHub App installation's).
func repoOptions(cfg *config.Config, repo config.Repo, cacheDir string, hostToken HostTokenFunc, log *slog.Logger) gitCredentials {
	return func(ctx context.Context) (gitrepo.Options, error) {
		o := gitrepo.Options{Location: repo.URL, CacheDir: cacheDir, Logger: log}
		if repo.Host == "gitlab" {
			o.TokenUser = "oauth2"
		}
		switch {
		case repo.TokenFile != "":
			token, err := cfg.ReadSecret(repo.TokenFile)
			if err != nil {
				return o, err
			}
			o.Token = token
		case repo.SSHKeyFile != "":
			o.SSHKeyFile, o.SSHKnownHostsFile = cfg.Path(repo.SSHKeyFile), cfg.Path(repo.KnownHostsFile)
		case repo.Host != "none" && hostToken != nil:
			token, err := hostToken(ctx, repo)
			if err != nil {
				return o, fmt.Errorf("clone token: %w", err)
			}
			o.Token = token
		}
		if o.SSHKnownHostsFile == "" && repo.KnownHostsFile != "" {
			o.SSHKnownHostsFile = cfg.Path(repo.KnownHostsFile)
		}
		return o, nil
	}
}
