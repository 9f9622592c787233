package bot

import (
	"sync"
	"time"
)

// GroupCache remembers a user's teams or groups per (owner, user) for a
// while, so that checking a policy does not ask the Git host every time.
// The host adapters share it. A negative TTL caches nothing.
type GroupCache struct {
	ttl     time.Duration
	mu      sync.Mutex
	entries map[[2]string]groupEntry
}

type groupEntry struct {
	groups  []string
	expires time.Time
}

// NewGroupCache returns a cache whose entries live for ttl.
func NewGroupCache(ttl time.Duration) *GroupCache {
	return &GroupCache{ttl: ttl, entries: map[[2]string]groupEntry{}}
}

// Get returns a copy of the cached groups of user in owner, if fresh.
func (c *GroupCache) Get(owner, user string) ([]string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[[2]string{owner, user}]
	if !ok || time.Now().After(e.expires) {
		return nil, false
	}
	return append([]string(nil), e.groups...), true
}

// Put caches the groups of user in owner.
func (c *GroupCache) Put(owner, user string, groups []string) {
	if c.ttl < 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries[[2]string{owner, user}] = groupEntry{groups: append([]string(nil), groups...), expires: time.Now().Add(c.ttl)}
}
