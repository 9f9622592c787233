package bot_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/gitwave/gitwave/bot/hostfake"
	"github.com/gitwave/gitwave/store"
)

func TestBadSignatureRefusedAndNothingStored(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	event, body := f.gh.Webhook(t, hostfake.GitHubWebhook{Example: "pull_request.opened", Repo: exampleRepo, Number: 1,
		HeadSHA: f.ex.HeadSHA, Sender: "bob"})
	tests := []struct {
		name      string
		signature string
	}{
		{"wrong secret", hostfake.GitHubSignature([]byte("not-the-secret"), body)},
		{"no signature", ""},
		{"garbage", "sha256=zz"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.gh.SignedRequest(event, body)
			r.Header.Set("X-Hub-Signature-256", tt.signature)
			rec := f.deliver(r)
			if rec.Code != http.StatusUnauthorized {
				t.Fatalf("code = %d %s; want 401", rec.Code, rec.Body)
			}
			_, err := f.store.Delivery(context.Background(), "github", r.Header.Get("X-GitHub-Delivery"))
			if !errors.Is(err, store.ErrNotFound) {
				t.Errorf("delivery stored after a bad signature: err = %v", err)
			}
		})
	}
	if n := f.run(); n != 0 {
		t.Errorf("%d jobs ran after refused webhooks; want none", n)
	}
	if got := f.gh.Comments(exampleRepo, 1); len(got) != 0 {
		t.Errorf("comments after refused webhooks: %d", len(got))
	}
}

func TestDuplicateDeliveryWorksOnce(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	event, body := f.gh.Webhook(t, hostfake.GitHubWebhook{Example: "pull_request.opened", Repo: exampleRepo, DefaultBranch: "main",
		Number: 1, HeadSHA: f.ex.HeadSHA, BaseRef: "main", Sender: "bob"})
	first := f.gh.SignedRequest(event, body)
	again := f.gh.SignedRequest(event, body)
	again.Header.Set("X-GitHub-Delivery", first.Header.Get("X-GitHub-Delivery"))
	if rec := f.deliver(first); rec.Code != http.StatusAccepted {
		t.Fatalf("first delivery: %d %s", rec.Code, rec.Body)
	}
	if rec := f.deliver(again); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "accepted before") {
		t.Fatalf("redelivery: %d %s; want 200 saying it was accepted before", rec.Code, rec.Body)
	}
	if n := f.run(); n != 1 {
		t.Errorf("jobs run = %d; want 1", n)
	}
	if got := len(f.botComments(1)); got != 1 {
		t.Errorf("gitwave comments = %d; want 1", got)
	}
}

func TestRestartBetweenAcceptAndWorkDoesItOnce(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	f.opened(http.StatusAccepted)
	f.restart() // the process dies after answering 202, before any worker ran
	if got := len(f.botComments(1)); got != 0 {
		t.Fatalf("work done before the restart: %d comments", got)
	}
	if n := f.run(); n != 1 {
		t.Errorf("jobs run after the restart = %d; want 1", n)
	}
	f.restart()
	if n := f.run(); n != 0 {
		t.Errorf("jobs run after a second restart = %d; want 0", n)
	}
	if got := len(f.botComments(1)); got != 1 {
		t.Errorf("gitwave comments = %d; want 1", got)
	}
}

func TestIgnoredEvents(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	tests := []struct {
		name string
		hook hostfake.GitHubWebhook
		want string
	}{
		{"other repository", hostfake.GitHubWebhook{Example: "pull_request.opened", Repo: "acme/other", Number: 1}, "not served"},
		{"push to a feature branch", hostfake.GitHubWebhook{Example: "push", Ref: "refs/heads/feature", After: f.ex.HeadSHA}, "not to the default branch"},
		{"comment that is no command", hostfake.GitHubWebhook{Example: "issue_comment.created", Number: 1, CommentBody: "LGTM", SenderType: "User"}, "not a gitwave command"},
		{"command from a bot", hostfake.GitHubWebhook{Example: "issue_comment.created", Number: 1, CommentBody: "/sync", Sender: "ci[bot]", SenderType: "Bot"}, "from a bot"},
		{"closed without merge", hostfake.GitHubWebhook{Example: "pull_request.closed", Number: 1}, "without merging"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.hook.Repo == "" {
				tt.hook.Repo = exampleRepo
			}
			event, body := f.gh.Webhook(t, tt.hook)
			rec := f.deliver(f.gh.SignedRequest(event, body))
			if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), tt.want) {
				t.Errorf("answer = %d %q; want 200 mentioning %q", rec.Code, rec.Body, tt.want)
			}
		})
	}
	if n := f.run(); n != 0 {
		t.Errorf("%d jobs ran for ignored events", n)
	}
}

func TestHealthAndMetrics(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	f.opened(http.StatusAccepted)
	for path, want := range map[string]string{
		"/healthz": "ok",
		"/metrics": `gitwave_webhooks_total{host="github",outcome="accepted"} 1`,
	} {
		r, _ := http.NewRequest(http.MethodGet, path, nil)
		rec := f.deliver(r)
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), want) {
			t.Errorf("GET %s = %d, body lacks %q:\n%s", path, rec.Code, want, rec.Body)
		}
	}
}
