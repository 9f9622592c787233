package policies

import (
	"hash/maphash"
	"slices"
	"sync"
)

// cacheMinGroups is the number of groups from which a subject's rule set is
// remembered: below it, merging the sets again costs less than the lookup.
const cacheMinGroups = 8

// subjectCacheSize bounds the subjects remembered per Policy.
const subjectCacheSize = 256

// subjectCache remembers the merged rule sets of recent subjects with many
// groups, so that a bot asking about the same author again does not merge
// hundreds of group closures each time. A Policy never changes, so an entry
// never goes stale; a new policy file comes with a new, empty cache.
type subjectCache struct {
	mu      sync.Mutex
	seed    maphash.Seed
	entries map[uint64]cachedSubject
}

// cachedSubject is a subject exactly as given and its rule set; the subject
// is compared on lookup, so a hash collision costs a merge, never a wrong
// answer.
type cachedSubject struct {
	subject Subject
	rules   *ruleSet
}

// hash hashes the subject as given, one name at a time, without copying.
func (c *subjectCache) hash(s Subject) uint64 {
	h := maphash.String(c.seed, s.Login)
	for _, g := range s.Groups {
		h = (h ^ maphash.String(c.seed, g)) * 0x9e3779b97f4a7c15
	}
	return h
}

// get returns the remembered rule set of s, and the hash to put it under.
func (c *subjectCache) get(s Subject) (*ruleSet, uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.seed = maphash.MakeSeed()
		c.entries = map[uint64]cachedSubject{}
	}
	key := c.hash(s)
	e, ok := c.entries[key]
	if ok && e.subject.Login == s.Login && slices.Equal(e.subject.Groups, s.Groups) {
		return e.rules, key
	}
	return nil, key
}

// put remembers rs for s, forgetting an arbitrary entry when full.
func (c *subjectCache) put(key uint64, s Subject, rs *ruleSet) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= subjectCacheSize {
		for k := range c.entries {
			delete(c.entries, k)
			break
		}
	}
	c.entries[key] = cachedSubject{subject: Subject{Login: s.Login, Groups: slices.Clone(s.Groups)}, rules: rs}
}
