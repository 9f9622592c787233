package main

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gitwave/gitwave/config"
	"github.com/gitwave/gitwave/gitrepo"
	"github.com/gitwave/gitwave/planner"
	"github.com/gitwave/gitwave/sources"
)

// changedRepoURL returns the repository `diff --changed URL` names, or ""
// when --changed lists files.
func (f *diffFlags) changedRepoURL() string {
	if len(f.changed) == 1 && (strings.Contains(f.changed[0], "://") || strings.HasPrefix(f.changed[0], "git@")) {
		return f.changed[0]
	}
	return ""
}

// runSourceDiff diffs a change in a source repository, --base to --head of
// the repository --changed names, against the apps that read it: the apps
// --repo defines at --revision whose sources read one of the changed files
// at the branch --base names. The change is compared from where --head
// forked off --base, as a pull request is.
func runSourceDiff(cmd *cobra.Command, f *diffFlags, url string) error {
	ctx := cmd.Context()
	if f.live {
		return exitWith(2, usageError("--live does not combine with --changed URL"))
	}
	o, err := f.open(ctx)
	if err != nil {
		return exitWith(2, err)
	}
	defer o.Close()
	rev := f.revision
	if rev == "" && o.git != nil {
		rev = "HEAD"
	}
	roots, err := o.source(ctx, &f.repoFlags, rev)
	if err != nil {
		return exitWith(2, err)
	}
	ch, err := openChange(ctx, f, o.cfg, url)
	if err != nil {
		return exitWith(2, err)
	}
	defer ch.git.Close()
	base, head := roots, roots
	base.Repositories = &changePin{inner: o.sources, url: url, target: ch.baseTip, tree: ch.baseTree, sha: ch.mergeBase}
	head.Repositories = &changePin{inner: o.sources, url: url, target: ch.baseTip, tree: ch.headTree, sha: ch.head}
	lim, err := f.lim.limits(o.cfg)
	if err != nil {
		return err
	}
	ageKeys, err := f.sops.keys(o.cfg)
	if err != nil {
		return exitWith(2, err)
	}
	p := f.opts.newPlanner(lim, ageKeys)
	inv, err := p.Discover(ctx, base)
	if err != nil {
		return exitWith(2, err)
	}
	pin := base.Repositories.(*changePin)
	keys, names := map[planner.AppKey]bool{}, []string{}
	for _, a := range inv.AppsReading(url, ch.files) {
		if pin.readsTarget(ctx, a) && (len(f.apps) == 0 || slices.Contains(f.apps, a.Name)) {
			keys[a.Key()] = true
			names = append(names, a.Name)
		}
	}
	rep := &planner.Report{Base: ch.mergeBase, Head: ch.head}
	if len(names) > 0 {
		if rep, err = p.DiffRevisions(ctx, base, head, planner.DiffOptions{Apps: names, Clusters: f.clusters}); err != nil {
			return exitWith(2, err)
		}
		rep.Apps = slices.DeleteFunc(rep.Apps, func(d planner.AppDiff) bool { return !keys[d.App] })
		rep.CollectSources()
		rep.Base, rep.Head = ch.mergeBase, ch.head
	}
	return finishDiff(cmd, rep, f)
}

// sourceChange is --base to --head of a source repository.
type sourceChange struct {
	git                      *gitrepo.Repo
	baseTip, mergeBase, head string
	files                    []string
	baseTree, headTree       fs.FS
}

// openChange opens the repository url (its --source location, else its
// repos[] URL) and reads the change.
func openChange(ctx context.Context, f *diffFlags, cfg *config.Config, url string) (*sourceChange, error) {
	loc := locationOf(f.sources, cfg, url)
	if loc == "" {
		return nil, &planner.UnlistedSourceError{RepoURL: url}
	}
	g, err := gitrepo.Open(ctx, gitrepo.Options{Location: loc, CacheDir: f.cacheDir, Token: os.Getenv("GITWAVE_GIT_TOKEN")})
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", url, err)
	}
	ch := &sourceChange{git: g}
	if err := ch.read(ctx, f.base, firstNonEmpty(f.head, "HEAD")); err != nil {
		g.Close()
		return nil, fmt.Errorf("%s: %w", url, err)
	}
	return ch, nil
}

// read resolves the change's commits, files and trees.
func (ch *sourceChange) read(ctx context.Context, base, head string) error {
	var err error
	if ch.baseTip, err = ch.git.Resolve(ctx, base); err != nil {
		return err
	}
	if ch.head, err = ch.git.Resolve(ctx, head); err != nil {
		return err
	}
	if ch.mergeBase, err = ch.git.MergeBase(ctx, ch.baseTip, ch.head); err != nil {
		return err
	}
	if ch.files, err = ch.git.ChangedFiles(ctx, ch.mergeBase, ch.head); err != nil {
		return err
	}
	if ch.baseTree, err = ch.git.Tree(ctx, ch.mergeBase); err != nil {
		return err
	}
	ch.headTree, err = ch.git.Tree(ctx, ch.head)
	return err
}

// locationOf is where url is read from: the last --source mapping of it,
// else its repos[] entry's URL.
func locationOf(mappings []string, cfg *config.Config, url string) string {
	loc := ""
	for _, m := range mappings {
		if u, l, err := sources.ParseMapping(m); err == nil && config.RepoKey(u) == config.RepoKey(url) {
			loc = l
		}
	}
	if loc == "" && cfg != nil {
		for _, r := range cfg.Repos {
			if config.RepoKey(r.URL) == config.RepoKey(url) {
				loc = r.URL
			}
		}
	}
	return loc
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// changePin reads url, wherever a source names a revision that resolves to
// target (the tip of the branch the change targets), at sha instead; every
// other source as inner reads it.
type changePin struct {
	inner  planner.Repositories
	url    string
	target string
	tree   fs.FS
	sha    string
}

// Tree reads the pinned tree for the target branch.
func (c *changePin) Tree(ctx context.Context, repoURL, rev string) (fs.FS, string, error) {
	t, sha, err := c.inner.Tree(ctx, repoURL, rev)
	if err == nil && config.RepoKey(repoURL) == config.RepoKey(c.url) && sha == c.target {
		return c.tree, c.sha, nil
	}
	return t, sha, err
}

// Chart is inner's.
func (c *changePin) Chart(ctx context.Context, repoURL, name, version string, maxBytes int64) (planner.ChartArchive, error) {
	return c.inner.Chart(ctx, repoURL, name, version, maxBytes)
}

// readsTarget reports whether one of app's Git sources of url names a
// revision at the target branch's tip.
func (c *changePin) readsTarget(ctx context.Context, app *planner.App) bool {
	return slices.ContainsFunc(app.Spec.AllSources(), func(s planner.ApplicationSource) bool {
		if s.Chart != "" || config.RepoKey(s.RepoURL) != config.RepoKey(c.url) {
			return false
		}
		_, sha, err := c.inner.Tree(ctx, s.RepoURL, s.TargetRevision)
		return err == nil && sha == c.target
	})
}
