package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gitwave/gitwave/config"
	"github.com/gitwave/gitwave/gitrepo"
	"github.com/gitwave/gitwave/planner"
	"github.com/gitwave/gitwave/sources"
)

// repoFlags are the flags every command that reads a repository takes.
type repoFlags struct {
	repo       string
	revision   string
	configFile string
	repoURL    string
	appsDirs   []string
	cluDirs    []string
	cacheDir   string
	kubeconfig string
	changed    []string
	base       string
	globbing   string
	lim        limitFlags
	sops       sopsFlag
	// sources and helmRepos are --source and --helm-repo, URL=LOCATION.
	sources   []string
	helmRepos []string
	// opts is not a flag: what the command tree was built with.
	opts options
}

func (f *repoFlags) bind(cmd *cobra.Command, withRevision bool) {
	fl := cmd.Flags()
	fl.StringVar(&f.repo, "repo", ".", "repository: a local directory or a Git URL (https, ssh, file://)")
	if withRevision {
		fl.StringVar(&f.revision, "revision", "", "revision to read (branch, tag, sha, HEAD~1); default: the working tree of a local directory, HEAD of a URL")
	}
	fl.StringVar(&f.configFile, "config", "", "gitwave.yaml with clusters (optional)")
	fl.StringVar(&f.repoURL, "repo-url", "", "URL the repository's Applications use for it (default: .gitwave.yaml repoURL)")
	fl.StringSliceVar(&f.appsDirs, "apps", nil, "files or folders holding the root Applications (default: .gitwave.yaml apps, else search)")
	fl.StringSliceVar(&f.cluDirs, "clusters", nil, "files or folders holding Argo CD cluster Secrets (default: .gitwave.yaml clusters, else search)")
	fl.StringVar(&f.cacheDir, "cache-dir", defaultCacheDir(), "where fetched repositories are cached")
	fl.StringVar(&f.kubeconfig, "kubeconfig", "", "a kubeconfig whose contexts are clusters, named after the context")
	f.sops.bind(cmd)
	fl.StringVar(&f.globbing, "git-file-globbing", "", "how git files generators match files[].path: default (Argo CD's, where * also crosses /) or strict (doublestar) (default: .gitwave.yaml gitFileGlobbing)")
	fl.StringArrayVar(&f.sources, "source", nil, "URL=LOCATION: read the Git repository that sources name by URL from LOCATION, a local directory or a clone URL (repeatable; adds to --config's repos[])")
	fl.StringArrayVar(&f.helmRepos, "helm-repo", nil, "URL=DIR: read the chart repository URL from DIR, a directory of packaged charts with an index.yaml (repeatable; adds to --config's helmRepos[])")
}

// bindChanged adds --changed and --base to a command that can narrow to
// the apps a change touches.
func (f *repoFlags) bindChanged(cmd *cobra.Command) {
	cmd.Flags().StringSliceVar(&f.changed, "changed", nil, "only apps whose sources these files touch")
	cmd.Flags().StringVar(&f.base, "base", "", "only apps that the change from this revision touches")
}

func defaultCacheDir() string {
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "gitwave", "git")
	}
	return filepath.Join(os.TempDir(), "gitwave-git")
}

// opened is a repository opened for reading, with the Git handle when
// there is one.
type opened struct {
	git   *gitrepo.Repo
	local string // the directory, for a local working tree
	cfg   *config.Config
	// sources reads every other repository and chart repository: --config's
	// repos[] and helmRepos[], then --source and --helm-repo.
	sources *sources.Registry
}

func (f *repoFlags) open(ctx context.Context) (*opened, error) {
	o := &opened{}
	if f.configFile != "" {
		c, err := config.Load(f.configFile)
		if err != nil {
			return nil, err
		}
		o.cfg = c
	}
	reg, err := f.registry(o.cfg)
	if err != nil {
		return nil, err
	}
	o.sources = reg
	if isLocalDir(f.repo) {
		o.local = f.repo
	}
	if o.local == "" || f.revision != "" || f.base != "" || isGitDir(f.repo) {
		g, err := gitrepo.Open(ctx, gitrepo.Options{Location: f.repo, CacheDir: f.cacheDir, Token: os.Getenv("GITWAVE_GIT_TOKEN")})
		if err != nil {
			if o.local != "" && f.revision == "" && f.base == "" {
				return o, nil // a plain directory, not a Git repository
			}
			o.Close()
			return nil, fmt.Errorf("open repository %s: %w", f.repo, err)
		}
		o.git = g
	}
	return o, nil
}

func (o *opened) Close() {
	if o.git != nil {
		_ = o.git.Close()
	}
	if o.sources != nil {
		_ = o.sources.Close()
	}
}

// registry builds the sources the flags and cfg (nil without --config)
// list. Its mirrors and charts are cached under --cache-dir/sources.
func (f *repoFlags) registry(cfg *config.Config) (*sources.Registry, error) {
	reg, err := sources.New(cfg, filepath.Join(f.cacheDir, "sources"))
	if err != nil {
		return nil, err
	}
	for _, m := range f.sources {
		url, loc, err := sources.ParseMapping(m)
		if err == nil {
			err = reg.MapSource(url, loc)
		}
		if err != nil {
			_ = reg.Close()
			return nil, usageError("--source: %v", err)
		}
	}
	for _, m := range f.helmRepos {
		url, dir, err := sources.ParseMapping(m)
		if err == nil {
			err = reg.MapHelmRepo(url, dir)
		}
		if err != nil {
			_ = reg.Close()
			return nil, usageError("--helm-repo: %v", err)
		}
	}
	return reg, nil
}

// source returns the repository at rev as the planner reads it. An empty
// rev reads the working tree of a local directory, or HEAD of a URL.
func (o *opened) source(ctx context.Context, f *repoFlags, rev string) (planner.Source, error) {
	var src planner.Source
	switch {
	case rev == "" && o.local != "":
		w, err := gitrepo.DirFS(o.local)
		if err != nil {
			return src, err
		}
		src.Repo, src.Revision = w, "working tree"
	default:
		if rev == "" {
			rev = "HEAD"
		}
		sha, err := o.git.Resolve(ctx, rev)
		if err != nil {
			return src, err
		}
		t, err := o.git.Tree(ctx, sha)
		if err != nil {
			return src, err
		}
		src.Repo, src.Revision = t, sha
	}
	rc, err := planner.LoadRepoConfig(src.Repo)
	if err != nil {
		return src, err
	}
	if len(f.appsDirs) > 0 {
		rc.Apps = f.appsDirs
	}
	if len(f.cluDirs) > 0 {
		rc.Clusters = f.cluDirs
	}
	if f.repoURL != "" {
		rc.RepoURL = f.repoURL
	}
	if f.globbing != "" {
		rc.GitFileGlobbing = planner.GitFileGlobbing(f.globbing)
		if err := rc.GitFileGlobbing.Valid(); err != nil {
			return src, usageError("--git-file-globbing: %v", err)
		}
	}
	src.Config, src.RepoURL, src.Repositories = rc, rc.RepoURL, f.opts.repositories(o.sources)
	_, src.Clusters, err = clusterConfigs(o.cfg, f.kubeconfig)
	return src, err
}

// changedFiles returns the files to narrow to: --changed, or the diff from
// --base to rev. Nil means no narrowing.
func (o *opened) changedFiles(ctx context.Context, f *repoFlags, rev string) ([]string, error) {
	if len(f.changed) > 0 || f.base == "" {
		return f.changed, nil
	}
	if rev == "" && o.local != "" {
		return nil, fmt.Errorf("--base needs --revision, or use --changed, to name what is compared")
	}
	if rev == "" {
		rev = "HEAD"
	}
	mb, err := o.git.MergeBase(ctx, f.base, rev)
	if err != nil {
		return nil, err
	}
	return o.git.ChangedFiles(ctx, mb, rev)
}

func isLocalDir(p string) bool {
	if strings.Contains(p, "://") || strings.HasPrefix(p, "git@") {
		return false
	}
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

func isGitDir(p string) bool {
	_, err := os.Stat(filepath.Join(p, "HEAD"))
	_, err2 := os.Stat(filepath.Join(p, ".git"))
	return err == nil || err2 == nil
}
