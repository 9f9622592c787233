package planner

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

// maxSymlinkHops bounds how many symbolic links ResolveRepoPath follows
// before it reports a loop.
const maxSymlinkHops = 40

// RepoPath joins rel onto base, both slash-separated paths relative to the
// repository root, and returns the cleaned result ("." for the root). It
// refuses an absolute rel and any rel that climbs above the repository
// root once cleaned ("../../etc/passwd"), so that no renderer ever names a
// file outside the repository. It does not look at the file system; use
// ResolveRepoPath to also refuse symbolic links that leave the repository.
func RepoPath(base, rel string) (string, error) {
	if rel == "" {
		rel = "."
	}
	if strings.HasPrefix(rel, "/") || isWindowsAbs(rel) {
		return "", fmt.Errorf("path %q is absolute: paths must be relative to the repository", rel)
	}
	base = strings.TrimPrefix(path.Clean("/"+base), "/")
	joined := path.Join(base, rel)
	if joined == ".." || strings.HasPrefix(joined, "../") {
		return "", fmt.Errorf("path %q escapes the repository", rel)
	}
	if joined == "" {
		joined = "."
	}
	return joined, nil
}

// isWindowsAbs reports whether p looks like "C:\..." or "C:/...", which a
// manifest written on Windows may carry.
func isWindowsAbs(p string) bool {
	return len(p) >= 3 && p[1] == ':' && (p[2] == '/' || p[2] == '\\') &&
		(p[0] >= 'a' && p[0] <= 'z' || p[0] >= 'A' && p[0] <= 'Z')
}

// ResolveRepoPath follows every symbolic link on the way to p, a cleaned
// repository path as RepoPath returns, and returns the path it resolves to.
// A link whose target is absolute or leads above the repository root is an
// error naming p. File systems that do not implement fs.ReadLinkFS have no
// links to follow and p is returned unchanged. A path that does not exist is
// not an error here: the caller's read reports it.
func ResolveRepoPath(fsys fs.FS, p string) (string, error) {
	rl, ok := fsys.(fs.ReadLinkFS)
	if !ok || p == "." {
		return p, nil
	}
	pending := strings.Split(p, "/")
	done := "."
	for hops := 0; len(pending) > 0; {
		next := path.Join(done, pending[0])
		pending = pending[1:]
		info, err := rl.Lstat(next)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return path.Join(append([]string{next}, pending...)...), nil
			}
			return "", fmt.Errorf("inspect %s: %w", next, err)
		}
		if info.Mode()&fs.ModeSymlink == 0 {
			done = next
			continue
		}
		if hops++; hops > maxSymlinkHops {
			return "", fmt.Errorf("path %q: too many symbolic links", p)
		}
		target, err := rl.ReadLink(next)
		if err != nil {
			return "", fmt.Errorf("read symbolic link %s: %w", next, err)
		}
		resolved, err := RepoPath(done, target)
		if err != nil {
			return "", fmt.Errorf("path %q: symbolic link %s -> %s leaves the repository", p, next, target)
		}
		// Re-walk the link's target, which may itself hold links.
		pending = append(strings.Split(resolved, "/"), pending...)
		done = "."
	}
	return done, nil
}

// repoFile resolves rel against base with RepoPath and ResolveRepoPath: the
// one way renderers turn a path written in a manifest into a file to read.
func repoFile(fsys fs.FS, base, rel string) (string, error) {
	p, err := RepoPath(base, rel)
	if err != nil {
		return "", err
	}
	return ResolveRepoPath(fsys, p)
}

// isRemoteRef reports whether a path written in a manifest names something
// outside the repository: a URL, an scp-style Git address, or a Go-getter
// style "github.com/org/repo//dir" reference.
func isRemoteRef(ref string) bool {
	switch {
	case strings.Contains(ref, "://"):
		return true
	case strings.HasPrefix(ref, "git@") || strings.HasPrefix(ref, "git::"):
		return true
	case strings.HasPrefix(ref, "github.com/") || strings.HasPrefix(ref, "gitlab.com/") ||
		strings.HasPrefix(ref, "bitbucket.org/"):
		return true
	case strings.Contains(ref, "?ref=") || strings.Contains(ref, "?version="):
		return true
	}
	return false
}
