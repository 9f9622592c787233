package planner

import (
	"crypto/sha256"
	"encoding/json"
)

// decodedSet is toApplicationSet's result, kept by content.
type decodedSet struct {
	set *ApplicationSet
	err error
}

// decodeAppSet is toApplicationSet, kept in the Planner's parse cache by
// the manifest's content, so that an ApplicationSet unchanged between the
// base and the head of a change, or between pull requests, is decoded
// once. Callers get their own copy of the set's top level (File and Line
// are theirs to set); what it points to is shared and must not be changed.
func (p *Planner) decodeAppSet(m manifest) (*ApplicationSet, error) {
	u := m.Obj
	var sum [32]byte
	var size int
	if m.content != "" {
		// A scanned file's content and path and the document's index
		// name the object without encoding it.
		sum, size = sha256.Sum256([]byte(m.content)), 4096
	} else {
		b, err := json.Marshal(u.Object)
		if err != nil {
			return toApplicationSet(u)
		}
		sum, size = sha256.Sum256(b), len(b)
	}
	d := cachedParse(&p.parses, "appset\x00"+string(sum[:]), func() (decodedSet, int64, bool) {
		set, err := toApplicationSet(u)
		if set != nil {
			set.content = sum
		}
		// Decoded, a set takes a few times the bytes of its JSON.
		return decodedSet{set: set, err: err}, 4 * int64(size), true
	})
	if d.err != nil || d.set == nil {
		return nil, d.err
	}
	set := *d.set
	return &set, nil
}
