package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/gitwave/gitwave/applier"
	"github.com/gitwave/gitwave/bot"
	"github.com/gitwave/gitwave/bot/github"
	"github.com/gitwave/gitwave/bot/hostfake"
	"github.com/gitwave/gitwave/config"
	"github.com/gitwave/gitwave/gitrepo"
	"github.com/gitwave/gitwave/hack/examplerepo"
	"github.com/gitwave/gitwave/planner"
	"github.com/gitwave/gitwave/reconcile"
	"github.com/gitwave/gitwave/sources"
	"github.com/gitwave/gitwave/store"
)

// guide is the guide's three repositories served by a gitwave of their
// own (store, fleet, GitHub double) on the same clusters.
type guide struct {
	repos *examplerepo.Guide
	store *store.Store
	fleet *applier.Fleet
	reg   *sources.Registry
	host  *host
}

// guideApps is the source repository whose pull request the demo follows.
var guideApps = examplerepo.GuideOwner + "/" + examplerepo.GuideApps

// guidePR builds the guide's repositories, deploys payment-service from
// their main branches, and then opens and merges pull request 1 in
// org/k8s-apps, which holds no Application: gitwave comments the apps of
// org/k8s-gitops that read the change, and the merge deploys them.
func (d *demo) guidePR(ctx context.Context) error {
	g, err := d.startGuide(ctx)
	if err != nil {
		return err
	}
	d.guide = g
	if err := g.deployPaymentService(ctx, d); err != nil {
		return err
	}
	h, pr := g.host, g.repos.PR
	fmt.Printf("pull request #1 in %s (%s), changing %s\n", guideApps, pr.HeadSHA[:12], strings.Join(pr.Changed, ", "))
	if err := h.deliver(ctx, hostfake.GitHubWebhook{Example: "pull_request.opened", Number: 1, HeadSHA: pr.HeadSHA,
		HeadRef: examplerepo.PRBranch, BaseSHA: pr.BaseSHA, BaseRef: examplerepo.MainBranch, Sender: "bob"}); err != nil {
		return err
	}
	h.printStatuses(pr.HeadSHA)
	if err := examplerepo.Merge(ctx, pr); err != nil {
		return err
	}
	h.gh.AddPullRequest(guideApps, hostfake.PullRequest{Number: 1, Title: "payment-service v2.4.0", Author: "bob",
		Head: examplerepo.PRBranch, Base: examplerepo.MainBranch, HeadSHA: pr.HeadSHA, BaseSHA: pr.BaseSHA,
		State: "closed", Merged: true, MergeSHA: pr.HeadSHA})
	return h.deliver(ctx, hostfake.GitHubWebhook{Example: "pull_request.closed", Number: 1, HeadSHA: pr.HeadSHA,
		HeadRef: examplerepo.PRBranch, BaseSHA: pr.BaseSHA, BaseRef: examplerepo.MainBranch, Merged: true,
		MergeSHA: pr.HeadSHA, Sender: "bob"})
}

// startGuide builds the repositories and a gitwave serving all three.
func (d *demo) startGuide(ctx context.Context) (*guide, error) {
	repos, err := examplerepo.BuildGuide(filepath.Join(d.dir, "guide"))
	if err != nil {
		return nil, err
	}
	g := &guide{repos: repos}
	if g.store, err = store.Open(ctx, store.Options{Driver: "sqlite", DSN: filepath.Join(d.dir, "guide.db")}); err != nil {
		return g, err
	}
	var ccs []applier.ClusterConfig
	var pcs []planner.Cluster
	for _, c := range clusters {
		ccs = append(ccs, applier.ClusterConfig{Name: c, Kubeconfig: d.env.KubeconfigPath(), Context: c})
		pcs = append(pcs, planner.Cluster{Name: c, Server: d.env.Server(c), Source: "config"})
	}
	if g.fleet, err = applier.NewFleet(ccs, applier.FleetOptions{Manager: applier.Options{Store: g.store, WaitTimeout: 2 * time.Minute}}); err != nil {
		return g, err
	}
	if g.reg, err = sources.New(nil, filepath.Join(d.dir, "sources")); err != nil {
		return g, err
	}
	if err := g.reg.MapHelmRepo(examplerepo.GuideChartRepoURL, repos.HelmRepo); err != nil {
		return g, err
	}
	g.host, err = g.serve(pcs, d.dir)
	return g, err
}

// serve starts the GitHub double with the three repositories and gitwave.
func (g *guide) serve(pcs []planner.Cluster, dir string) (*host, error) {
	h := &host{prog: &hostfake.Program{}, repo: guideApps}
	h.gh = hostfake.NewGitHub(h.prog)
	h.gh.AddTeam(examplerepo.GuideOwner, "payment-team", "bob")
	var repos []config.Repo
	urls := map[string]string{}
	for i, name := range examplerepo.GuideRepoNames {
		full := examplerepo.GuideOwner + "/" + name
		h.gh.AddRepo(full, int64(i+1))
		repos = append(repos, config.Repo{Name: full, Host: "github", URL: "file://" + g.repos.Dirs[name], DefaultBranch: examplerepo.MainBranch})
		urls[full] = examplerepo.GuideURL(name)
	}
	h.gh.AddPullRequest(guideApps, hostfake.PullRequest{Number: 1, Title: "payment-service v2.4.0", Author: "bob",
		Head: examplerepo.PRBranch, Base: examplerepo.MainBranch, HeadSHA: g.repos.PR.HeadSHA, BaseSHA: g.repos.PR.BaseSHA})
	gh, err := github.New(github.Options{AppID: h.gh.AppID, PrivateKey: h.gh.PrivateKey, WebhookSecret: h.gh.WebhookSecret, BaseURL: h.gh.URL})
	if err != nil {
		return h, err
	}
	h.bot, err = bot.New(bot.Options{Hosts: []bot.Host{gh}, Repos: repos, RepoURLs: urls, Repositories: g.reg,
		Store: g.store, Fleet: g.fleet, Clusters: pcs, GitDir: filepath.Join(dir, "guide-git"),
		Policy: config.Policy{Default: "role:readonly"}, Workers: 2, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	return h, err
}

// deployPaymentService syncs payment-service from the guide's main
// branches, so that the pull request is diffed against what runs.
func (g *guide) deployPaymentService(ctx context.Context, d *demo) error {
	for _, name := range []string{examplerepo.GuideInfrastructure, examplerepo.GuideApps} {
		if err := g.reg.MapSource(examplerepo.GuideURL(name), g.repos.Dirs[name]); err != nil {
			return err
		}
	}
	r, err := gitrepo.Open(ctx, gitrepo.Options{Location: g.repos.Dirs[examplerepo.GuideGitops]})
	if err != nil {
		return err
	}
	defer r.Close()
	tree, err := r.Tree(ctx, g.repos.Main[examplerepo.GuideGitops])
	if err != nil {
		return err
	}
	rc, err := planner.LoadRepoConfig(tree)
	if err != nil {
		return err
	}
	src := planner.Source{Repo: tree, RepoURL: rc.RepoURL, Revision: tree.Commit(), Config: rc, Repositories: g.reg}
	for _, c := range clusters {
		src.Clusters = append(src.Clusters, planner.Cluster{Name: c, Server: d.env.Server(c), Source: "config"})
	}
	p := &planner.Planner{}
	inv, err := p.Discover(ctx, src)
	if err != nil {
		return err
	}
	var apps []*planner.App
	for _, a := range inv.Apps {
		if strings.HasPrefix(a.Name, "payment-service-") {
			apps = append(apps, a)
		}
	}
	rec := &reconcile.Reconciler{Planner: p, Fleet: g.fleet, History: g.store}
	fmt.Println("payment-service v2.3.1 from k8s-apps main, through k8s-gitops's microservices ApplicationSet:")
	return summarize(rec.Sync(ctx, src, inv, apps, reconcile.SyncOptions{Trigger: store.TriggerCLI, Initiator: "demo"}))
}

func (g *guide) close() {
	if g.host != nil {
		g.host.close()
	}
	if g.reg != nil {
		_ = g.reg.Close()
	}
	if g.fleet != nil {
		g.fleet.Close()
	}
	if g.store != nil {
		_ = g.store.Close()
	}
}
