package gitlab_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/gitwave/gitwave/bot"
	"github.com/gitwave/gitwave/bot/gitlab"
	"github.com/gitwave/gitwave/bot/hostfake"
)

func TestParseEvents(t *testing.T) {
	h, fake := newHost(t, gitlab.Options{Username: "gitwave"})
	mr := hostfake.GitLabWebhook{Example: "merge_request", Repo: project, DefaultBranch: "main", IID: 7,
		Title: "Bump podinfo", SourceBranch: "bump", TargetBranch: "main", HeadSHA: headSHA,
		User: "alice", UserID: 51, Author: true}
	with := func(w hostfake.GitLabWebhook, edit func(*hostfake.GitLabWebhook)) hostfake.GitLabWebhook {
		edit(&w)
		return w
	}
	base := bot.Event{Repo: project, Sender: "alice"}
	wantPR := func(kind bot.EventKind, edit func(*bot.PR)) bot.Event {
		ev := base
		ev.Kind = kind
		ev.PR = &bot.PR{Number: 7, Title: "Bump podinfo", Author: "alice", HeadSHA: headSHA, HeadRef: "bump",
			BaseRef: "main", URL: "http://example.com/" + project + "/-/merge_requests/7"}
		if edit != nil {
			edit(ev.PR)
		}
		return ev
	}
	note := func(w hostfake.GitLabWebhook) hostfake.GitLabWebhook {
		w.Example, w.NoteID, w.NoteBody, w.Author = "note_merge_request", 1244, "/sync podinfo", false
		return w
	}
	wantNote := func(user string, isBot bool) bot.Event {
		ev := wantPR(bot.EventComment, func(p *bot.PR) { p.Author = "" })
		ev.Sender = user
		ev.Comment = &bot.Comment{ID: "1244", Author: user, Body: "/sync podinfo", Bot: isBot}
		return ev
	}
	action := func(ev bot.Event, a string) bot.Event {
		ev.Action = a
		return ev
	}
	tests := []struct {
		name    string
		webhook hostfake.GitLabWebhook
		want    bot.Event
	}{
		{"opened", with(mr, func(w *hostfake.GitLabWebhook) { w.Action = "open" }), action(wantPR(bot.EventPullRequest, nil), "open")},
		{"reopened", with(mr, func(w *hostfake.GitLabWebhook) { w.Action = "reopen" }), action(wantPR(bot.EventPullRequest, nil), "reopen")},
		{"new commits", with(mr, func(w *hostfake.GitLabWebhook) { w.Action, w.OldRev = "update", oldSHA }),
			action(wantPR(bot.EventPullRequest, nil), "update")},
		{"merged by someone else", with(mr, func(w *hostfake.GitLabWebhook) {
			w.Action, w.MergeSHA, w.User, w.UserID, w.Author = "merge", mergeSHA, "maintainer", 99, false
		}), func() bot.Event {
			ev := wantPR(bot.EventMerged, func(p *bot.PR) { p.Author, p.Merged, p.MergeSHA = "", true, mergeSHA })
			ev.Sender, ev.Action = "maintainer", "merge"
			return ev
		}()},
		{"push", hostfake.GitLabWebhook{Example: "push", Repo: project, DefaultBranch: "main", Ref: "refs/heads/main",
			Before: oldSHA, After: headSHA, User: "alice"},
			func() bot.Event {
				ev := base
				ev.Kind, ev.Ref, ev.Before, ev.After = bot.EventPush, "main", oldSHA, headSHA
				return ev
			}()},
		{"note", note(mr), wantNote("alice", false)},
		{"note without action (older GitLab)", with(note(mr), func(w *hostfake.GitLabWebhook) { w.NoAction = true }),
			wantNote("alice", false)},
		{"note by a bot user", with(note(mr), func(w *hostfake.GitLabWebhook) { w.User, w.UserBot = "renovate", true }),
			wantNote("renovate", true)},
		{"note by a project access token", with(note(mr), func(w *hostfake.GitLabWebhook) { w.User = "project_42_bot_3f2a9c" }),
			wantNote("project_42_bot_3f2a9c", true)},
		{"note by a _bot account", with(note(mr), func(w *hostfake.GitLabWebhook) { w.User = "deploy_bot" }),
			wantNote("deploy_bot", true)},
		{"note by gitwave itself", with(note(mr), func(w *hostfake.GitLabWebhook) { w.User = "gitwave" }),
			wantNote("gitwave", true)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := parse(t, h, fake, tt.webhook)
			if got.PR != nil {
				got.PR.Body = ""
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse =\n%s\nwant\n%s", show(got), show(tt.want))
			}
		})
	}
}

func TestParseIgnored(t *testing.T) {
	h, fake := newHost(t, gitlab.Options{Username: "gitwave"})
	tests := []struct {
		name       string
		webhook    hostfake.GitLabWebhook
		event      string
		wantReason string
	}{
		{"update without commits", hostfake.GitLabWebhook{Example: "merge_request", Action: "update", IID: 4}, "", "!4 updated without new commits"},
		{"closed", hostfake.GitLabWebhook{Example: "merge_request", Action: "close"}, "", `action "close"`},
		{"approved", hostfake.GitLabWebhook{Example: "merge_request", Action: "approved"}, "", `action "approved"`},
		{"tag push", hostfake.GitLabWebhook{Example: "push", Ref: "refs/tags/v1"}, "", "refs/tags/v1 is not to a branch"},
		{"deleted branch", hostfake.GitLabWebhook{Example: "push", Ref: "refs/heads/old",
			After: "0000000000000000000000000000000000000000"}, "", "deleted branch old"},
		{"edited note", hostfake.GitLabWebhook{Example: "note_merge_request", Action: "update", NoteID: 5}, "", "note 5 was edited"},
		{"system note", hostfake.GitLabWebhook{Example: "note_merge_request", System: true, NoteID: 6}, "", "note 6 is a system note"},
		{"tag push hook", hostfake.GitLabWebhook{Example: "push"}, "Tag Push Hook", `"Tag Push Hook" is not handled`},
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
			if err != nil || got.Kind != bot.EventIgnored || !strings.Contains(got.Reason, tt.wantReason) {
				t.Errorf("Parse = %s, %v; want ignored because %q", show(got), err, tt.wantReason)
			}
		})
	}
}

func TestParseNoteOnIssue(t *testing.T) {
	h, fake := newHost(t, gitlab.Options{Username: "gitwave"})
	_, body := fake.Webhook(t, hostfake.GitLabWebhook{Example: "note_merge_request", NoteID: 8})
	var p map[string]any
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatal(err)
	}
	p["object_attributes"].(map[string]any)["noteable_type"] = "Issue"
	delete(p, "merge_request")
	body, _ = json.Marshal(p)
	got, err := h.Parse(bot.Delivery{ID: "x", Event: "Note Hook"}, body)
	if err != nil || got.Kind != bot.EventIgnored || !strings.Contains(got.Reason, "note 8 is on a Issue") {
		t.Errorf("Parse of an issue note = %s, %v; want ignored", show(got), err)
	}
}

func parse(t *testing.T, h *gitlab.Host, fake *hostfake.GitLab, w hostfake.GitLabWebhook) bot.Event {
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
	h, _ := newHost(t, gitlab.Options{Username: "gitwave"})
	projectJSON := `"project":{"path_with_namespace":"` + project + `"}`
	tests := []struct {
		name, event, body, wantErr string
	}{
		{"push with a head that is no SHA", "Push Hook", `{"ref":"refs/heads/main","after":"main",` + projectJSON + `}`, "not a commit SHA"},
		{"merge request iid 0", "Merge Request Hook", `{"object_attributes":{"action":"open","last_commit":{"id":"` + headSHA + `"}},` + projectJSON + `}`, "positive number"},
		{"merge request without a head", "Merge Request Hook", `{"object_attributes":{"action":"open","iid":4},` + projectJSON + `}`, "not a commit SHA"},
		{"unhandled event, not JSON", "Pipeline Hook", `<html>`, "not JSON"},
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
