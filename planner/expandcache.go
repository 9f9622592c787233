package planner

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"sync"
	"sync/atomic"
)

// expandCacheSize bounds the ApplicationSet expansions a Planner keeps.
const expandCacheSize = 1024

// expandCache keeps the Applications an ApplicationSet expanded to, keyed
// by the ApplicationSet and the clusters it saw, not by the revision, so
// that the base and the head of a change, which share most ApplicationSets,
// expand each once. ApplicationSets with a git generator read the
// repository and are never cached.
type expandCache struct {
	mu      sync.Mutex
	entries map[[32]byte]*memoEntry[[]Application]
	// expanded counts the expansions run, cached or not.
	expanded atomic.Int64
}

// expand returns set's Applications, from the cache when set and the
// clusters are the same as in an earlier call; callers must not modify
// them. Concurrent calls for one key
// (the base and the head of a diff are discovered side by side) wait for a
// single expansion.
func (c *expandCache) expand(ctx context.Context, set *ApplicationSet, opts ExpandOptions) ([]Application, error) {
	run := func() ([]Application, error) {
		c.expanded.Add(1)
		return set.Expand(ctx, opts)
	}
	if readsRepo(set.Spec.Generators) {
		return run()
	}
	key, err := expandKey(set, opts)
	if err != nil {
		return run()
	}
	c.mu.Lock()
	if c.entries == nil || len(c.entries) >= expandCacheSize {
		c.entries = map[[32]byte]*memoEntry[[]Application]{}
	}
	e, ok := c.entries[key]
	if !ok {
		e = &memoEntry[[]Application]{}
		c.entries[key] = e
	}
	c.mu.Unlock()
	// Shared, not copied: discovery only reads the Applications (bind
	// copies what an App keeps), and a copy of a thousand costs what a
	// warm diff's discovery otherwise does.
	return e.get(ctx, run)
}

// expandKey hashes what an expansion without a git generator depends on:
// the ApplicationSet, where it is written and the clusters. The revision is
// left out: only git generators read it.
func expandKey(set *ApplicationSet, opts ExpandOptions) ([32]byte, error) {
	var whole *ApplicationSet
	if set.content == ([32]byte{}) {
		whole = set // no content hash: encode the set itself
	}
	b, err := json.Marshal(struct {
		Set      *ApplicationSet
		Content  [32]byte
		File     string
		Line     int
		Clusters []Cluster
		RepoURL  string
	}{whole, set.content, set.File, set.Line, opts.Clusters, opts.RepoURL})
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
