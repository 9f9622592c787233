package gitrepo

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

// resolve follows the symlinks on the way to name inside the working tree
// and returns the clean path it leads to. A symlink as the last component
// is followed only when followLast is set. A path that leads through .git,
// directly or through a symlink ("cfg -> .git/config"), does not exist for
// the caller; one that leaves the root wraps ErrOutsideRepo. Components that
// do not exist end the walk: the caller's own operation reports them.
func (w *WorkDir) resolve(op, name string, followLast bool) (string, error) {
	if err := checkName(op, name); err != nil {
		return "", err
	}
	fail := func(err error) (string, error) {
		return "", &fs.PathError{Op: op, Path: name, Err: err}
	}
	var pending []pathPart
	if name != "." {
		pending = splitParts(name, "")
	}
	var stack []string
	for hops := 0; len(pending) > 0; {
		part := pending[0]
		pending = pending[1:]
		switch part.name {
		case "", ".":
			continue
		case "..":
			if len(stack) == 0 {
				return fail(fmt.Errorf("symlink %s: %w", part.from, ErrOutsideRepo))
			}
			stack = stack[:len(stack)-1]
			continue
		case ".git":
			return fail(fs.ErrNotExist)
		}
		stack = append(stack, part.name)
		current := strings.Join(stack, "/")
		info, err := w.root.Lstat(current)
		if errors.Is(err, fs.ErrNotExist) {
			return strings.Join(append(stack, partNames(pending)...), "/"), nil
		}
		if err != nil {
			return fail(outsideRoot(err))
		}
		if info.Mode()&fs.ModeSymlink == 0 || (len(pending) == 0 && !followLast) {
			continue
		}
		if hops++; hops > maxSymlinkHops {
			return fail(fmt.Errorf("symlink %s: too many levels of symbolic links", current))
		}
		target, err := w.root.Readlink(current)
		if err != nil {
			return fail(err)
		}
		if path.IsAbs(target) {
			return fail(fmt.Errorf("symlink %s -> %s: %w", current, target, ErrOutsideRepo))
		}
		stack = stack[:len(stack)-1]
		pending = append(splitParts(target, current), pending...)
	}
	if len(stack) == 0 {
		return ".", nil
	}
	return strings.Join(stack, "/"), nil
}

// partNames returns the names of parts.
func partNames(parts []pathPart) []string {
	out := make([]string, len(parts))
	for i, p := range parts {
		out[i] = p.name
	}
	return out
}
