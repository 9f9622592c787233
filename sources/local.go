package sources

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/gitwave/gitwave/config"
	"github.com/gitwave/gitwave/gitrepo"
	"github.com/gitwave/gitwave/planner"
)

// ParseMapping splits the CLI's URL=LOCATION (--source, --helm-repo) at
// the first "=", so that LOCATION may hold one.
func ParseMapping(s string) (repoURL, location string, err error) {
	repoURL, location, ok := strings.Cut(s, "=")
	repoURL, location = strings.TrimSpace(repoURL), strings.TrimSpace(location)
	if !ok || repoURL == "" || location == "" {
		return "", "", fmt.Errorf("mapping %q: want URL=LOCATION", s)
	}
	return repoURL, location, nil
}

// MapSource makes repoURL read from location: a local directory (a Git
// repository, whose revisions then resolve in it, or a plain directory read
// as it is whatever the revision) or a clone URL. A mapping replaces the
// repos[] entry of the same repository.
func (r *Registry) MapSource(repoURL, location string) error {
	if repoURL == "" {
		return fmt.Errorf("map source: empty repoURL")
	}
	src, err := r.localSource(repoURL, location)
	if err != nil {
		return fmt.Errorf("map source %s: %w", repoURL, err)
	}
	r.mu.Lock()
	old := r.trees[config.RepoKey(repoURL)]
	r.trees[config.RepoKey(repoURL)] = src
	r.mu.Unlock()
	if old != nil {
		_ = old.close()
	}
	return nil
}

// localSource opens what location names.
func (r *Registry) localSource(repoURL, location string) (treeSource, error) {
	st, err := os.Stat(location)
	switch {
	case err == nil && !st.IsDir():
		return nil, fmt.Errorf("%s is not a directory", location)
	case err == nil && isGitDir(location):
		repo, err := gitrepo.Open(context.Background(), gitrepo.Options{Location: location, Logger: r.log})
		if err != nil {
			return nil, err
		}
		return &localGit{url: repoURL, repo: repo, interval: r.fetchInterval}, nil
	case err == nil:
		dir, err := gitrepo.DirFS(location)
		if err != nil {
			return nil, err
		}
		return &plainDir{dir: dir}, nil
	case strings.Contains(location, "://") || strings.Contains(location, "@"):
		options := gitrepo.Options{Location: location, CacheDir: filepath.Join(r.dataDir, "git"), Logger: r.log}
		// The mirror's HEAD is the remote's default branch.
		return newGitSource(location, "HEAD", r.fetchInterval, options, r.log), nil
	}
	return nil, fmt.Errorf("%s: %w", location, err)
}

// isGitDir reports whether dir is a working copy or a bare repository.
func isGitDir(dir string) bool {
	if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
		return true
	}
	_, errHead := os.Stat(filepath.Join(dir, "HEAD"))
	_, errObjects := os.Stat(filepath.Join(dir, "objects"))
	return errHead == nil && errObjects == nil
}

// localGit is a Git repository on disk, read in place: revisions resolve in
// it, "" and HEAD are its HEAD, a branch it only has as origin/NAME is found
// too. What a name resolved to is kept for interval.
type localGit struct {
	url      string
	repo     *gitrepo.Repo
	interval time.Duration
	cache    resolvedCache
}

func (l *localGit) tree(ctx context.Context, rev string) (fs.FS, string, error) {
	if rev == "" {
		rev = "HEAD"
	}
	sha, ok := l.cache.name(rev, l.interval)
	if !ok {
		var err error
		if sha, err = l.resolve(ctx, rev); err != nil {
			return nil, "", err
		}
		l.cache.putName(rev, sha, time.Now())
	}
	if t, ok := l.cache.tree(sha); ok {
		return t, sha, nil
	}
	t, err := l.repo.Tree(ctx, sha)
	if err != nil {
		return nil, "", fmt.Errorf("read %s at %s: %w", l.url, sha, err)
	}
	l.cache.putTree(sha, t)
	return t, sha, nil
}

// resolve finds rev, or origin/rev, in the repository.
func (l *localGit) resolve(ctx context.Context, rev string) (string, error) {
	sha, err := lookup(ctx, l.repo, rev)
	if err == nil && sha == "" && !fullSHA.MatchString(rev) {
		sha, err = lookup(ctx, l.repo, "origin/"+rev)
	}
	if err != nil {
		return "", fmt.Errorf("resolve targetRevision %q in %s: %w", rev, l.url, err)
	}
	if sha == "" {
		return "", &RevisionNotFoundError{RepoURL: l.url + " (" + l.repo.String() + ")", Revision: rev}
	}
	return sha, nil
}

func (l *localGit) close() error { return l.repo.Close() }

// plainDir is a directory that is no Git repository: it is the source at
// every revision, with no commit SHA.
type plainDir struct {
	dir *gitrepo.WorkDir
}

func (p *plainDir) tree(context.Context, string) (fs.FS, string, error) { return p.dir, "", nil }
func (p *plainDir) close() error                                        { return p.dir.Close() }

// MapHelmRepo makes the chart repository repoURL read from dir, a
// directory of packaged charts with an index.yaml (as `helm repo index`
// writes). Archives are read from inside dir only.
func (r *Registry) MapHelmRepo(repoURL, dir string) error {
	if repoURL == "" {
		return fmt.Errorf("map chart repository: empty URL")
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return fmt.Errorf("map chart repository %s: %w", repoURL, err)
	}
	if _, err := root.Stat("index.yaml"); err != nil {
		root.Close()
		return fmt.Errorf("map chart repository %s: %s has no index.yaml: %w", repoURL, dir, err)
	}
	r.mu.Lock()
	r.charts[config.HelmRepoKey(repoURL)] = &localCharts{url: repoURL, dir: dir, root: root}
	r.mu.Unlock()
	return nil
}

// localCharts is a directory of packaged charts with an index.yaml.
type localCharts struct {
	url, dir string
	root     *os.Root
	mu       sync.Mutex
}

func (l *localCharts) chart(ctx context.Context, name, version string, maxBytes int64) (planner.ChartArchive, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	data, err := l.root.ReadFile("index.yaml")
	if err != nil {
		return planner.ChartArchive{}, fmt.Errorf("chart repository %s (%s): %w", l.url, l.dir, err)
	}
	idx, err := parseIndex(os.TempDir(), data)
	if err != nil {
		return planner.ChartArchive{}, fmt.Errorf("chart repository %s (%s): %w", l.url, l.dir, err)
	}
	cv, err := findInIndex(idx, l.url, name, version)
	if err != nil {
		return planner.ChartArchive{}, err
	}
	if len(cv.URLs) == 0 {
		return planner.ChartArchive{}, fmt.Errorf("chart repository %s (%s): %s %s has no URL in index.yaml", l.url, l.dir, name, cv.Version)
	}
	file := cv.URLs[0]
	if i := strings.LastIndex(file, "/"); strings.Contains(file, "://") && i >= 0 {
		file = file[i+1:] // an absolute URL: the archive of that name in dir
	}
	archive, err := l.readLimited(file, maxBytes)
	if err != nil {
		return planner.ChartArchive{}, fmt.Errorf("chart repository %s (%s): %s %s: %w", l.url, l.dir, name, cv.Version, err)
	}
	return planner.ChartArchive{Data: archive, Version: cv.Version, Digest: digestOf(archive)}, nil
}

// readLimited reads a file inside the directory, at most maxBytes long.
func (l *localCharts) readLimited(name string, maxBytes int64) ([]byte, error) {
	f, err := l.root.Open(filepath.FromSlash(name))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxBytes+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > maxBytes {
		return nil, errors.New("archive larger than the limit of " + fmt.Sprint(maxBytes) + " bytes")
	}
	return data, nil
}
