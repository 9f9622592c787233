package planner

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"sync"
	"sync/atomic"
)

// sourceReader finds the tree each Git source of an app reads and the
// archive each chart source installs: the served repository when the
// source names it at the served revision, otherwise Repositories. It never
// reads the served repository for a source that names another one. One
// reader serves one Discover pass and every render of its Inventory, so
// that a repoURL at a targetRevision resolves once however many apps read
// it.
type sourceReader struct {
	served    fs.FS
	servedURL string
	revision  string
	branch    string
	repos     Repositories
	memo      *readerMemo
	// outside is set once the reader is asked for anything but the served
	// tree: another repository or revision, or a chart. Copies share it.
	outside *atomic.Bool
	// wrap, when set, wraps every tree handed out (SOPS decryption); the
	// memo keeps the trees unwrapped.
	wrap func(fs.FS) fs.FS
}

// readerMemo holds what a pass has fetched through Repositories.
type readerMemo struct {
	mu     sync.Mutex
	trees  map[treeKey]*memoEntry[gitTree]
	charts map[chartKey]*memoEntry[ChartArchive]
	// mentions says, per tree and path, whether a file there mentions an
	// Application.
	mentions map[treeKey]*memoEntry[bool]
	// served says, per served URL and repoURL, whether the repoURL names
	// the served repository: every app asks, and parsing URLs adds up.
	served sync.Map
}

type treeKey struct{ url, revision string }

type chartKey struct {
	url, name, version string
	maxBytes           int64
}

// gitTree is a Git source's tree and the commit it resolved to.
type gitTree struct {
	fsys     fs.FS
	revision string
	// served is true for the served repository at the served revision.
	served bool
}

// memoEntry is one fetch, done once. A fetch abandoned because its caller
// was canceled is not kept, so the next caller tries again; one that ran
// past its deadline is kept, so that a repository that hangs costs one
// deadline per pass, not one per app.
type memoEntry[T any] struct {
	mu   sync.Mutex
	done bool
	v    T
	err  error
}

func (e *memoEntry[T]) get(ctx context.Context, fetch func() (T, error)) (T, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.done {
		e.v, e.err = fetch()
		e.done = e.err == nil || !errors.Is(ctx.Err(), context.Canceled)
	}
	return e.v, e.err
}

func newSourceReader(src Source) *sourceReader {
	return &sourceReader{served: src.Repo, servedURL: src.RepoURL, revision: src.Revision, branch: src.Branch,
		repos: src.Repositories, memo: &readerMemo{trees: map[treeKey]*memoEntry[gitTree]{}, charts: map[chartKey]*memoEntry[ChartArchive]{},
			mentions: map[treeKey]*memoEntry[bool]{}}, outside: &atomic.Bool{}}
}

// readOutside reports whether the reader was asked for anything but the
// served tree.
func (r *sourceReader) readOutside() bool {
	return r.outside == nil || r.outside.Load()
}

// markOutside records a read outside the served tree.
func (r *sourceReader) markOutside() {
	if r.outside != nil {
		r.outside.Store(true)
	}
}

// withServed returns a reader sharing r's fetches whose served tree is repo.
func (r *sourceReader) withServed(repo fs.FS) *sourceReader {
	n := *r
	if repo != nil {
		n.served = repo
	}
	return &n
}

// decrypting returns a reader sharing r's fetches whose trees decrypt SOPS
// files with dec, collecting every decrypted value in secrets.
func (r *sourceReader) decrypting(dec Decrypter, secrets *SecretValues) *sourceReader {
	n := *r
	n.wrap = func(f fs.FS) fs.FS { return decryptingRepo(f, dec, secrets) }
	return &n
}

// wrapped applies r.wrap to t's tree.
func (r *sourceReader) wrapped(t gitTree) gitTree {
	if r.wrap != nil && t.fsys != nil {
		t.fsys = r.wrap(t.fsys)
	}
	return t
}

// isServedURL reports whether a source's repoURL names the served
// repository: it is empty, or it is the served URL spelled another way.
// With the served URL unknown (the CLI), only an empty repoURL does.
func (r *sourceReader) isServedURL(repoURL string) bool {
	if repoURL == r.servedURL {
		return true // namesServed, without a key to build
	}
	key := r.servedURL + "\x00" + repoURL
	if v, ok := r.memo.served.Load(key); ok {
		return v.(bool)
	}
	ok := namesServed(r.servedURL, repoURL)
	r.memo.served.Store(key, ok)
	return ok
}

// namesServed reports whether repoURL names the repository servedURL: it
// is empty, or servedURL (when known) spelled another way.
func namesServed(servedURL, repoURL string) bool {
	return strings.TrimSpace(repoURL) == "" || servedURL != "" && repoURLKey(repoURL) == repoURLKey(servedURL)
}

// isServedRevision reports whether targetRevision names the served tree:
// empty, HEAD, the served branch (main or master when Source.Branch is
// unset), or the served commit itself.
func (r *sourceReader) isServedRevision(targetRevision string) bool {
	rev := strings.TrimSpace(targetRevision)
	switch {
	case rev == "" || rev == "HEAD":
		return true
	case r.revision != "" && strings.EqualFold(rev, r.revision):
		return true
	}
	branch := strings.TrimPrefix(rev, "refs/heads/")
	if r.branch != "" {
		return branch == r.branch
	}
	return branch == "main" || branch == "master"
}

// tree returns the tree a Git source reads and the commit it resolved to:
// the served tree when repoURL names the served repository at the served
// revision, otherwise Repositories.Tree. Without Repositories, any other
// repository or revision is an *UnlistedSourceError naming it.
func (r *sourceReader) tree(ctx context.Context, repoURL, targetRevision string) (gitTree, error) {
	if r.isServedURL(repoURL) && r.isServedRevision(targetRevision) {
		if r.served == nil {
			return gitTree{}, fmt.Errorf("repository %s: no repository to read", displayURL(repoURL))
		}
		return r.wrapped(gitTree{fsys: r.served, revision: r.revision, served: true}), nil
	}
	r.markOutside()
	url := strings.TrimSpace(repoURL)
	if url == "" {
		url = r.servedURL
	}
	if url == "" {
		return gitTree{}, fmt.Errorf("a source without repoURL names targetRevision %s, but the served repository's URL is unknown: set repoURL in .gitwave.yaml", targetRevision)
	}
	if r.repos == nil {
		err := &UnlistedSourceError{RepoURL: url}
		if r.isServedURL(url) {
			return gitTree{}, fmt.Errorf("targetRevision %s is not the revision being planned: %w", targetRevision, err)
		}
		return gitTree{}, err
	}
	key := treeKey{url: repoURLKey(url), revision: strings.TrimSpace(targetRevision)}
	r.memo.mu.Lock()
	e, ok := r.memo.trees[key]
	if !ok {
		e = &memoEntry[gitTree]{}
		r.memo.trees[key] = e
	}
	r.memo.mu.Unlock()
	t, err := e.get(ctx, func() (gitTree, error) {
		fsys, sha, err := r.repos.Tree(ctx, url, targetRevision)
		if err != nil {
			return gitTree{}, fetchError(ctx, "read "+url+" at "+revisionName(targetRevision), err)
		}
		return gitTree{fsys: fsys, revision: sha}, nil
	})
	return r.wrapped(t), err
}

// chart returns the archive of chart name at version (an exact version or
// a semver range) from the chart repository repoURL, through
// Repositories.Chart. Without Repositories it is an *UnlistedSourceError.
func (r *sourceReader) chart(ctx context.Context, repoURL, name, version string, maxBytes int64) (ChartArchive, error) {
	r.markOutside()
	url := strings.TrimSpace(repoURL)
	if url == "" {
		return ChartArchive{}, fmt.Errorf("chart %s: repoURL is empty", name)
	}
	if r.repos == nil {
		return ChartArchive{}, &UnlistedSourceError{RepoURL: url, Chart: true}
	}
	key := chartKey{url: strings.TrimSuffix(strings.ToLower(url), "/"), name: name, version: strings.TrimSpace(version), maxBytes: maxBytes}
	r.memo.mu.Lock()
	e, ok := r.memo.charts[key]
	if !ok {
		e = &memoEntry[ChartArchive]{}
		r.memo.charts[key] = e
	}
	r.memo.mu.Unlock()
	return e.get(ctx, func() (ChartArchive, error) {
		a, err := r.repos.Chart(ctx, url, name, version, maxBytes)
		if err != nil {
			return ChartArchive{}, fetchError(ctx, "fetch chart "+name+" "+versionName(version)+" from "+url, err)
		}
		if int64(len(a.Data)) > maxBytes {
			return ChartArchive{}, &LimitError{What: "chart " + name + " from " + url, Limit: "maxRenderedBytesPerApp",
				Message: "is larger than " + byteSize(maxBytes)}
		}
		return a, nil
	})
}

// fetchError wraps a failed fetch; one that ran past its deadline is a
// *LimitError naming what was being fetched.
func fetchError(ctx context.Context, what string, err error) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return &LimitError{What: what, Limit: "renderTimeout", Message: "did not finish within the render deadline"}
	}
	return fmt.Errorf("%s: %w", what, err)
}

func displayURL(u string) string {
	if strings.TrimSpace(u) == "" {
		return "(served)"
	}
	return u
}

func revisionName(rev string) string {
	if strings.TrimSpace(rev) == "" {
		return "HEAD"
	}
	return rev
}

func versionName(v string) string {
	if strings.TrimSpace(v) == "" {
		return "(latest)"
	}
	return v
}

// mentionsApps reports whether a file under dir in repoURL's tree at
// targetRevision mentions an argoproj.io Application, so that an app
// reading it may be an app of apps. A tree that cannot be read gives
// false: rendering the app reports the error.
func (r *sourceReader) mentionsApps(ctx context.Context, repoURL, targetRevision, dir string) bool {
	t, err := r.tree(ctx, repoURL, targetRevision)
	if err != nil {
		return false
	}
	p, err := RepoPath("", dir)
	if err != nil {
		return false
	}
	key := treeKey{url: repoURLKey(firstNonEmpty(repoURL, r.servedURL)) + "\x00" + p, revision: strings.TrimSpace(targetRevision)}
	r.memo.mu.Lock()
	e, ok := r.memo.mentions[key]
	if !ok {
		e = &memoEntry[bool]{}
		r.memo.mentions[key] = e
	}
	r.memo.mu.Unlock()
	found, _ := e.get(ctx, func() (bool, error) { return treeMentionsApps(t.fsys, p), nil })
	return found
}

// treeMentionsApps walks dir for a file naming argoproj.io and
// Application, as the repository scan does.
func treeMentionsApps(fsys fs.FS, dir string) bool {
	found := false
	_ = fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || found {
			return fs.SkipAll
		}
		if d.IsDir() || !isManifestFile(p) {
			return nil
		}
		data, err := fs.ReadFile(fsys, p)
		found = err == nil && bytes.Contains(data, []byte("argoproj.io")) && bytes.Contains(data, []byte("Application"))
		return nil
	})
	return found
}
