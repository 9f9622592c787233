package planner

import (
	"fmt"
	"io/fs"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// GitFileGlobbing selects how the git files generator matches files[].path.
type GitFileGlobbing string

const (
	// GitFileGlobbingDefault is Argo CD's default: patterns match as
	// `git ls-files -- PATTERN` does, "*" also crossing "/", so
	// "some-path/*.yaml" matches "some-path/staging/config.yaml" and a
	// pattern naming a directory matches every file below it. The empty
	// value means the same.
	GitFileGlobbingDefault GitFileGlobbing = "default"
	// GitFileGlobbingStrict is the doublestar matching Argo CD enables with
	// --enable-new-git-file-globbing: "*" stays within one directory and
	// "**" crosses directories.
	GitFileGlobbingStrict GitFileGlobbing = "strict"
)

// Valid reports an error for a value other than "", default and strict.
func (g GitFileGlobbing) Valid() error {
	switch g {
	case "", GitFileGlobbingDefault, GitFileGlobbingStrict:
		return nil
	}
	return fmt.Errorf("gitFileGlobbing %q: want default or strict", string(g))
}

// gitMatchFiles returns the files that an included pattern matches and no
// excluded one does, sorted. Both kinds of pattern match with the same
// rules, as in Argo CD, where an exclude lists files like an include does.
func gitMatchFiles(repo fs.FS, items []GitFileGeneratorItem, mode GitFileGlobbing) ([]string, error) {
	if err := mode.Valid(); err != nil {
		return nil, err
	}
	match := doublestarMatcher
	if mode != GitFileGlobbingStrict {
		var listed []string
		match = func(repo fs.FS, pattern string) ([]string, error) {
			if listed == nil {
				var err error
				if listed, err = gitListFiles(repo); err != nil {
					return nil, err
				}
			}
			return pathspecFilter(listed, pattern)
		}
	}
	found := map[string]bool{}
	for _, exclude := range []bool{false, true} {
		for i, f := range items {
			if f.Exclude != exclude {
				continue
			}
			files, err := match(repo, f.Path)
			if err != nil {
				return nil, fmt.Errorf("files[%d]: %w", i, err)
			}
			for _, m := range files {
				if exclude {
					delete(found, m)
				} else {
					found[m] = true
				}
			}
		}
	}
	return sortedMapKeys(found), nil
}

// gitListFiles lists the repository's files as Git tracks them: symbolic
// links included, directories behind a link not descended into.
func gitListFiles(repo fs.FS) ([]string, error) {
	out := []string{}
	err := fs.WalkDir(repo, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, p)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list repository files: %w", err)
	}
	return out, nil
}

// pathspecFilter keeps the files that pattern matches as a git pathspec.
func pathspecFilter(files []string, pattern string) ([]string, error) {
	for strings.HasPrefix(pattern, "./") {
		pattern = strings.TrimLeft(pattern[2:], "/")
	}
	if _, err := RepoPath("", pattern); err != nil {
		return nil, fmt.Errorf("pattern %q: %w", pattern, err)
	}
	var out []string
	for _, f := range files {
		if pathspecMatch(pattern, f) {
			out = append(out, f)
		}
	}
	return out, nil
}

// doublestarMatcher globs pattern over the repository's files with
// doublestar ("*" within a directory, "**" across directories).
func doublestarMatcher(repo fs.FS, pattern string) ([]string, error) {
	if !doublestar.ValidatePattern(pattern) {
		return nil, fmt.Errorf("bad pattern %q", pattern)
	}
	matches, err := doublestar.Glob(repo, pattern, doublestar.WithFilesOnly())
	if err != nil {
		return nil, fmt.Errorf("glob %q: %w", pattern, err)
	}
	return matches, nil
}
