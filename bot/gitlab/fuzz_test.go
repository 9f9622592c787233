package gitlab_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitwave/gitwave/bot"
	"github.com/gitwave/gitwave/bot/gitlab"
	"github.com/gitwave/gitwave/bot/hostfake"
)

// gitlabEvents maps each example payload file to the X-Gitlab-Event it
// arrives as.
var gitlabEvents = map[string]string{
	"merge_request.json":      "Merge Request Hook",
	"note_merge_request.json": "Note Hook",
	"push.json":               "Push Hook",
}

// FuzzGitLabParse feeds Parse any event name and body. It must never panic,
// must refuse a body that is not JSON, and every event it returns must pass
// bot.Event.Check, since the server stores and acts on it as it is. The
// seeds are GitLab's documented example payloads, variants for each action
// gitwave handles, and a few malformed bodies; `go test` runs them as
// ordinary tests.
func FuzzGitLabParse(f *testing.F) {
	fake := hostfake.NewGitLab(f)
	fake.AddProject(project)
	h, err := gitlab.New(gitlab.Options{BaseURL: fake.URL, Token: fake.Token, WebhookSecret: fake.WebhookSecret, Username: "gitwave"})
	if err != nil {
		f.Fatalf("New: %v", err)
	}
	for file, event := range gitlabEvents {
		body, err := os.ReadFile(filepath.Join("../hostfake/testdata/gitlab/webhooks", file))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(event, body)
	}
	for _, w := range []hostfake.GitLabWebhook{
		{Example: "merge_request", Action: "open", HeadSHA: headSHA},
		{Example: "merge_request", Action: "update", HeadSHA: headSHA, OldRev: oldSHA},
		{Example: "merge_request", Action: "merge", HeadSHA: headSHA, MergeSHA: mergeSHA},
		{Example: "note_merge_request", NoteID: 9, NoteBody: "/sync app --cluster prod"},
		{Example: "push", Ref: "refs/heads/main", Before: oldSHA, After: headSHA},
	} {
		event, body := fake.Webhook(f, w)
		f.Add(event, body)
	}
	for event, body := range map[string]string{
		"Push Hook":          `{"ref":"refs/heads/","after":"` + headSHA + `","project":{"path_with_namespace":"a/b"}}`,
		"Merge Request Hook": `{"object_attributes":{"action":"open","iid":-1}}`,
		"Note Hook":          `{"object_attributes":{"noteable_type":"MergeRequest"},"merge_request":null}`,
		"Tag Push Hook":      `not json`,
		"System Hook":        `null`,
	} {
		f.Add(event, []byte(body))
	}
	f.Fuzz(func(t *testing.T, event string, body []byte) {
		ev, err := h.Parse(bot.Delivery{Host: "gitlab", ID: "fuzz", Event: event}, body)
		if !json.Valid(body) && err == nil {
			t.Fatalf("Parse of a body that is not JSON = %+v, no error", ev)
		}
		if err != nil {
			if !strings.HasPrefix(err.Error(), "gitlab: parse ") {
				t.Fatalf("error %q does not say where it comes from", err)
			}
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
