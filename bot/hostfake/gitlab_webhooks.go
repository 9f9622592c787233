package hostfake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
)

// gitlabEvents maps each example to the X-Gitlab-Event it arrives as.
var gitlabEvents = map[string]string{
	"merge_request":      "Merge Request Hook",
	"note_merge_request": "Note Hook",
	"push":               "Push Hook",
}

// GitLabWebhook says which documented example payload to start from and
// which of its fields to write over. Zero fields keep the example's value.
type GitLabWebhook struct {
	// Example is "merge_request", "note_merge_request" or "push".
	Example string
	// Action overrides object_attributes.action ("open", "update",
	// "merge", "create", ...).
	Action string
	// NoAction removes object_attributes.action, as older GitLab versions
	// send notes.
	NoAction bool
	// Repo is the project's path with namespace.
	Repo string
	// DefaultBranch is the project's default branch.
	DefaultBranch string
	// IID, Title, SourceBranch and TargetBranch describe the merge request.
	IID                        int
	Title                      string
	SourceBranch, TargetBranch string
	// HeadSHA is the merge request's last commit; OldRev, on an update, is
	// the previous one (present only when commits were pushed).
	HeadSHA, OldRev string
	// MergeSHA is the merge commit of a merged merge request.
	MergeSHA string
	// Ref, Before and After describe a push.
	Ref, Before, After string
	// NoteID, NoteBody and System describe a note.
	NoteID   int64
	NoteBody string
	System   bool
	// User is who caused the event; UserID its id. Author makes User the
	// merge request's author too.
	User   string
	UserID int64
	Author bool
	// UserBot sets user.bot, as GitLab does for bot users.
	UserBot bool
}

// Webhook builds a webhook payload from a documented example with w's
// fields written over it, and returns the X-Gitlab-Event and the body.
func (g *GitLab) Webhook(t T, w GitLabWebhook) (string, []byte) {
	t.Helper()
	event, ok := gitlabEvents[w.Example]
	if !ok {
		t.Fatalf("hostfake: no GitLab example %q", w.Example)
	}
	p := template("gitlab/webhooks/" + w.Example + ".json")
	if w.Repo != "" {
		setProject(p, w.Repo)
	}
	setIf(p, "project.default_branch", w.DefaultBranch)
	mr := "object_attributes"
	if w.Example == "note_merge_request" {
		mr = "merge_request"
		noteFields(p, w)
	}
	if w.Example != "push" {
		mergeRequestFields(p, mr, w)
	} else {
		setIf(p, "ref", w.Ref)
		setIf(p, "before", w.Before)
		setIf(p, "after", w.After)
		setIf(p, "checkout_sha", w.After)
		setIf(p, "user_username", w.User)
	}
	if w.Action != "" && w.Example != "push" {
		set(p, "object_attributes.action", w.Action)
	}
	if w.NoAction {
		delete(lookup(p, "object_attributes").(map[string]any), "action")
	}
	body, err := json.Marshal(p)
	if err != nil {
		t.Fatalf("hostfake: encode %s payload: %v", w.Example, err)
	}
	return event, body
}

func mergeRequestFields(p map[string]any, key string, w GitLabWebhook) {
	if w.IID != 0 {
		set(p, key+".iid", w.IID)
	}
	setIf(p, key+".title", w.Title)
	setIf(p, key+".source_branch", w.SourceBranch)
	setIf(p, key+".target_branch", w.TargetBranch)
	setIf(p, key+".last_commit.id", w.HeadSHA)
	setIf(p, key+".oldrev", w.OldRev)
	if w.MergeSHA != "" {
		set(p, key+".merge_commit_sha", w.MergeSHA)
		set(p, key+".state", "merged")
	}
	if w.Repo != "" {
		set(p, key+".url", "http://example.com/"+w.Repo+"/-/merge_requests/"+fmt.Sprint(lookup(p, key+".iid")))
	}
	if w.User != "" {
		set(p, "user.username", w.User)
		set(p, "user.name", w.User)
	}
	if w.UserID != 0 {
		set(p, "user.id", w.UserID)
	}
	if w.UserBot {
		set(p, "user.bot", true)
	}
	if w.Author {
		set(p, key+".author_id", lookup(p, "user.id"))
	}
}

func noteFields(p map[string]any, w GitLabWebhook) {
	if w.NoteID != 0 {
		set(p, "object_attributes.id", w.NoteID)
	}
	setIf(p, "object_attributes.note", w.NoteBody)
	if w.System {
		set(p, "object_attributes.system", true)
	}
}

// setProject writes the project's path and URLs for "group/project".
func setProject(p map[string]any, repo string) {
	name := repo[strings.LastIndex(repo, "/")+1:]
	set(p, "project.path_with_namespace", repo)
	set(p, "project.name", name)
	set(p, "project.git_http_url", "http://example.com/"+repo+".git")
	set(p, "project.web_url", "http://example.com/"+repo)
}

// SignedRequest builds a webhook delivery of event with payload, carrying
// the webhook's secret token in X-Gitlab-Token as GitLab sends it, and a
// fresh X-Gitlab-Event-UUID.
func (g *GitLab) SignedRequest(event string, payload []byte) *http.Request {
	g.mu.Lock()
	g.delivery++
	n := g.delivery
	g.mu.Unlock()
	r := httptest.NewRequest(http.MethodPost, "/webhooks/gitlab", bytes.NewReader(payload))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("User-Agent", "GitLab/17.0.0")
	r.Header.Set("X-Gitlab-Event", event)
	r.Header.Set("X-Gitlab-Event-UUID", fmt.Sprintf("13792a34-cac6-4fda-95a8-%012d", n))
	r.Header.Set("X-Gitlab-Instance", "http://example.com")
	r.Header.Set("X-Gitlab-Token", string(g.WebhookSecret))
	return r
}
