package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"time"

	"github.com/gitwave/gitwave/bot"
	"github.com/gitwave/gitwave/bot/github"
	"github.com/gitwave/gitwave/bot/hostfake"
	"github.com/gitwave/gitwave/config"
	"github.com/gitwave/gitwave/hack/examplerepo"
	"github.com/gitwave/gitwave/planner"
)

// repoName is the example repository's name on the GitHub double.
const repoName = "acme/k8s-gitops"

// host is gitwave serving the example repository, with the GitHub test
// double standing in for github.com: webhooks are signed as GitHub signs
// them, and every comment and status gitwave sends lands in the double.
type host struct {
	prog *hostfake.Program
	gh   *hostfake.GitHub
	bot  *bot.Bot
	// repo is the repository whose pull request 1 the demo follows.
	repo string
	seen int // comments already printed
}

func (d *demo) startHost(ctx context.Context) error {
	h := &host{prog: &hostfake.Program{}, repo: repoName}
	h.gh = hostfake.NewGitHub(h.prog)
	h.gh.AddRepo(repoName, 1)
	h.gh.AddTeam("acme", "platform", "carol")
	h.gh.AddTeam("acme", "payment-team", "bob")
	h.gh.AddPullRequest(repoName, hostfake.PullRequest{Number: 1, Title: "payment-service v2.4.0, inventory-service, redis replicas",
		Author: "carol", Head: examplerepo.PRBranch, Base: examplerepo.MainBranch, HeadSHA: d.repo.HeadSHA, BaseSHA: d.repo.BaseSHA})
	var files []hostfake.File
	for _, f := range d.repo.Changed {
		files = append(files, hostfake.File{Path: f, Status: "modified"})
	}
	h.gh.SetFiles(repoName, 1, files...)
	gh, err := github.New(github.Options{AppID: h.gh.AppID, PrivateKey: h.gh.PrivateKey, WebhookSecret: h.gh.WebhookSecret, BaseURL: h.gh.URL})
	if err != nil {
		return err
	}
	var pcs []planner.Cluster
	for _, c := range clusters {
		pcs = append(pcs, planner.Cluster{Name: c, Server: d.env.Server(c), Source: "config"})
	}
	h.bot, err = bot.New(bot.Options{
		Hosts:    []bot.Host{gh},
		Repos:    []config.Repo{{Name: repoName, Host: "github", URL: "file://" + d.repo.Dir, DefaultBranch: examplerepo.MainBranch}},
		Store:    d.store,
		Fleet:    d.fleet,
		Clusters: pcs,
		GitDir:   filepath.Join(d.dir, "git"),
		Policy:   config.Policy{Default: "role:readonly"},
		Workers:  2,
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	d.host = h
	return err
}

func (h *host) close() {
	if h.bot != nil {
		h.bot.Close()
	}
	h.prog.Close()
}

// deliver signs and posts a webhook to gitwave, runs the work it queued,
// and prints what gitwave said on the pull request.
func (h *host) deliver(ctx context.Context, w hostfake.GitHubWebhook) error {
	w.Repo, w.DefaultBranch = h.repo, examplerepo.MainBranch
	event, body := h.gh.Webhook(h.prog, w)
	rec := httptest.NewRecorder()
	start := time.Now()
	h.bot.Handler().ServeHTTP(rec, h.gh.SignedRequest(event, body))
	if rec.Code != http.StatusAccepted {
		return fmt.Errorf("%s webhook answered %d: %s", event, rec.Code, rec.Body)
	}
	fmt.Printf("webhook %s accepted in %s\n", event, time.Since(start).Round(time.Microsecond))
	if _, err := h.bot.RunPending(ctx); err != nil {
		return err
	}
	h.printNew()
	return nil
}

// printNew prints gitwave's comments and statuses not printed yet.
func (h *host) printNew() {
	cs := h.gh.Comments(h.repo, 1)
	for _, c := range cs[h.seen:] {
		if c.Bot {
			fmt.Printf("\n---- comment by gitwave on #1 ----\n%s\n---- end of comment ----\n", strings.TrimSpace(c.Body))
		}
	}
	h.seen = len(cs)
}

// printStatuses prints the commit statuses gitwave set on sha.
func (h *host) printStatuses(sha string) {
	for _, s := range h.gh.Statuses(h.repo, sha) {
		fmt.Printf("status %-15s %-8s %s\n", s.Context, s.State, s.Description)
	}
}
