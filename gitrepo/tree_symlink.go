package gitrepo

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

// ErrOutsideRepo is wrapped by the error of every read through a symlink
// whose target leaves the repository: an absolute target, or one whose ".."
// climbs above the root. The error names the symlink.
var ErrOutsideRepo = errors.New("target is outside the repository")

// maxSymlinkHops bounds how many symlinks one path may go through, as
// Linux's MAXSYMLINKS does.
const maxSymlinkHops = 40

// pathPart is one component still to resolve and the symlink whose target it
// came from ("" for the caller's own path).
type pathPart struct {
	name, from string
}

// resolve follows the symlinks in name, inside the tree, and returns the
// clean path it leads to and its entry. A symlink as the last component is
// followed only when followLast is set. Errors are *fs.PathError with op and
// name.
func (t *Tree) resolve(op, name string, followLast bool) (string, *entry, error) {
	if !fs.ValidPath(name) {
		return "", nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	fail := func(err error) (string, *entry, error) {
		return "", nil, &fs.PathError{Op: op, Path: name, Err: err}
	}
	var pending []pathPart
	if name != "." {
		pending = splitParts(name, "")
	}
	var stack []string
	hops := 0
	for len(pending) > 0 {
		part := pending[0]
		pending = pending[1:]
		switch part.name {
		case "", ".":
			continue
		case "..":
			if len(stack) == 0 {
				return fail(fmt.Errorf("symlink %s -> %s: %w", part.from, t.cachedLink(part.from), ErrOutsideRepo))
			}
			stack = stack[:len(stack)-1]
			continue
		}
		stack = append(stack, part.name)
		current := strings.Join(stack, "/")
		e, ok := t.entries[current]
		if !ok {
			return fail(fs.ErrNotExist)
		}
		if e.kind == kindSymlink && (len(pending) > 0 || followLast) {
			if hops++; hops > maxSymlinkHops {
				return fail(fmt.Errorf("symlink %s: too many levels of symbolic links", current))
			}
			target, err := t.linkTarget(e)
			if err != nil {
				return fail(fmt.Errorf("symlink %s: %w", current, err))
			}
			if path.IsAbs(target) {
				return fail(fmt.Errorf("symlink %s -> %s: %w", current, target, ErrOutsideRepo))
			}
			stack = stack[:len(stack)-1]
			pending = append(splitParts(target, current), pending...)
			continue
		}
		if len(pending) > 0 && !e.isDir() {
			return fail(fmt.Errorf("%s is not a directory: %w", current, fs.ErrNotExist))
		}
	}
	if len(stack) == 0 {
		return ".", t.entries["."], nil
	}
	clean := strings.Join(stack, "/")
	return clean, t.entries[clean], nil
}

// splitParts splits a slash-separated path into parts that came from the
// symlink from.
func splitParts(p, from string) []pathPart {
	names := strings.Split(p, "/")
	parts := make([]pathPart, len(names))
	for i, n := range names {
		parts[i] = pathPart{name: n, from: from}
	}
	return parts
}

// linkTarget returns a symlink's target, read once and cached.
func (t *Tree) linkTarget(e *entry) (string, error) {
	t.linkMu.Lock()
	target, ok := t.links[e.oid]
	t.linkMu.Unlock()
	if ok {
		return target, nil
	}
	data, err := t.repo.blobs.read(context.Background(), e.oid)
	if err != nil {
		return "", err
	}
	target = string(data)
	t.linkMu.Lock()
	t.links[e.oid] = target
	t.linkMu.Unlock()
	return target, nil
}

// cachedLink returns the target of the symlink at name, already read by
// resolve, for error messages.
func (t *Tree) cachedLink(name string) string {
	e, ok := t.entries[name]
	if !ok {
		return "?"
	}
	t.linkMu.Lock()
	defer t.linkMu.Unlock()
	return t.links[e.oid]
}
