package bot

import (
	"context"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
)

// maxGroupCacheEntries bounds a GroupCache: when full, expired entries are
// dropped, and if none are, everything is.
const maxGroupCacheEntries = 100_000

// membershipLookups is how many membership questions one Members call asks
// the host at a time.
const membershipLookups = 4

// GroupCache remembers for a while whether a user is an active member of a
// team or group, so that checking a policy does not ask the Git host every
// time. An entry is per (group, user), where the group is the host's full
// name for it ("acme/order-team"): policies spelling it bare or qualified
// share the entry. The host adapters share the type. A negative TTL caches
// nothing.
type GroupCache struct {
	ttl     time.Duration
	mu      sync.Mutex
	entries map[[2]string]memberEntry
}

type memberEntry struct {
	member  bool
	expires time.Time
}

// NewGroupCache returns a cache whose entries live for ttl.
func NewGroupCache(ttl time.Duration) *GroupCache {
	return &GroupCache{ttl: ttl, entries: map[[2]string]memberEntry{}}
}

// Get returns whether user is a member of group, if a fresh answer is cached.
func (c *GroupCache) Get(group, user string) (member, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[[2]string{group, user}]
	if !ok || time.Now().After(e.expires) {
		return false, false
	}
	return e.member, true
}

// Put caches whether user is a member of group.
func (c *GroupCache) Put(group, user string, member bool) {
	if c.ttl < 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	if len(c.entries) >= maxGroupCacheEntries {
		for k, e := range c.entries {
			if now.After(e.expires) {
				delete(c.entries, k)
			}
		}
		if len(c.entries) >= maxGroupCacheEntries {
			clear(c.entries)
		}
	}
	c.entries[[2]string{group, user}] = memberEntry{member: member, expires: now.Add(c.ttl)}
}

// Membership is how a host adapter answers Host.Groups: Resolve maps a name
// as a policy spells it to the host's full name of the group, or reports
// false for a name that cannot be a group there (it is never asked about);
// Member asks the host whether the user is an active member of that group.
type Membership struct {
	Resolve func(name string) (group string, ok bool)
	Member  func(ctx context.Context, group string) (bool, error)
}

// Members returns the names in named whose group user is an active member
// of, in the order and spelling of named. It asks m.Member once per group
// not cached, a few at a time, and caches every answer. Any failure to ask
// is an error: a deny granted through a group must not be escaped by a host
// outage.
func (c *GroupCache) Members(ctx context.Context, user string, named []string, m Membership) ([]string, error) {
	groups := make([]string, len(named))
	member := map[string]bool{}
	var ask []string
	for i, name := range named {
		g, ok := m.Resolve(name)
		if !ok {
			continue
		}
		groups[i] = g
		if _, seen := member[g]; seen {
			continue
		}
		cached, ok := c.Get(g, user)
		member[g] = cached
		if !ok {
			ask = append(ask, g)
		}
	}
	answers := make([]bool, len(ask))
	eg, ctx := errgroup.WithContext(ctx)
	eg.SetLimit(membershipLookups)
	for i, g := range ask {
		eg.Go(func() error {
			ok, err := m.Member(ctx, g)
			answers[i] = ok
			return err
		})
	}
	if err := eg.Wait(); err != nil {
		return nil, err
	}
	for i, g := range ask {
		member[g] = answers[i]
		c.Put(g, user, answers[i])
	}
	var out []string
	for i, name := range named {
		if groups[i] != "" && member[groups[i]] {
			out = append(out, name)
		}
	}
	return out, nil
}

// IsGroupName reports whether s can be one part of a team or group name
// on a Git host: a GitHub organization or team slug, or a segment of a
// GitLab group path (ASCII letters, digits, "-", "_" and ".", and neither
// "." nor ".."), so that a policy name never becomes another API path.
func IsGroupName(s string) bool {
	if s == "" || s == "." || s == ".." {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}
