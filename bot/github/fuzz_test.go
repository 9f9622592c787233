package github_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitwave/gitwave/bot"
	"github.com/gitwave/gitwave/bot/github"
	"github.com/gitwave/gitwave/bot/hostfake"
)

// FuzzGitHubParse feeds Parse any event name and body. It must never panic,
// must refuse a body that is not JSON, and every event it returns must pass
// bot.Event.Check, since the server stores and acts on it as it is. The
// seeds are GitHub's documented example payloads, the merged and comment
// variants the examples lack, and a few malformed bodies; `go test` runs
// them as ordinary tests.
func FuzzGitHubParse(f *testing.F) {
	fake := hostfake.NewGitHub(f)
	fake.AddRepo(repo, 77)
	h, err := github.New(github.Options{AppID: fake.AppID, PrivateKey: fake.PrivateKey,
		WebhookSecret: fake.WebhookSecret, BaseURL: fake.URL})
	if err != nil {
		f.Fatalf("New: %v", err)
	}
	examples, err := filepath.Glob("../hostfake/testdata/github/webhooks/*.json")
	if err != nil || len(examples) == 0 {
		f.Fatalf("no example payloads: %v", err)
	}
	for _, path := range examples {
		body, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		event, _, _ := strings.Cut(filepath.Base(path), ".")
		f.Add(event, body)
	}
	for _, w := range []hostfake.GitHubWebhook{
		{Example: "pull_request.closed", Merged: true, MergeSHA: mergeSHA},
		{Example: "issue_comment.created", Number: 7, CommentBody: "/rollback app --to v1"},
		{Example: "push", Ref: "refs/heads/main", Before: baseSHA, After: headSHA},
	} {
		event, body := fake.Webhook(f, w)
		f.Add(event, body)
	}
	for event, body := range map[string]string{
		"push":          `{"ref":"refs/heads/main","after":"` + headSHA + `"}`,
		"pull_request":  `{"action":"opened","number":1,"pull_request":{"number":1}`,
		"issue_comment": `payload=%7B%22action%22%3A%22created%22%7D`,
		"check_run":     `not json`,
		"ping":          `null`,
	} {
		f.Add(event, []byte(body))
	}
	f.Fuzz(func(t *testing.T, event string, body []byte) {
		ev, err := h.Parse(bot.Delivery{Host: "github", ID: "fuzz", Event: event}, body)
		if !json.Valid(body) && err == nil {
			t.Fatalf("Parse of a body that is not JSON = %+v, no error", ev)
		}
		if err != nil {
			return
		}
		if cerr := ev.Check(); cerr != nil {
			t.Fatalf("Parse returned an event the bot cannot act on: %v\n%+v", cerr, ev)
		}
		if _, err := json.Marshal(ev); err != nil {
			t.Fatalf("event does not encode as a job payload: %v", err)
		}
	})
}
