package bot_test

import (
	"context"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gitwave/gitwave/applier"
	"github.com/gitwave/gitwave/bot"
	"github.com/gitwave/gitwave/bot/github"
	"github.com/gitwave/gitwave/bot/hostfake"
	"github.com/gitwave/gitwave/config"
	"github.com/gitwave/gitwave/hack/examplerepo"
	"github.com/gitwave/gitwave/hack/localcluster"
	"github.com/gitwave/gitwave/planner"
	"github.com/gitwave/gitwave/store"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// exampleRepo is the served repository's name on the GitHub double.
const exampleRepo = "acme/k8s-gitops"

// fixture is gitwave serving the example repository through the GitHub
// double, with a real SQLite store and a real Git repository.
type fixture struct {
	t      testing.TB
	gh     *hostfake.GitHub
	host   *github.Host
	ex     *examplerepo.Repo
	dbPath string
	env    *localcluster.Env
	// unreachable are the clusters fixtureOptions.Unreachable names.
	unreachable []string
	store       *store.Store
	opts        bot.Options
	bot         *bot.Bot
}

// fixtureOptions are what a test changes of the fixture.
type fixtureOptions struct {
	// Env gives real clusters; nil diffs against the base branch only.
	Env *localcluster.Env
	// Author opens pull request 1.
	Author string
	// ReconcileInterval is the loop's interval; zero turns the loop off,
	// so that a test of one event runs that event's job alone.
	ReconcileInterval time.Duration
	// Example is the example folder (repo/ and pr/); empty is the bundled one.
	Example string
	// Policy replaces the default policy settings when it is not zero.
	Policy config.Policy
	// StatusPageURL is the status page's external URL; empty links none.
	StatusPageURL string
	// Planner and Repositories replace the bot's when set.
	Planner      *planner.Planner
	Repositories planner.Repositories
	// Unreachable are clusters, without Env, that the fleet is configured
	// with but cannot reach: every call to them is refused.
	Unreachable []string
}

func newFixture(t testing.TB, fo fixtureOptions) *fixture {
	t.Helper()
	ex, err := examplerepo.Build(filepath.Join(t.TempDir(), "repo"), examplerepo.Options{Source: fo.Example})
	if err != nil {
		t.Fatal(err)
	}
	gh := hostfake.NewGitHub(t)
	gh.AddRepo(exampleRepo, 1)
	gh.AddTeam("acme", "platform", "carol")
	gh.AddTeam("acme", "payment-team", "bob")
	if fo.Author == "" {
		fo.Author = "bob"
	}
	gh.AddPullRequest(exampleRepo, hostfake.PullRequest{Number: 1, Title: "Deploy payment-service v2.4.0", Author: fo.Author,
		Head: examplerepo.PRBranch, Base: examplerepo.MainBranch, HeadSHA: ex.HeadSHA, BaseSHA: ex.BaseSHA})
	var files []hostfake.File
	for _, f := range ex.Changed {
		files = append(files, hostfake.File{Path: f, Status: "modified"})
	}
	gh.SetFiles(exampleRepo, 1, files...)
	host, err := github.New(github.Options{AppID: gh.AppID, PrivateKey: gh.PrivateKey, WebhookSecret: gh.WebhookSecret, BaseURL: gh.URL})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, gh: gh, host: host, ex: ex, env: fo.Env, unreachable: fo.Unreachable, dbPath: filepath.Join(t.TempDir(), "gitwave.db")}
	f.opts = bot.Options{
		Hosts:             []bot.Host{host},
		Repos:             []config.Repo{{Name: exampleRepo, Host: "github", URL: "file://" + ex.Dir, DefaultBranch: "main"}},
		GitDir:            filepath.Join(t.TempDir(), "git"),
		Policy:            config.Policy{Default: "role:readonly"},
		ReconcileInterval: fo.ReconcileInterval,
		Workers:           2,
		StatusPageURL:     fo.StatusPageURL,
		Planner:           fo.Planner,
		Repositories:      fo.Repositories,
	}
	if fo.ReconcileInterval == 0 {
		f.opts.ReconcileInterval = -1
	}
	if fo.Policy != (config.Policy{}) {
		f.opts.Policy = fo.Policy
	}
	f.open()
	return f
}

// open opens the store and a Bot on it, closed when the test ends.
func (f *fixture) open() {
	f.t.Helper()
	st, err := store.Open(context.Background(), store.Options{DSN: f.dbPath})
	if err != nil {
		f.t.Fatal(err)
	}
	f.store = st
	f.opts.Store = st
	if f.env != nil {
		f.opts.Fleet, f.opts.Clusters = fleetOf(f.t, f.env, st)
	} else if len(f.unreachable) > 0 {
		f.opts.Fleet = unreachableFleet(f.t, f.unreachable, st)
	}
	b, err := bot.New(f.opts)
	if err != nil {
		f.t.Fatal(err)
	}
	f.bot = b
	fleet := f.opts.Fleet
	f.t.Cleanup(func() {
		b.Close()
		if fleet != nil {
			fleet.Close()
		}
		st.Close()
	})
}

// fleetOf reaches every cluster of env, named after its kubeconfig
// context, recording syncs in st.
func fleetOf(t testing.TB, env *localcluster.Env, st *store.Store) (*applier.Fleet, []planner.Cluster) {
	t.Helper()
	var ccs []applier.ClusterConfig
	var pcs []planner.Cluster
	for _, name := range env.Names() {
		ccs = append(ccs, applier.ClusterConfig{Name: name, Kubeconfig: env.KubeconfigPath(), Context: name})
		pcs = append(pcs, planner.Cluster{Name: name, Server: env.Server(name), Source: "config"})
	}
	fleet, err := applier.NewFleet(ccs, applier.FleetOptions{Manager: applier.Options{Store: st, WaitTimeout: 2 * time.Minute}})
	if err != nil {
		t.Fatal(err)
	}
	return fleet, pcs
}

// unreachableFleet configures clusters names at an address that refuses
// every connection.
func unreachableFleet(t testing.TB, names []string, st *store.Store) *applier.Fleet {
	t.Helper()
	var ccs []applier.ClusterConfig
	for _, n := range names {
		ccs = append(ccs, applier.ClusterConfig{Name: n, Server: "https://127.0.0.1:1", Token: "unused", Insecure: true})
	}
	fleet, err := applier.NewFleet(ccs, applier.FleetOptions{Manager: applier.Options{Store: st, WaitTimeout: 5 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	return fleet
}

// restart closes the Bot and its store, as a killed process would leave
// them, and opens both again.
func (f *fixture) restart() {
	f.t.Helper()
	f.bot.Close()
	if err := f.store.Close(); err != nil {
		f.t.Fatal(err)
	}
	f.open()
}

// deliver sends a signed webhook through the Bot's handler.
func (f *fixture) deliver(r *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	f.bot.Handler().ServeHTTP(rec, r)
	return rec
}

// webhook builds and sends one webhook, expecting code.
func (f *fixture) webhook(w hostfake.GitHubWebhook, code int) {
	f.t.Helper()
	if w.Repo == "" {
		w.Repo = exampleRepo
	}
	if w.DefaultBranch == "" {
		w.DefaultBranch = "main"
	}
	event, body := f.gh.Webhook(f.t, w)
	rec := f.deliver(f.gh.SignedRequest(event, body))
	if rec.Code != code {
		f.t.Fatalf("%s webhook: %d %s; want %d", w.Example, rec.Code, rec.Body, code)
	}
}

// opened delivers pull_request.opened for pull request 1.
func (f *fixture) opened(code int) {
	f.t.Helper()
	f.webhook(hostfake.GitHubWebhook{Example: "pull_request.opened", Number: 1, HeadSHA: f.ex.HeadSHA,
		HeadRef: examplerepo.PRBranch, BaseSHA: f.ex.BaseSHA, BaseRef: "main", Sender: "bob"}, code)
}

// comment delivers a new comment on pull request 1 and returns its id.
func (f *fixture) comment(author, body string) int64 {
	f.t.Helper()
	id := f.gh.AddComment(exampleRepo, 1, hostfake.Comment{Author: author, Body: body})
	f.webhook(hostfake.GitHubWebhook{Example: "issue_comment.created", Number: 1, CommentID: id, CommentBody: body,
		Sender: author, SenderType: "User"}, http.StatusAccepted)
	return id
}

// run runs the ready jobs and returns how many ran.
func (f *fixture) run() int {
	f.t.Helper()
	n, err := f.bot.RunPending(context.Background())
	if err != nil {
		f.t.Fatal(err)
	}
	return n
}

// botComments returns the bodies of gitwave's comments on pull request n.
func (f *fixture) botComments(n int) []string {
	var out []string
	for _, c := range f.gh.Comments(exampleRepo, n) {
		if c.Bot {
			out = append(out, c.Body)
		}
	}
	return out
}

// lastReply returns gitwave's newest comment on pull request 1.
func (f *fixture) lastReply() string {
	f.t.Helper()
	cs := f.botComments(1)
	if len(cs) == 0 {
		f.t.Fatal("gitwave posted no comment")
	}
	return cs[len(cs)-1]
}

// status returns the last status of context on sha.
func (f *fixture) status(sha, context string) hostfake.Status {
	var last hostfake.Status
	for _, s := range f.gh.Statuses(exampleRepo, sha) {
		if s.Context == context {
			last = s
		}
	}
	return last
}

// commitOnPR commits a change to the pull request's branch and returns the
// new head.
func (f *fixture) commitOnPR(path, content string) string {
	f.t.Helper()
	git := func(args ...string) string {
		cmd := exec.Command("git", args...)
		cmd.Dir = f.ex.Dir
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@t", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@t",
			"GIT_CONFIG_GLOBAL="+os.DevNull, "GIT_CONFIG_NOSYSTEM=1")
		out, err := cmd.CombinedOutput()
		if err != nil {
			f.t.Fatalf("git %v: %v: %s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	git("checkout", "-q", examplerepo.PRBranch)
	if err := os.WriteFile(filepath.Join(f.ex.Dir, path), []byte(content), 0o644); err != nil {
		f.t.Fatal(err)
	}
	git("commit", "-q", "-am", "change "+path)
	head := git("rev-parse", "HEAD")
	git("checkout", "-q", examplerepo.MainBranch)
	return head
}

// normalize replaces what changes between runs in a comment.
func (f *fixture) normalize(s string, heads ...string) string {
	r := []string{f.ex.Dir, "<repo>", f.ex.HeadSHA, "<head>", f.ex.BaseSHA, "<base>",
		f.ex.HeadSHA[:12], "<head>", f.ex.BaseSHA[:12], "<base>"}
	for i, h := range heads {
		r = append(r, h, "<head"+string(rune('2'+i))+">", h[:12], "<head"+string(rune('2'+i))+">")
	}
	return strings.NewReplacer(r...).Replace(s)
}

// golden compares got with testdata/name, rewriting it with -update.
func golden(t testing.TB, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file (go test -update rewrites it):\n--- got\n%s", name, got)
	}
}
