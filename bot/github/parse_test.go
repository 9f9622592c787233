package github_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/gitwave/gitwave/bot"
	"github.com/gitwave/gitwave/bot/github"
	"github.com/gitwave/gitwave/bot/hostfake"
)

const (
	headSHA  = "1111111111111111111111111111111111111111"
	baseSHA  = "2222222222222222222222222222222222222222"
	mergeSHA = "3333333333333333333333333333333333333333"
)

func TestParseEvents(t *testing.T) {
	h, fake := newHost(t, github.Options{})
	pr := hostfake.GitHubWebhook{Repo: repo, Number: 7, Title: "Bump podinfo", HeadSHA: headSHA,
		HeadRef: "bump", BaseSHA: baseSHA, BaseRef: "main", Sender: "alice"}
	with := func(w hostfake.GitHubWebhook, edit func(*hostfake.GitHubWebhook)) hostfake.GitHubWebhook {
		edit(&w)
		return w
	}
	wantPR := func(kind bot.EventKind, action string, edit func(*bot.PR)) bot.Event {
		p := &bot.PR{Number: 7, Title: "Bump podinfo", Author: "alice", HeadSHA: headSHA, HeadRef: "bump",
			BaseRef: "main", BaseSHA: baseSHA}
		if edit != nil {
			edit(p)
		}
		return bot.Event{Kind: kind, Action: action, Repo: repo, PR: p, Sender: "alice"}
	}
	tests := []struct {
		name    string
		webhook hostfake.GitHubWebhook
		want    bot.Event
	}{
		{"pull request opened", with(pr, func(w *hostfake.GitHubWebhook) { w.Example = "pull_request.opened" }),
			wantPR(bot.EventPullRequest, "opened", nil)},
		{"pull request reopened", with(pr, func(w *hostfake.GitHubWebhook) { w.Example, w.Action = "pull_request.opened", "reopened" }),
			wantPR(bot.EventPullRequest, "reopened", nil)},
		{"pull request pushed to", with(pr, func(w *hostfake.GitHubWebhook) { w.Example = "pull_request.synchronize" }),
			wantPR(bot.EventPullRequest, "synchronize", nil)},
		{"pull request merged", with(pr, func(w *hostfake.GitHubWebhook) {
			w.Example, w.Merged, w.MergeSHA = "pull_request.closed", true, mergeSHA
		}), wantPR(bot.EventMerged, "closed", func(p *bot.PR) { p.Merged, p.MergeSHA = true, mergeSHA })},
		{"push to a branch", hostfake.GitHubWebhook{Example: "push", Repo: repo, Ref: "refs/heads/main",
			Before: baseSHA, After: headSHA, Sender: "alice"},
			bot.Event{Kind: bot.EventPush, Repo: repo,
				Ref: "main", Before: baseSHA, After: headSHA, Sender: "alice"}},
		{"comment on a pull request", hostfake.GitHubWebhook{Example: "issue_comment.created", Repo: repo, Number: 7,
			Title: "Bump podinfo", CommentID: 555, CommentBody: "/sync podinfo", Sender: "bob"},
			bot.Event{Kind: bot.EventComment, Repo: repo,
				PR:      &bot.PR{Number: 7, Title: "Bump podinfo", URL: "https://github.com/" + repo + "/pull/7"},
				Comment: &bot.Comment{ID: "555", Author: "bob", Body: "/sync podinfo"}, Sender: "bob"}},
		{"comment from an App", hostfake.GitHubWebhook{Example: "issue_comment.created", Repo: repo, Number: 7,
			CommentID: 556, CommentBody: "/sync", Sender: "renovate[bot]", SenderType: "Bot"},
			bot.Event{Kind: bot.EventComment, Repo: repo, Sender: "renovate[bot]",
				Comment: &bot.Comment{ID: "556", Author: "renovate[bot]", Body: "/sync", Bot: true}}},
		{"comment from a [bot] login typed User", hostfake.GitHubWebhook{Example: "issue_comment.created", Repo: repo,
			Number: 7, CommentID: 557, CommentBody: "/diff", Sender: "gitwave[bot]", SenderType: "User"},
			bot.Event{Kind: bot.EventComment, Repo: repo, Sender: "gitwave[bot]",
				Comment: &bot.Comment{ID: "557", Author: "gitwave[bot]", Body: "/diff", Bot: true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := parse(t, h, fake, tt.webhook)
			if tt.want.Kind == bot.EventComment && tt.want.PR == nil {
				// Only the comment matters here.
				got.PR = nil
			}
			if got.PR != nil && tt.want.Kind != bot.EventComment {
				if got.PR.URL == "" {
					t.Errorf("PR.URL is empty")
				}
				got.PR.URL, got.PR.Body = "", ""
			}
			if got.PR != nil && tt.want.Kind == bot.EventComment {
				got.PR.Author, got.PR.Body = "", ""
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse =\n%s\nwant\n%s", show(got), show(tt.want))
			}
		})
	}
}

func TestParseIgnored(t *testing.T) {
	h, fake := newHost(t, github.Options{})
	tests := []struct {
		name       string
		webhook    hostfake.GitHubWebhook
		event      string // overrides the webhook's event name
		wantReason string
	}{
		{"closed without merging", hostfake.GitHubWebhook{Example: "pull_request.closed", Number: 9}, "", "#9 closed without merging"},
		{"labeled", hostfake.GitHubWebhook{Example: "pull_request.opened", Action: "labeled"}, "", `action "labeled"`},
		{"tag push", hostfake.GitHubWebhook{Example: "push", Ref: "refs/tags/v1.0.0"}, "", "refs/tags/v1.0.0 is not to a branch"},
		{"branch deleted", hostfake.GitHubWebhook{Example: "push", Ref: "refs/heads/old",
			After: "0000000000000000000000000000000000000000"}, "", "deleted branch old"},
		{"edited comment", hostfake.GitHubWebhook{Example: "issue_comment.created", Action: "edited", CommentID: 9}, "", "comment 9 was edited"},
		{"deleted comment", hostfake.GitHubWebhook{Example: "issue_comment.created", Action: "deleted", CommentID: 9}, "", "comment 9 was deleted"},
		{"comment on an issue", hostfake.GitHubWebhook{Example: "issue_comment.created", Number: 12, OnIssue: true}, "", "on issue #12, not a pull request"},
		{"other event", hostfake.GitHubWebhook{Example: "push"}, "check_run", `event "check_run" is not handled`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			event, body := fake.Webhook(t, tt.webhook)
			if tt.event != "" {
				event = tt.event
			}
			d, err := h.Verify(fake.SignedRequest(event, body), body)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			got, err := h.Parse(d, body)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got.Kind != bot.EventIgnored || !strings.Contains(got.Reason, tt.wantReason) {
				t.Errorf("Parse = %s; want ignored because %q", show(got), tt.wantReason)
			}
		})
	}
}

func TestParseBadJSON(t *testing.T) {
	h, _ := newHost(t, github.Options{})
	_, err := h.Parse(bot.Delivery{ID: "d-1", Event: "pull_request"}, []byte(`{"action": "opened", "pull_request": [`))
	if err == nil || !strings.Contains(err.Error(), "pull_request delivery d-1") {
		t.Fatalf("Parse of truncated JSON = %v; want an error naming the event and delivery", err)
	}
}

func parse(t *testing.T, h *github.Host, fake *hostfake.GitHub, w hostfake.GitHubWebhook) bot.Event {
	t.Helper()
	event, body := fake.Webhook(t, w)
	d, err := h.Verify(fake.SignedRequest(event, body), body)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	ev, err := h.Parse(d, body)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return ev
}

func show(ev bot.Event) string {
	b, _ := json.Marshal(ev)
	return string(b)
}

func TestParseRefusesWhatGitwaveCannotActOn(t *testing.T) {
	h, _ := newHost(t, github.Options{})
	repoJSON := `"repository":{"full_name":"` + repo + `"}`
	tests := []struct {
		name, event, body, wantErr string
	}{
		{"push without a repository", "push", `{"ref":"refs/heads/main","after":"` + headSHA + `"}`, "no repository"},
		{"push with a head that is no SHA", "push", `{"ref":"refs/heads/main","after":"main",` + repoJSON + `}`, "not a commit SHA"},
		{"pull request number 0", "pull_request", `{"action":"opened","pull_request":{"number":0,"head":{"sha":"` + headSHA + `"}},` + repoJSON + `}`, "positive number"},
		{"pull request head that is no SHA", "pull_request", `{"action":"opened","pull_request":{"number":3,"head":{"sha":"--upload-pack=x"}},` + repoJSON + `}`, "not a commit SHA"},
		{"unhandled event, not JSON", "check_run", `payload=%7B%7D`, "not JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := h.Parse(bot.Delivery{ID: "d-1", Event: tt.event}, []byte(tt.body))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Parse = %s, %v; want an error containing %q", show(ev), err, tt.wantErr)
			}
		})
	}
}
