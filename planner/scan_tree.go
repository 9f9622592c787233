package planner

import (
	"context"
	"encoding/json"
	"io/fs"
	"maps"
	"slices"
)

// CommitTree is a repository tree that names the commit it belongs to
// (gitrepo.Tree does). A commit names its content, so the Planner keeps a
// scan of such a tree: the default branch that every pull request is
// compared with is scanned once, not once a pull request.
type CommitTree interface {
	Commit() string
}

// commitOf returns the commit repo's tree belongs to; "" when it names none.
func commitOf(repo fs.FS) string {
	if ct, ok := repo.(CommitTree); ok {
		return ct.Commit()
	}
	return ""
}

// scanTree scans repo, or returns the scan kept for the same commit with
// the same configuration, which callers must not change (see clone).
func (p *Planner) scanTree(ctx context.Context, repo fs.FS, cfg RepoConfig) (*scan, error) {
	commit := commitOf(repo)
	if commit == "" {
		return scanRepo(ctx, repo, cfg, &p.parses)
	}
	scope, err := json.Marshal([][]string{cfg.Exclude, cfg.Apps, cfg.Clusters})
	if err != nil {
		return scanRepo(ctx, repo, cfg, &p.parses)
	}
	sc := cachedParse(&p.parses, treeScanKey(commit, string(scope)), func() (*scan, int64, bool) {
		if sc, ok := p.derivedScan(repo, cfg, string(scope)); ok {
			return sc, sc.cost, true
		}
		sc, err := scanRepo(ctx, repo, cfg, &p.parses)
		if err != nil {
			return nil, 0, false
		}
		return sc, sc.cost, !sc.incomplete
	})
	if sc == nil {
		// Its scan was abandoned (a canceled context): scan here, which
		// reports why.
		return scanRepo(ctx, repo, cfg, &p.parses)
	}
	return sc, nil
}

// treeScanKey is the parse cache key of the scan of commit's tree with
// the configuration scope names.
func treeScanKey(commit, scope string) string {
	return "tree\x00" + commit + "\x00" + scope
}

// clone returns a copy of s that discovery may change without changing s.
func (s *scan) clone() *scan {
	out := &scan{ArgoFiles: slices.Clone(s.ArgoFiles), cost: s.cost, incomplete: s.incomplete, unchangedSince: s.unchangedSince}
	out.Manifests = make([]manifest, len(s.Manifests))
	for i, m := range s.Manifests {
		m.Obj = m.Obj.DeepCopy()
		out.Manifests[i] = m
	}
	out.Clusters = make([]Cluster, len(s.Clusters))
	for i, c := range s.Clusters {
		c.Labels, c.Annotations = maps.Clone(c.Labels), maps.Clone(c.Annotations)
		c.Aliases = slices.Clone(c.Aliases)
		out.Clusters[i] = c
	}
	out.Errors = make([]error, len(s.Errors))
	for i, e := range s.Errors {
		if re, ok := e.(*RenderError); ok {
			c := *re
			e = &c
		}
		out.Errors[i] = e
	}
	return out
}
