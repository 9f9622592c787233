package planner

import (
	"io/fs"
	"slices"
)

// repoLink is a symbolic link of a repository and the path it leads to,
// every link on the way followed.
type repoLink struct {
	path, target string
}

// followLinks returns deps with where their symbolic links lead added: the
// path a dependency resolves to when it passes through a link, and the
// target of every link that lies under a dependency, then the same for
// those targets. A render reads through links, so a change to a link's
// target changes the app as much as one to the link's own folder. A
// repository known to hold no link returns deps as they are.
func (x *dependencyIndex) followLinks(deps []string) []string {
	if x.symlinkFree() {
		return deps
	}
	links := x.links()
	if len(links) == 0 {
		return deps
	}
	out := slices.Clone(deps)
	seen := make(map[string]bool, len(out))
	for _, d := range out {
		seen[d] = true
	}
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	for i := 0; i < len(out); i++ { // out grows with the targets found
		if r, err := ResolveRepoPath(x.repo, out[i]); err == nil {
			add(r)
		}
		for _, l := range links {
			if pathUnder(l.path, out[i]) {
				add(l.target)
			}
		}
	}
	return out
}

// links lists the repository's symbolic links whose targets lie in it,
// walking the tree once.
func (x *dependencyIndex) links() []repoLink {
	x.linksListOnce.Do(func() {
		_ = fs.WalkDir(x.repo, ".", func(p string, d fs.DirEntry, err error) error {
			switch {
			case err != nil:
				return nil // an unreadable folder: its renders report it
			case d.IsDir() && d.Name() == ".git":
				return fs.SkipDir
			case d.Type()&fs.ModeSymlink != 0:
				if target, err := ResolveRepoPath(x.repo, p); err == nil {
					x.linkList = append(x.linkList, repoLink{path: p, target: target})
				}
			}
			return nil
		})
	})
	return x.linkList
}
