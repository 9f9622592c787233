package hostfake

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
)

// GitHubWebhook says which documented example payload to start from and
// which of its fields to write over. Zero fields keep the example's value.
type GitHubWebhook struct {
	// Example is one of "pull_request.opened", "pull_request.synchronize",
	// "pull_request.closed", "push", "issue_comment.created"; the event
	// name is the part before the dot.
	Example string
	// Action overrides the example's action ("reopened", "edited", ...).
	Action string
	// Repo is "owner/name".
	Repo string
	// DefaultBranch is the repository's default branch.
	DefaultBranch string
	// Number is the pull request's (or, for comments, the issue's) number.
	Number int
	Title  string
	// HeadSHA, HeadRef, BaseSHA and BaseRef describe the pull request.
	HeadSHA, HeadRef, BaseSHA, BaseRef string
	// Merged and MergeSHA describe a closed pull request.
	Merged   bool
	MergeSHA string
	// Ref ("refs/heads/main"), Before and After describe a push.
	Ref, Before, After string
	// CommentID and CommentBody describe an issue comment.
	CommentID   int64
	CommentBody string
	// OnIssue puts the comment on a plain issue; by default it is on a pull
	// request.
	OnIssue bool
	// Sender is who caused the event: the pull request's author, the
	// pusher or the commenter.
	Sender string
	// SenderType is "User" or "Bot".
	SenderType string
}

// Webhook builds a webhook payload from a documented example with w's
// fields written over it, and returns the event name and the body.
func (g *GitHub) Webhook(t T, w GitHubWebhook) (string, []byte) {
	t.Helper()
	event, _, _ := strings.Cut(w.Example, ".")
	p := template("github/webhooks/" + w.Example + ".json")
	setIf(p, "action", w.Action)
	if w.Repo != "" {
		for _, key := range []string{"repository", "pull_request.head.repo", "pull_request.base.repo"} {
			if _, ok := lookup(p, key).(map[string]any); ok {
				setRepo(p, key, w.Repo)
			}
		}
	}
	setIf(p, "repository.default_branch", w.DefaultBranch)
	switch event {
	case "pull_request":
		g.pullRequestFields(p, w)
	case "push":
		setIf(p, "ref", w.Ref)
		setIf(p, "before", w.Before)
		setIf(p, "after", w.After)
		setIf(p, "head_commit.id", w.After)
		setIf(p, "pusher.name", w.Sender)
	case "issue_comment":
		commentFields(p, w)
	}
	if w.Sender != "" {
		set(p, "sender.login", w.Sender)
	}
	setIf(p, "sender.type", w.SenderType)
	body, err := json.Marshal(p)
	if err != nil {
		t.Fatalf("hostfake: encode %s payload: %v", w.Example, err)
	}
	return event, body
}

func (g *GitHub) pullRequestFields(p map[string]any, w GitHubWebhook) {
	if w.Number != 0 {
		set(p, "number", w.Number)
		set(p, "pull_request.number", w.Number)
	}
	setIf(p, "pull_request.title", w.Title)
	setIf(p, "pull_request.head.sha", w.HeadSHA)
	setIf(p, "pull_request.head.ref", w.HeadRef)
	setIf(p, "pull_request.base.sha", w.BaseSHA)
	setIf(p, "pull_request.base.ref", w.BaseRef)
	setIf(p, "pull_request.user.login", w.Sender)
	setIf(p, "pull_request.user.type", w.SenderType)
	if w.Merged {
		set(p, "pull_request.merged", true)
		set(p, "pull_request.state", "closed")
		set(p, "pull_request.merged_at", "2024-01-01T00:00:00Z")
	}
	setIf(p, "pull_request.merge_commit_sha", w.MergeSHA)
}

func commentFields(p map[string]any, w GitHubWebhook) {
	if w.Number != 0 {
		set(p, "issue.number", w.Number)
	}
	setIf(p, "issue.title", w.Title)
	if w.OnIssue {
		delete(lookup(p, "issue").(map[string]any), "pull_request")
	} else if lookup(p, "issue.pull_request") == nil {
		repo, _ := lookup(p, "repository.full_name").(string)
		n := lookup(p, "issue.number")
		set(p, "issue.pull_request", map[string]any{
			"url":       fmt.Sprintf("https://api.github.com/repos/%s/pulls/%v", repo, n),
			"html_url":  fmt.Sprintf("https://github.com/%s/pull/%v", repo, n),
			"diff_url":  fmt.Sprintf("https://github.com/%s/pull/%v.diff", repo, n),
			"patch_url": fmt.Sprintf("https://github.com/%s/pull/%v.patch", repo, n),
		})
	}
	if w.CommentID != 0 {
		set(p, "comment.id", w.CommentID)
	}
	setIf(p, "comment.body", w.CommentBody)
	setIf(p, "comment.user.login", w.Sender)
	setIf(p, "comment.user.type", w.SenderType)
}

// setRepo writes a repository object's names and URLs for "owner/name".
func setRepo(p map[string]any, key, repo string) {
	o, name, _ := strings.Cut(repo, "/")
	set(p, key+".full_name", repo)
	set(p, key+".name", name)
	set(p, key+".owner.login", o)
	set(p, key+".owner.name", o)
	set(p, key+".clone_url", "https://github.com/"+repo+".git")
	set(p, key+".html_url", "https://github.com/"+repo)
}

// SignedRequest builds a webhook delivery of event with payload, signed
// with the App's webhook secret exactly as GitHub signs it
// (X-Hub-Signature-256: sha256=HMAC-SHA256(secret, body) in hex), and a fresh
// X-GitHub-Delivery id.
func (g *GitHub) SignedRequest(event string, payload []byte) *http.Request {
	g.mu.Lock()
	g.delivery++
	n := g.delivery
	g.mu.Unlock()
	r := httptest.NewRequest(http.MethodPost, "/webhooks/github", bytes.NewReader(payload))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("User-Agent", "GitHub-Hookshot/hostfake")
	r.Header.Set("X-GitHub-Event", event)
	r.Header.Set("X-GitHub-Delivery", fmt.Sprintf("72d3162e-cc78-11e3-81ab-%012d", n))
	r.Header.Set("X-GitHub-Hook-ID", "292430182")
	r.Header.Set("X-Hub-Signature-256", GitHubSignature(g.WebhookSecret, payload))
	return r
}

// GitHubSignature is the X-Hub-Signature-256 value GitHub sends for body.
func GitHubSignature(secret, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// setIf writes a non-empty string at path.
func setIf(m map[string]any, path, v string) {
	if v != "" {
		set(m, path, v)
	}
}

// lookup reads the value at a dotted path, nil when absent.
func lookup(m map[string]any, path string) any {
	var cur any = m
	for _, k := range strings.Split(path, ".") {
		obj, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = obj[k]
	}
	return cur
}
