package hostfake_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/gitwave/gitwave/bot/hostfake"
)

func TestGitLabSignedRequest(t *testing.T) {
	fake := hostfake.NewGitLab(t)
	tests := []struct {
		webhook   hostfake.GitLabWebhook
		wantEvent string
		check     func(map[string]any) bool
	}{
		{hostfake.GitLabWebhook{Example: "merge_request", Repo: "acme/app", IID: 4, Action: "update", OldRev: "abc"},
			"Merge Request Hook", func(p map[string]any) bool {
				a := p["object_attributes"].(map[string]any)
				return a["iid"] == 4.0 && a["action"] == "update" && a["oldrev"] == "abc" &&
					p["project"].(map[string]any)["path_with_namespace"] == "acme/app"
			}},
		{hostfake.GitLabWebhook{Example: "note_merge_request", NoAction: true, NoteBody: "/help"},
			"Note Hook", func(p map[string]any) bool {
				a := p["object_attributes"].(map[string]any)
				_, hasAction := a["action"]
				return !hasAction && a["note"] == "/help"
			}},
		{hostfake.GitLabWebhook{Example: "push", Ref: "refs/heads/main", After: "def"},
			"Push Hook", func(p map[string]any) bool { return p["ref"] == "refs/heads/main" && p["after"] == "def" }},
	}
	for _, tt := range tests {
		t.Run(tt.webhook.Example, func(t *testing.T) {
			event, body := fake.Webhook(t, tt.webhook)
			r := fake.SignedRequest(event, body)
			if r.Header.Get("X-Gitlab-Event") != tt.wantEvent || r.Header.Get("X-Gitlab-Token") != string(fake.WebhookSecret) ||
				r.Header.Get("X-Gitlab-Event-UUID") == "" {
				t.Errorf("headers = %v", r.Header)
			}
			sent, _ := io.ReadAll(r.Body)
			var p map[string]any
			if err := json.Unmarshal(sent, &p); err != nil || !tt.check(p) {
				t.Errorf("payload %s does not carry the overrides (%v)", sent, err)
			}
		})
	}
}

func TestGitLabAuthAndPagination(t *testing.T) {
	fake := hostfake.NewGitLab(t)
	fake.AddProject("acme/app")
	mr := fake.AddMergeRequest("acme/app", hostfake.PullRequest{Head: "a", Base: "main"})
	for range 45 {
		fake.AddNote("acme/app", mr.Number, hostfake.Comment{Author: "alice", Body: "hi"})
	}
	get := func(path, token string) *http.Response {
		req, _ := http.NewRequest("GET", fake.URL+"api/v4"+path, nil)
		if token != "" {
			req.Header.Set("PRIVATE-TOKEN", token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if resp := get("/projects/acme%2Fapp/merge_requests/1/notes", ""); resp.StatusCode != 401 {
		t.Errorf("without PRIVATE-TOKEN: %d; want 401", resp.StatusCode)
	}
	resp := get("/projects/acme%2Fapp/merge_requests/1/notes?page=2", string(fake.Token))
	h := resp.Header
	if resp.StatusCode != 200 || h.Get("X-Page") != "2" || h.Get("X-Next-Page") != "3" || h.Get("X-Total") != "45" ||
		h.Get("X-Total-Pages") != "3" || !strings.Contains(h.Get("Link"), `rel="next"`) {
		t.Errorf("page 2 of 45 notes: %d %v; want GitLab's pagination headers for 20 per page", resp.StatusCode, h)
	}
	if resp := get("/projects/acme%2Fnothing/merge_requests/1/notes", string(fake.Token)); resp.StatusCode != 404 {
		t.Errorf("missing project: %d; want 404", resp.StatusCode)
	}
	paths := []string{}
	for _, r := range fake.Requests() {
		paths = append(paths, r.Path)
	}
	if paths[0] != "/projects/acme%2Fapp/merge_requests/1/notes" {
		t.Errorf("recorded paths %q; want them relative to /api/v4, escaped as sent", paths)
	}
}
