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

// gitSource is one listed Git repository: a shared bare mirror fetched at
// most once per interval, read and fetched through one long-lived gitrepo
// handle. The handle's settings are fixed; a rotating credential (a
// tokenFile's content, the host's token) reaches it through its
// TokenSource, asked on every clone and fetch.
type gitSource struct {
	url           string
	defaultBranch string
	interval      time.Duration
	options       gitrepo.Options
	log           *slog.Logger

	// sem serializes opening and fetching: a caller that waits for another's
	// fetch finds the mirror fresh and does not fetch again.
	sem       chan struct{}
	repo      atomic.Pointer[gitrepo.Repo] // the handle; set under sem
	lastFetch time.Time                    // start of the last fetch or clone; guarded by sem
	cache     resolvedCache

	// fetches counts clones and fetches, opens the handles opened, for
	// tests and benchmarks.
	fetches, opens atomic.Int64
}

func newGitSource(url, defaultBranch string, interval time.Duration, options gitrepo.Options, log *slog.Logger) *gitSource {
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
	repo, err := g.open(ctx)
	if err != nil {
		return nil, "", err
	}
	sha, ok := g.cache.name(rev, g.interval)
	if !ok {
		if sha, err = g.resolve(ctx, repo, rev); err != nil {
			return nil, "", err
		}
	}
	if t, ok := g.cache.tree(sha); ok {
		return t, sha, nil
	}
	t, err := repo.Tree(ctx, sha)
	if err != nil {
		return nil, "", fmt.Errorf("read %s at %s: %w", g.url, sha, err)
	}
	g.cache.putTree(sha, t)
	return t, sha, nil
}

// resolve finds rev's commit: a name after a fetch at most interval old, a
// SHA the mirror lacks after fetching it.
func (g *gitSource) resolve(ctx context.Context, repo *gitrepo.Repo, rev string) (string, error) {
	start := time.Now()
	var fetchedAt time.Time
	var err error
	if !fullSHA.MatchString(rev) {
		if fetchedAt, err = g.fetch(ctx, repo, start.Add(-g.interval)); err != nil {
			return "", err
		}
	}
	sha, err := lookup(ctx, repo, rev)
	if err == nil && sha == "" {
		// Not there: the remote may have it since the last fetch.
		if fetchedAt, err = g.fetch(ctx, repo, start); err != nil {
			return "", err
		}
		sha, err = lookup(ctx, repo, rev)
	}
	if err == nil && sha == "" && fullSHA.MatchString(rev) {
		sha, err = g.fetchCommit(ctx, repo, rev)
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

// lookup resolves rev in the mirror without fetching; "" when nothing
// matches.
func lookup(ctx context.Context, repo *gitrepo.Repo, rev string) (string, error) {
	sha, err := repo.Lookup(ctx, rev)
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

// open returns the repository's handle, opening it (and the first time
// cloning the mirror) once.
func (g *gitSource) open(ctx context.Context) (*gitrepo.Repo, error) {
	if r := g.repo.Load(); r != nil {
		return r, nil
	}
	if err := g.acquire(ctx); err != nil {
		return nil, err
	}
	defer g.release()
	if r := g.repo.Load(); r != nil {
		return r, nil
	}
	start := time.Now()
	// Open's error already names the repository ("clone URL: ...").
	repo, err := gitrepo.Open(ctx, g.options)
	if err != nil {
		return nil, err
	}
	g.opens.Add(1)
	if st, err := os.Stat(repo.GitDir()); err == nil && !st.ModTime().Before(start) {
		// Open has just cloned it: as fresh as a fetch.
		g.lastFetch = start
		g.fetches.Add(1)
	}
	g.repo.Store(repo)
	return repo, nil
}

// fetch updates the mirror unless a fetch started after since: concurrent
// callers share one fetch. It returns when the mirror's last fetch started.
func (g *gitSource) fetch(ctx context.Context, repo *gitrepo.Repo, since time.Time) (time.Time, error) {
	if err := g.acquire(ctx); err != nil {
		return time.Time{}, err
	}
	defer g.release()
	if g.lastFetch.After(since) {
		return g.lastFetch, nil
	}
	start := time.Now()
	g.fetches.Add(1)
	// Fetch's error already names the repository.
	if err := repo.Fetch(ctx); err != nil {
		return time.Time{}, err
	}
	g.lastFetch = start
	g.cache.clearNames()
	return start, nil
}

// fetchCommit fetches a commit that no branch or tag reaches by its SHA;
// "" when the remote has no such commit.
func (g *gitSource) fetchCommit(ctx context.Context, repo *gitrepo.Repo, sha string) (string, error) {
	if err := g.acquire(ctx); err != nil {
		return "", err
	}
	defer g.release()
	g.fetches.Add(1)
	// Resolve fetches a full SHA the mirror lacks by itself.
	got, err := repo.Resolve(ctx, sha)
	if errors.Is(err, gitrepo.ErrRevisionNotFound) {
		return "", nil
	}
	return got, err
}

// close closes the handle; a later read opens it again.
func (g *gitSource) close() error {
	g.sem <- struct{}{}
	defer g.release()
	r := g.repo.Swap(nil)
	g.cache.reset()
	if r == nil {
		return nil
	}
	return r.Close()
}

// repoOptions builds the handle's options for a listed repository. What
// is fixed is set once: location, cache directory, the ssh key and
// known_hosts paths (ssh reads the files on each connection). A credential
// that rotates is read afresh on every clone and fetch through
// TokenSource: a tokenFile's content, or else the host's clone token (the
// GitHub App installation's).
func repoOptions(cfg *config.Config, repo config.Repo, cacheDir string, hostToken HostTokenFunc, log *slog.Logger) gitrepo.Options {
	o := gitrepo.Options{Location: repo.URL, CacheDir: cacheDir, Logger: log}
	if repo.Host == "gitlab" {
		o.TokenUser = "oauth2"
	}
	switch {
	case repo.TokenFile != "":
		o.TokenSource = func(context.Context) (string, error) { return cfg.ReadSecret(repo.TokenFile) }
	case repo.SSHKeyFile != "":
		o.SSHKeyFile = cfg.Path(repo.SSHKeyFile)
	case repo.Host != "none" && hostToken != nil:
		o.TokenSource = func(ctx context.Context) (string, error) {
			token, err := hostToken(ctx, repo)
			if err != nil {
				return "", fmt.Errorf("clone token: %w", err)
			}
			return token, nil
		}
	}
	if repo.KnownHostsFile != "" {
		o.SSHKnownHostsFile = cfg.Path(repo.KnownHostsFile)
	}
	return o
}
