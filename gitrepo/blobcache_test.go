package gitrepo

import (
	"fmt"
	"testing"
)

func TestBlobCacheEvictsLeastRecentlyUsed(t *testing.T) {
	c := newBlobCache(40)
	for i := 0; i < 4; i++ {
		c.put(fmt.Sprint(i), []byte("0123456789"))
	}
	if _, ok := c.get("0"); !ok { // 0 becomes the most recent
		t.Fatal("blob 0 missing while within the bound")
	}
	c.put("4", []byte("0123456789"))
	if _, ok := c.get("1"); ok {
		t.Error("blob 1 should have been evicted as least recently used")
	}
	for _, oid := range []string{"0", "2", "3", "4"} {
		if _, ok := c.get(oid); !ok {
			t.Errorf("blob %s evicted too early", oid)
		}
	}
	got, _ := c.get("4")
	got[0] = 'X'
	again, _ := c.get("4")
	if string(again) != "0123456789" {
		t.Error("a caller's change to a returned blob reached the cache")
	}
	c.put("big", make([]byte, 11))
	if _, ok := c.get("big"); ok {
		t.Error("a blob over a quarter of the bound must not be cached")
	}
}
