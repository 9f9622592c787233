package planner

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"slices"
	"sync"
)

// expandCacheSize bounds the ApplicationSet expansions a Planner keeps.
const expandCacheSize = 1024

// expandCache keeps the Applications an ApplicationSet expanded to, keyed
// by the ApplicationSet and the clusters it saw, so that the base and the
// head of a change, which share most ApplicationSets, expand each once.
// ApplicationSets with a git generator read the repository and are never
// cached.
type expandCache struct {
	mu      sync.Mutex
	entries map[[32]byte][]Application
}

// expand returns set's Applications, from the cache when set and the
// clusters are the same as in an earlier call.
func (c *expandCache) expand(ctx context.Context, set *ApplicationSet, opts ExpandOptions) ([]Application, error) {
	if readsRepo(set.Spec.Generators) {
		return set.Expand(ctx, opts)
	}
	key, err := expandKey(set, opts)
	if err != nil {
		return set.Expand(ctx, opts)
	}
	c.mu.Lock()
	apps, ok := c.entries[key]
	c.mu.Unlock()
	if ok {
		return slices.Clone(apps), nil
	}
	apps, err = set.Expand(ctx, opts)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.entries == nil || len(c.entries) >= expandCacheSize {
		c.entries = map[[32]byte][]Application{}
	}
	c.entries[key] = slices.Clone(apps)
	c.mu.Unlock()
	return apps, nil
}

// expandKey hashes what an expansion depends on besides the repository.
func expandKey(set *ApplicationSet, opts ExpandOptions) ([32]byte, error) {
	b, err := json.Marshal(struct {
		Set      *ApplicationSet
		File     string
		Line     int
		Clusters []Cluster
		RepoURL  string
		Revision string
	}{set, set.File, set.Line, opts.Clusters, opts.RepoURL, opts.Revision})
	if err != nil {
		return [32]byte{}, err
	}
	return sha256.Sum256(b), nil
}

// readsRepo reports whether any generator, nested ones included, is a git
// generator.
func readsRepo(gens []ApplicationSetGenerator) bool {
	for _, g := range gens {
		switch {
		case g.Git != nil:
			return true
		case g.Matrix != nil && readsRepo(g.Matrix.Generators):
			return true
		case g.Merge != nil && readsRepo(g.Merge.Generators):
			return true
		}
	}
	return false
}
