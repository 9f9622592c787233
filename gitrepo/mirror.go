package gitrepo

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// mirrorRefspecs are what a mirror fetches: every branch and tag, pruned.
var mirrorRefspecs = []string{"+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"}

// fetchedPrefix holds commits fetched by SHA, so that gc keeps them.
const fetchedPrefix = "refs/gitwave/fetched/"

// openMirror makes sure a bare mirror of the URL exists under CacheDir,
// cloning it the first time. The clone happens in a temporary directory
// renamed into place, under the mirror's lock, so that a crash or a second
// process never sees half a mirror.
func (r *Repo) openMirror(ctx context.Context) error {
	cacheDir := r.opts.CacheDir
	if cacheDir == "" {
		userCache, err := os.UserCacheDir()
		if err != nil {
			return fmt.Errorf("open repository %s: no CacheDir given and no user cache directory: %w", r.loc, err)
		}
		cacheDir = filepath.Join(userCache, "gitwave", "git")
	}
	cacheDir, err := filepath.Abs(cacheDir)
	if err != nil {
		return fmt.Errorf("open repository %s: cache directory: %w", r.loc, err)
	}
	if err := os.MkdirAll(cacheDir, 0o755); err != nil {
		return fmt.Errorf("open repository %s: create cache directory: %w", r.loc, err)
	}
	key := r.loc.cacheKey()
	r.gitDir = filepath.Join(cacheDir, key)
	r.lockPath = filepath.Join(cacheDir, key+".lock")
	return r.withLock(ctx, func() error {
		if _, err := os.Stat(filepath.Join(r.gitDir, "HEAD")); err == nil {
			return nil
		}
		return r.clone(ctx, cacheDir)
	})
}

// clone makes the mirror in a temporary directory and renames it into place.
func (r *Repo) clone(ctx context.Context, cacheDir string) error {
	tmp, err := os.MkdirTemp(cacheDir, "clone-")
	if err != nil {
		return fmt.Errorf("clone %s: %w", r.loc, err)
	}
	defer os.RemoveAll(tmp)
	if _, err := r.runRemote(ctx, gitCall{
		args:    []string{"clone", "--bare", "--quiet", "--", r.loc.url, tmp},
		timeout: r.opts.FetchTimeout,
	}); err != nil {
		return fmt.Errorf("clone %s: %w", r.loc, err)
	}
	for i, spec := range mirrorRefspecs {
		op := "--add"
		if i == 0 {
			op = "--replace-all"
		}
		if _, err := r.run(ctx, gitCall{
			args:    []string{"--git-dir", tmp, "config", op, "remote.origin.fetch", spec},
			timeout: r.opts.CommandTimeout,
		}); err != nil {
			return fmt.Errorf("clone %s: configure mirror: %w", r.loc, err)
		}
	}
	if err := os.RemoveAll(r.gitDir); err != nil {
		return fmt.Errorf("clone %s: clear %s: %w", r.loc, r.gitDir, err)
	}
	if err := os.Rename(tmp, r.gitDir); err != nil {
		return fmt.Errorf("clone %s: move into cache: %w", r.loc, err)
	}
	r.markFetched()
	return nil
}

// Fetch updates a URL mirror's branches and tags from the remote, pruning
// deleted ones. It does nothing for a local repository, which gitwave reads
// as it is.
func (r *Repo) Fetch(ctx context.Context) error {
	if !r.loc.remote() {
		return nil
	}
	err := r.withLock(ctx, func() error {
		_, err := r.runRemote(ctx, gitCall{
			args:    []string{"--git-dir", r.gitDir, "fetch", "--prune", "--quiet", "origin"},
			timeout: r.opts.FetchTimeout,
		})
		return err
	})
	if err != nil {
		return fmt.Errorf("fetch %s: %w", r.loc, err)
	}
	r.markFetched()
	return nil
}

// fetchSHA fetches one commit by its full SHA, for a commit that no branch
// or tag reaches (a pull request head, a deleted branch).
func (r *Repo) fetchSHA(ctx context.Context, sha string) error {
	err := r.withLock(ctx, func() error {
		_, err := r.runRemote(ctx, gitCall{
			args:    []string{"--git-dir", r.gitDir, "fetch", "--quiet", "origin", "+" + sha + ":" + fetchedPrefix + sha},
			timeout: r.opts.FetchTimeout,
		})
		return err
	})
	if err != nil {
		return fmt.Errorf("fetch commit %s from %s: %w", sha, r.loc, err)
	}
	return nil
}

// fetchIfStale fetches unless the last fetch is younger than FetchInterval.
// It reports whether it fetched.
func (r *Repo) fetchIfStale(ctx context.Context) (bool, error) {
	if !r.loc.remote() {
		return false, nil
	}
	r.fetchMu.Lock()
	fresh := r.opts.FetchInterval > 0 && time.Since(r.lastFetch) < r.opts.FetchInterval
	r.fetchMu.Unlock()
	if fresh {
		return false, nil
	}
	return true, r.Fetch(ctx)
}

// markFetched records the time of a successful fetch.
func (r *Repo) markFetched() {
	r.fetchMu.Lock()
	r.lastFetch = time.Now()
	r.fetchMu.Unlock()
}

// withLock runs fn holding the mirror's file lock, so that two processes
// sharing CacheDir never clone or fetch the same mirror at once. A local
// repository has no lock.
func (r *Repo) withLock(ctx context.Context, fn func() error) error {
	if r.lockPath == "" {
		return fn()
	}
	unlock, err := lockFile(ctx, r.lockPath)
	if err != nil {
		return fmt.Errorf("lock mirror of %s: %w", r.loc, err)
	}
	defer unlock()
	return fn()
}
