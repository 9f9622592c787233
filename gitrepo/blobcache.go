package gitrepo

import (
	"container/list"
	"sync"
)

// blobCacheBytes bounds the content kept by a Repo's blob cache.
const blobCacheBytes = 64 << 20

// blobCache keeps recently read blobs by object id. Blobs never change, so
// two trees of one repository (a pull request's base and head) share every
// file they have in common and read it from Git once.
type blobCache struct {
	mu    sync.Mutex
	max   int
	size  int
	order *list.List // of *cachedBlob, most recent first
	byOID map[string]*list.Element
}

type cachedBlob struct {
	oid  string
	data []byte
}

func newBlobCache(max int) *blobCache {
	return &blobCache{max: max, order: list.New(), byOID: map[string]*list.Element{}}
}

// get returns a copy of a cached blob.
func (c *blobCache) get(oid string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.byOID[oid]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(el)
	return append([]byte(nil), el.Value.(*cachedBlob).data...), true
}

// has reports whether a blob is cached.
func (c *blobCache) has(oid string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.byOID[oid]
	return ok
}

// put keeps a copy of a blob, evicting the least recently used ones past
// the size bound. A blob larger than a quarter of the bound is not kept.
func (c *blobCache) put(oid string, data []byte) {
	if len(data) > c.max/4 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.byOID[oid]; ok {
		return
	}
	c.byOID[oid] = c.order.PushFront(&cachedBlob{oid: oid, data: append([]byte(nil), data...)})
	c.size += len(data)
	for c.size > c.max {
		last := c.order.Back()
		b := last.Value.(*cachedBlob)
		c.order.Remove(last)
		delete(c.byOID, b.oid)
		c.size -= len(b.data)
	}
}
