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

// decodedApp is toApplication's result, kept by content.
type decodedApp struct {
	app Application
	err error
}

// decodeApplication is toApplication, kept in the Planner's parse cache
// by the scanned file's content key, so that an Application unchanged
// between the base and the head of a change, or between pull requests, is
// decoded once and both hold the same sources: the warm diff's same-app
// and dependency shortcuts then apply to it as to an ApplicationSet's
// apps. A manifest with no content key (a rendered child) is decoded
// anew. Callers get their own copy of the top level; what it points to
// (sources, maps) is shared and must not be changed.
func (p *Planner) decodeApplication(m manifest) (Application, error) {
	if m.content == "" {
		return toApplication(m.Obj)
	}
	d := cachedParse(&p.parses, "app\x00"+m.content, func() (decodedApp, int64, bool) {
		a, err := toApplication(m.Obj)
		// Decoded, an Application takes a few KiB.
		return decodedApp{app: a, err: err}, 4096, true
	})
	return d.app, d.err
}
