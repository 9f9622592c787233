package planner

import (
	"container/list"
	"io/fs"
	"sync"
	"sync/atomic"
)

// BlobIDs is a repository that names the content of each file by its Git
// object id (gitrepo.Tree does). The planner keeps what it parsed out of a
// file under that id, so that a file unchanged between two revisions, the
// base and the head of a pull request or two pull requests, is read and
// parsed once. A repository without ids is read and parsed every time.
type BlobIDs interface {
	// BlobID returns the id of the content of the file at name, following
	// symlinks as ReadFile does; false when name is no file.
	BlobID(name string) (string, bool)
}

// blobID returns the object id of the file at name in repo, when repo
// names its files' contents.
func blobID(repo fs.FS, name string) (string, bool) {
	ids, ok := repo.(BlobIDs)
	if !ok {
		return "", false
	}
	return ids.BlobID(name)
}

// parseCacheBytes bounds the estimated memory a parse cache keeps.
const parseCacheBytes = 32 << 20

// entryOverhead is what an entry costs beside its key and value: list
// element, map slot, bookkeeping.
const entryOverhead = 160

// parseCache keeps results computed from the content of files, keyed by
// what they depend on: the file's blob id, and its path where the result
// names it. Blob ids name content, so an entry never goes stale; the cache
// forgets the least recently used entries past maxBytes of estimated cost.
// Concurrent lookups of one key (the base and the head of a diff are
// discovered side by side) wait for one computation. The zero value is
// ready to use and bounded by parseCacheBytes. Safe for concurrent use.
type parseCache struct {
	// maxBytes bounds the entries' estimated cost; 0 means parseCacheBytes.
	maxBytes int64

	mu    sync.Mutex
	size  int64
	order *list.List // of *parseEntry, most recently used first
	byKey map[string]*list.Element

	// computed counts the results computed, that is, the misses.
	computed atomic.Int64
}

// parseEntry is one result, computed once.
type parseEntry struct {
	key  string
	cost int64
	once sync.Once
	v    any
	keep bool
	// done is set, under the cache's lock, once v is computed and kept.
	done bool
}

// cachedParse returns the result of parse for key, from c when an earlier
// call computed it. parse returns the value, its estimated size in bytes,
// and whether it may be kept (a failed read may not). A nil c computes
// every time.
func cachedParse[T any](c *parseCache, key string, parse func() (T, int64, bool)) T {
	if c == nil {
		v, _, _ := parse()
		return v
	}
	e := c.entry(key)
	e.once.Do(func() {
		c.computed.Add(1)
		v, cost, keep := parse()
		e.v, e.keep = v, keep
		c.settle(e, cost)
	})
	v, _ := e.v.(T)
	return v
}

// has reports whether a result for key is kept.
func (c *parseCache) has(key string) bool {
	if c == nil {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.byKey[key]
	return ok
}

// keptParse returns the result kept for key, without computing one;
// false when none is kept.
func keptParse[T any](c *parseCache, key string) (T, bool) {
	var zero T
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.byKey[key]
	if !ok || !el.Value.(*parseEntry).done {
		return zero, false
	}
	c.order.MoveToFront(el)
	v, ok := el.Value.(*parseEntry).v.(T)
	return v, ok
}

// entry returns key's entry, adding an empty one when there is none.
func (c *parseCache) entry(key string) *parseEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byKey == nil {
		c.order, c.byKey = list.New(), map[string]*list.Element{}
	}
	if el, ok := c.byKey[key]; ok {
		c.order.MoveToFront(el)
		return el.Value.(*parseEntry)
	}
	e := &parseEntry{key: key, cost: int64(len(key)) + entryOverhead}
	c.byKey[key] = c.order.PushFront(e)
	c.size += e.cost
	return e
}

// settle records e's cost once computed, drops it when it may not be kept,
// and evicts the least recently used entries past the bound.
func (c *parseCache) settle(e *parseEntry, cost int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.byKey[e.key]
	if !ok || el.Value.(*parseEntry) != e {
		return // evicted while it was computed
	}
	max := c.maxBytes
	if max <= 0 {
		max = parseCacheBytes
	}
	if !e.keep || e.cost+cost > max/4 {
		c.remove(el)
		return
	}
	e.cost += cost
	c.size += cost
	e.done = true
	for c.size > max && c.order.Len() > 0 {
		c.remove(c.order.Back())
	}
}

// remove forgets one entry; callers that already hold it keep its value.
func (c *parseCache) remove(el *list.Element) {
	e := el.Value.(*parseEntry)
	c.order.Remove(el)
	delete(c.byKey, e.key)
	c.size -= e.cost
}

// dependencyParses keeps the dependency index's parses for indexes built
// without a Planner's cache (Dependencies, and DiffRevisions until it
// hands its Planner's on). Blob ids name content in any repository, so one
// cache serves every repository and revision.
var dependencyParses parseCache

// parsedFile returns parse(dir, content of file), kept in c under file's
// path and blob id, so that a file unchanged since an earlier call is
// neither read nor parsed again. A file that does not exist or cannot be
// read gives nil, and an unreadable one is not kept.
func parsedFile(c *parseCache, repo fs.FS, file, dir string, parse func(dir string, data []byte) []string) []string {
	if file == "" {
		return nil
	}
	read := func() ([]string, bool) {
		data, err := fs.ReadFile(repo, file)
		if err != nil {
			return nil, false
		}
		return parse(dir, data), true
	}
	id, ok := blobID(repo, file)
	if !ok {
		out, _ := read()
		return out
	}
	return cachedParse(c, "deps\x00"+id+"\x00"+file, func() ([]string, int64, bool) {
		out, ok := read()
		cost := int64(0)
		for _, s := range out {
			cost += int64(len(s)) + 16
		}
		return out, cost, ok
	})
}
