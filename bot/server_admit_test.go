package bot_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gitwave/gitwave/bot"
	"github.com/gitwave/gitwave/bot/gitlab"
	"github.com/gitwave/gitwave/bot/hostfake"
	"github.com/gitwave/gitwave/store"
)

// watchedBody is a request body that records whether it was read.
type watchedBody struct {
	r    io.Reader
	read atomic.Bool
}

func (b *watchedBody) Read(p []byte) (int, error) {
	b.read.Store(true)
	return b.r.Read(p)
}

func (b *watchedBody) Close() error { return nil }

// TestWebhookWithoutSignatureIsRefusedUnread sends requests that cannot be
// signed deliveries, each with a large body: every one is refused, and no
// body is read.
func TestWebhookWithoutSignatureIsRefusedUnread(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	event, body := f.gh.Webhook(t, hostfake.GitHubWebhook{Example: "pull_request.opened", Repo: exampleRepo, Number: 1,
		HeadSHA: f.ex.HeadSHA, Sender: "bob"})
	gl := newGitLabBot(t)
	glEvent, glBody := gl.fake.Webhook(t, hostfake.GitLabWebhook{Example: "merge_request", Action: "open"})
	tests := []struct {
		name  string
		bot   *bot.Bot
		req   *http.Request
		edit  func(http.Header)
		size  int64
		code  int
		retry bool
	}{
		{"github: no signature", f.bot, f.gh.SignedRequest(event, body), func(h http.Header) { h.Del("X-Hub-Signature-256") }, 0, 401, false},
		{"github: sha1 signature", f.bot, f.gh.SignedRequest(event, body), func(h http.Header) { h.Set("X-Hub-Signature-256", "sha1=00") }, 0, 401, false},
		{"github: no event", f.bot, f.gh.SignedRequest(event, body), func(h http.Header) { h.Del("X-GitHub-Event") }, 0, 401, false},
		{"github: no delivery id", f.bot, f.gh.SignedRequest(event, body), func(h http.Header) { h.Del("X-GitHub-Delivery") }, 0, 401, false},
		{"github: form encoded", f.bot, f.gh.SignedRequest(event, body), func(h http.Header) {
			h.Set("Content-Type", "application/x-www-form-urlencoded")
		}, 0, 415, false},
		{"github: declared over the limit", f.bot, f.gh.SignedRequest(event, body), func(http.Header) {}, bot.DefaultMaxBody + 1, 413, false},
		{"gitlab: no token", gl.bot, gl.fake.SignedRequest(glEvent, glBody), func(h http.Header) { h.Del("X-Gitlab-Token") }, 0, 401, false},
		{"gitlab: no event", gl.bot, gl.fake.SignedRequest(glEvent, glBody), func(h http.Header) { h.Del("X-Gitlab-Event") }, 0, 401, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.edit(tt.req.Header)
			b := &watchedBody{r: bytes.NewReader(make([]byte, 24<<20))}
			tt.req.Body = b
			tt.req.ContentLength = 24 << 20
			if tt.size != 0 {
				tt.req.ContentLength = tt.size
			}
			rec := httptest.NewRecorder()
			tt.bot.Handler().ServeHTTP(rec, tt.req)
			if rec.Code != tt.code {
				t.Errorf("code = %d %s; want %d", rec.Code, rec.Body, tt.code)
			}
			if b.read.Load() {
				t.Errorf("the body of a request refused from its headers was read")
			}
		})
	}
}

// slowBody is a signed body that blocks its first read until release is
// closed, and says on started when that read began.
type slowBody struct {
	r        io.Reader
	started  chan<- struct{}
	release  <-chan struct{}
	announce sync.Once
}

func (b *slowBody) Read(p []byte) (int, error) {
	b.announce.Do(func() {
		b.started <- struct{}{}
		<-b.release
	})
	return b.r.Read(p)
}

func (b *slowBody) Close() error { return nil }

// TestWebhookBodiesAreReadInBoundedTurns holds MaxConcurrentWebhooks
// signed requests in their body reads: the next request is answered 503
// with Retry-After without its body being read, and once the slow ones are
// through, the next is served.
func TestWebhookBodiesAreReadInBoundedTurns(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	const turns = 2
	f.opts.MaxConcurrentWebhooks = turns
	f.restart()
	started, release := make(chan struct{}, turns), make(chan struct{})
	var wg sync.WaitGroup
	codes := make([]int, turns)
	for i := range turns {
		event, body := f.gh.Webhook(t, hostfake.GitHubWebhook{Example: "pull_request.opened", Repo: exampleRepo,
			DefaultBranch: "main", Number: 1, HeadSHA: f.ex.HeadSHA, Action: []string{"opened", "reopened"}[i]})
		r := f.gh.SignedRequest(event, body)
		r.Body = &slowBody{r: bytes.NewReader(body), started: started, release: release}
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = f.deliver(r).Code
		}()
	}
	for range turns {
		select {
		case <-started:
		case <-time.After(10 * time.Second):
			t.Fatal("the signed slow requests did not all start reading their bodies")
		}
	}
	event, body := f.gh.Webhook(t, hostfake.GitHubWebhook{Example: "push", Repo: exampleRepo, Ref: "refs/heads/main",
		Before: f.ex.BaseSHA, After: f.ex.HeadSHA})
	extra := f.gh.SignedRequest(event, body)
	watched := &watchedBody{r: bytes.NewReader(body)}
	extra.Body = watched
	rec := f.deliver(extra)
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
		t.Errorf("request %d while %d bodies are read = %d (Retry-After %q) %s; want 503 with Retry-After",
			turns+1, turns, rec.Code, rec.Header().Get("Retry-After"), rec.Body)
	}
	if watched.read.Load() {
		t.Error("the body of the request answered 503 was read")
	}
	close(release)
	wg.Wait()
	for i, code := range codes {
		if code != http.StatusAccepted {
			t.Errorf("slow request %d = %d; want 202 once its body arrived", i, code)
		}
	}
	if rec := f.deliver(f.gh.SignedRequest(event, body)); rec.Code != http.StatusAccepted {
		t.Errorf("the refused push sent again after the slow requests = %d %s; want 202", rec.Code, rec.Body)
	}
}

// gitLabBot is a Bot serving only a GitLab double, for tests of the
// webhook handler.
type gitLabBot struct {
	bot  *bot.Bot
	fake *hostfake.GitLab
}

func newGitLabBot(t *testing.T) gitLabBot {
	t.Helper()
	fake := hostfake.NewGitLab(t)
	h, err := gitlab.New(gitlab.Options{BaseURL: fake.URL, Token: fake.Token, WebhookSecret: fake.WebhookSecret})
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), store.Options{DSN: filepath.Join(t.TempDir(), "gitwave.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	b, err := bot.New(bot.Options{Hosts: []bot.Host{h}, Store: st, GitDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	return gitLabBot{bot: b, fake: fake}
}
