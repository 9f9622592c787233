package bot_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitwave/gitwave/bot"
	"github.com/gitwave/gitwave/bot/github"
	"github.com/gitwave/gitwave/bot/hostfake"
	"github.com/gitwave/gitwave/config"
	"github.com/gitwave/gitwave/hack/examplerepo"
	"github.com/gitwave/gitwave/hack/localcluster"
	"github.com/gitwave/gitwave/store"
)

// The guide's repositories on the GitHub double.
var (
	guideRoots = examplerepo.GuideOwner + "/" + examplerepo.GuideGitops
	guideApps  = examplerepo.GuideOwner + "/" + examplerepo.GuideApps
)

// guideFixture is gitwave serving the guide's three repositories through
// the GitHub double: roots in org/k8s-gitops, pull requests in
// org/k8s-apps.
type guideFixture struct {
	t     testing.TB
	gh    *hostfake.GitHub
	guide *examplerepo.Guide
	store *store.Store
	opts  bot.Options
	bot   *bot.Bot
}

// newGuideFixture builds the guide's repositories and serves them; pull
// request 1 in org/k8s-apps is by author.
func newGuideFixture(t testing.TB, author string, env *localcluster.Env) *guideFixture {
	t.Helper()
	g, err := examplerepo.BuildGuide(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	gh := hostfake.NewGitHub(t)
	f := &guideFixture{t: t, gh: gh, guide: g}
	urls := map[string]string{}
	var repos []config.Repo
	for i, name := range examplerepo.GuideRepoNames {
		full := examplerepo.GuideOwner + "/" + name
		gh.AddRepo(full, int64(i+1))
		repos = append(repos, config.Repo{Name: full, Host: "github", URL: "file://" + g.Dirs[name], DefaultBranch: "main"})
		urls[full] = examplerepo.GuideURL(name)
	}
	gh.AddTeam(examplerepo.GuideOwner, "payment-team", "bob")
	gh.AddTeam(examplerepo.GuideOwner, "platform-admins", "carol")
	gh.AddPullRequest(guideApps, hostfake.PullRequest{Number: 1, Title: "payment-service v2.4.0", Author: author,
		Head: examplerepo.PRBranch, Base: "main", HeadSHA: g.PR.HeadSHA, BaseSHA: g.PR.BaseSHA})
	host, err := github.New(github.Options{AppID: gh.AppID, PrivateKey: gh.PrivateKey, WebhookSecret: gh.WebhookSecret, BaseURL: gh.URL})
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), store.Options{DSN: filepath.Join(t.TempDir(), "gitwave.db")})
	if err != nil {
		t.Fatal(err)
	}
	f.store = st
	f.opts = bot.Options{Hosts: []bot.Host{host}, Repos: repos, RepoURLs: urls, Store: st,
		GitDir: filepath.Join(t.TempDir(), "git"), Policy: config.Policy{Default: "role:readonly"}, Workers: 2}
	if env != nil {
		f.opts.Fleet, f.opts.Clusters = fleetOf(t, env, st)
	}
	b, err := bot.New(f.opts)
	if err != nil {
		t.Fatal(err)
	}
	f.bot = b
	t.Cleanup(func() {
		b.Close()
		if f.opts.Fleet != nil {
			f.opts.Fleet.Close()
		}
		st.Close()
	})
	return f
}

// webhook delivers one signed webhook for repo and expects 202.
func (f *guideFixture) webhook(repo string, w hostfake.GitHubWebhook) {
	f.t.Helper()
	w.Repo, w.DefaultBranch = repo, "main"
	event, body := f.gh.Webhook(f.t, w)
	rec := httptest.NewRecorder()
	f.bot.Handler().ServeHTTP(rec, f.gh.SignedRequest(event, body))
	if rec.Code != http.StatusAccepted {
		f.t.Fatalf("%s webhook: %d %s", w.Example, rec.Code, rec.Body)
	}
	if _, err := f.bot.RunPending(context.Background()); err != nil {
		f.t.Fatal(err)
	}
}

// openPR delivers pull_request.opened for pull request n in org/k8s-apps.
func (f *guideFixture) openPR(n int, head string) {
	f.t.Helper()
	pr := f.gh.PullRequests(guideApps)[n-1]
	f.webhook(guideApps, hostfake.GitHubWebhook{Example: "pull_request.opened", Number: n, HeadSHA: head,
		HeadRef: pr.Head, BaseSHA: f.guide.PR.BaseSHA, BaseRef: "main", Sender: pr.Author})
}

// comment is gitwave's last comment on pull request n of repo.
func (f *guideFixture) comment(repo string, n int) string {
	f.t.Helper()
	var last string
	for _, c := range f.gh.Comments(repo, n) {
		if c.Bot {
			last = c.Body
		}
	}
	if last == "" {
		f.t.Fatalf("gitwave posted no comment on %s#%d", repo, n)
	}
	return last
}

// status is the last status of context on sha in org/k8s-apps.
func (f *guideFixture) status(sha, context string) hostfake.Status {
	var last hostfake.Status
	for _, s := range f.gh.Statuses(guideApps, sha) {
		if s.Context == context {
			last = s
		}
	}
	return last
}

// commit writes files in repo's working tree on branch (created from main
// when new), commits them and checks main out again.
func (f *guideFixture) commit(repo, branch string, files map[string]string) string {
	f.t.Helper()
	dir := f.guide.Dirs[repo]
	git := func(args ...string) string {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@t", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@t",
			"GIT_CONFIG_GLOBAL="+os.DevNull, "GIT_CONFIG_NOSYSTEM=1")
		out, err := cmd.CombinedOutput()
		if err != nil {
			f.t.Fatalf("git %v: %v: %s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	if branch != "main" {
		git("checkout", "-q", "-B", branch, "main")
	}
	for p, content := range files {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			f.t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			f.t.Fatal(err)
		}
	}
	git("add", "-A")
	git("commit", "-q", "-m", "change on "+branch)
	head := git("rev-parse", "HEAD")
	git("checkout", "-q", "main")
	return head
}

// mergePR fast-forwards main of org/k8s-apps to pull request 1 and
// delivers its merge.
func (f *guideFixture) mergePR() {
	f.t.Helper()
	if err := examplerepo.Merge(context.Background(), f.guide.PR); err != nil {
		f.t.Fatal(err)
	}
	pr := f.gh.PullRequests(guideApps)[0]
	pr.State, pr.Merged, pr.MergeSHA = "closed", true, f.guide.PR.HeadSHA
	f.gh.AddPullRequest(guideApps, pr)
	f.webhook(guideApps, hostfake.GitHubWebhook{Example: "pull_request.closed", Number: 1, HeadSHA: f.guide.PR.HeadSHA,
		HeadRef: examplerepo.PRBranch, BaseSHA: f.guide.PR.BaseSHA, BaseRef: "main", Merged: true, MergeSHA: f.guide.PR.HeadSHA, Sender: pr.Author})
}
