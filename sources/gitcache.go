package sources

import (
	"sync"
	"time"

	"github.com/gitwave/gitwave/gitrepo"
)

// maxCachedTrees bounds the trees one repository keeps listed.
const maxCachedTrees = 16

// resolvedCache remembers, for one repository, what revision names
// resolved to (a branch or tag for as long as the fetch it was read after
// is fresh, a full SHA for ever) and the trees of recent commits, so that
// the many apps of one render that read the same repository at the same
// revision cost one rev-parse and one ls-tree.
type resolvedCache struct {
	mu    sync.Mutex
	names map[string]resolvedName
	trees map[string]*gitrepo.Tree
	order []string // tree SHAs, oldest first
}

// resolvedName is a revision name's commit as of the fetch at.
type resolvedName struct {
	sha string
	at  time.Time
}

// name returns rev's commit if it is still fresh.
func (c *resolvedCache) name(rev string, interval time.Duration) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, ok := c.names[rev]
	if !ok || (!fullSHA.MatchString(rev) && time.Since(n.at) >= interval) {
		return "", false
	}
	return n.sha, true
}

// putName records that rev named sha as of the fetch at.
func (c *resolvedCache) putName(rev, sha string, at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.names == nil {
		c.names = map[string]resolvedName{}
	}
	c.names[rev] = resolvedName{sha: sha, at: at}
}

// clearNames forgets branch and tag names after a fetch moved them.
func (c *resolvedCache) clearNames() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for rev := range c.names {
		if !fullSHA.MatchString(rev) {
			delete(c.names, rev)
		}
	}
}

// tree returns the cached tree of commit sha.
func (c *resolvedCache) tree(sha string) (*gitrepo.Tree, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.trees[sha]
	return t, ok
}

// putTree keeps t, dropping the oldest tree beyond maxCachedTrees.
func (c *resolvedCache) putTree(sha string, t *gitrepo.Tree) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.trees == nil {
		c.trees = map[string]*gitrepo.Tree{}
	}
	if _, ok := c.trees[sha]; ok {
		return
	}
	c.trees[sha] = t
	c.order = append(c.order, sha)
	if len(c.order) > maxCachedTrees {
		delete(c.trees, c.order[0])
		c.order = c.order[1:]
	}
}

// reset forgets everything (the reader was closed).
func (c *resolvedCache) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.names, c.trees, c.order = nil, nil, nil
}
