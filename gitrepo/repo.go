package gitrepo

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Repo reads one Git repository at any revision. It is safe for concurrent
// use. Close it to stop its blob reader.
type Repo struct {
	opts Options
	loc  location
	// env is every git call's environment, with the static credentials;
	// tokenless is the same without them, which a TokenSource's token
	// is added to.
	env, tokenless gitEnv
	gitDir         string
	// lockPath is the flock file guarding a URL mirror; empty for a local
	// repository.
	lockPath string

	fetchMu   sync.Mutex
	lastFetch time.Time

	blobs *blobReader
	trees treeCache

	// commits are full SHAs already verified to name commits here; Git
	// never takes a commit back, so they need no second rev-parse.
	commits sync.Map
}

// Open opens the repository at o.Location. A local path is read in place; a
// URL is cloned once into a bare mirror under o.CacheDir and reused, fetched
// incrementally when Resolve needs newer refs.
func Open(ctx context.Context, o Options) (*Repo, error) {
	o = o.withDefaults()
	loc, err := parseLocation(o.Location)
	if err != nil {
		return nil, err
	}
	r := &Repo{opts: o, loc: loc}
	r.tokenless = newGitEnv(loc, o)
	r.env = r.tokenless.withStaticCredentials(loc, o)
	if loc.remote() {
		err = r.openMirror(ctx)
	} else {
		err = r.openLocal(ctx)
	}
	if err != nil {
		return nil, err
	}
	r.blobs = newBlobReader(r)
	return r, nil
}

// openLocal finds the git directory of a working copy or bare repository.
func (r *Repo) openLocal(ctx context.Context) error {
	abs, err := filepath.Abs(r.loc.path)
	if err != nil {
		return fmt.Errorf("open repository %s: %w", r.loc.path, err)
	}
	if _, err := os.Stat(abs); err != nil {
		return fmt.Errorf("open repository %s: %w", r.loc.path, err)
	}
	out, err := r.run(ctx, gitCall{
		dir:     abs,
		args:    []string{"rev-parse", "--absolute-git-dir"},
		timeout: r.opts.CommandTimeout,
	})
	if err != nil {
		return fmt.Errorf("open repository %s: not a git repository: %w", r.loc.path, err)
	}
	r.gitDir = strings.TrimSpace(string(out))
	return nil
}

// GitDir returns the git directory the Repo reads: the repository's own for
// a local path, the mirror under CacheDir for a URL.
func (r *Repo) GitDir() string { return r.gitDir }

// String returns the repository's location with any credentials masked.
func (r *Repo) String() string { return r.loc.String() }

// Close stops the Repo's blob reader. Trees read from the Repo fail after
// Close.
func (r *Repo) Close() error {
	return r.blobs.close()
}

// git runs a local git command against the Repo's git directory under the
// command timeout.
func (r *Repo) git(ctx context.Context, args ...string) ([]byte, error) {
	return r.run(ctx, gitCall{
		args:    append([]string{"--git-dir", r.gitDir}, args...),
		timeout: r.opts.CommandTimeout,
	})
}
