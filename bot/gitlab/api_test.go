package gitlab_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/gitwave/gitwave/bot"
	"github.com/gitwave/gitwave/bot/gitlab"
	"github.com/gitwave/gitwave/bot/hostfake"
)

// escaped is the project as it appears in API paths.
var escaped = "/projects/" + url.PathEscape(project)

func TestComments(t *testing.T) {
	ctx := context.Background()
	h, fake := newHost(t, gitlab.Options{})
	mr := fake.AddMergeRequest(project, hostfake.PullRequest{Title: "Bump", Author: "alice", Head: "bump", Base: "main"})
	for i := range 120 {
		fake.AddNote(project, mr.Number, hostfake.Comment{Author: "alice", Body: fmt.Sprintf("note %d", i)})
	}
	fake.AddNote(project, mr.Number, hostfake.Comment{Author: "alice", Body: "added 1 commit", System: true})
	renovate := fake.AddNote(project, mr.Number, hostfake.Comment{Author: "project_9_bot_77aa", Body: "/diff"})

	id, err := h.CreateComment(ctx, project, mr.Number, "<!-- gitwave -->\nfirst")
	if err != nil {
		t.Fatalf("CreateComment: %v", err)
	}
	if err := h.EditComment(ctx, project, mr.Number, id, "<!-- gitwave -->\nsecond"); err != nil {
		t.Fatalf("EditComment: %v", err)
	}
	got, err := h.Comments(ctx, project, mr.Number)
	if err != nil {
		t.Fatalf("Comments: %v", err)
	}
	if len(got) != 122 {
		t.Fatalf("Comments returned %d notes; want 122 (system note left out) across pages", len(got))
	}
	for i := range 120 {
		if got[i].Body != fmt.Sprintf("note %d", i) || got[i].Bot {
			t.Fatalf("note %d = %+v; want alice's note %d, oldest first", i, got[i], i)
		}
	}
	wantTail := []bot.Comment{
		{ID: strconv.FormatInt(renovate, 10), Author: "project_9_bot_77aa", Body: "/diff", Bot: true},
		{ID: id, Author: hostfake.GitLabUsername, Body: "<!-- gitwave -->\nsecond", Bot: true},
	}
	if !reflect.DeepEqual(got[120:], wantTail) {
		t.Errorf("last notes = %+v; want %+v", got[120:], wantTail)
	}
	if n := count(fake, "GET", "/notes"); n != 2 {
		t.Errorf("note pages requested = %d; want 2", n)
	}
	if n := count(fake, "GET", "/user"); n != 1 {
		t.Errorf("GET /user requested %d times; want once, to know gitwave's own notes", n)
	}
	for _, r := range fake.Requests() {
		if r.Header.Get("PRIVATE-TOKEN") != string(fake.Token) {
			t.Errorf("%s %s without the PRIVATE-TOKEN", r.Method, r.Path)
		}
	}
}

func TestCommentTooLong(t *testing.T) {
	h, fake := newHost(t, gitlab.Options{})
	mr := fake.AddMergeRequest(project, hostfake.PullRequest{Head: "bump", Base: "main"})
	_, err := h.CreateComment(context.Background(), project, mr.Number, strings.Repeat("x", gitlab.MaxCommentLength+1))
	if err == nil || !strings.Contains(err.Error(), "is too long") || !strings.Contains(err.Error(), project+"!1") {
		t.Fatalf("CreateComment over the limit = %v; want GitLab's refusal naming the merge request", err)
	}
}

func TestReact(t *testing.T) {
	ctx := context.Background()
	h, fake := newHost(t, gitlab.Options{})
	mr := fake.AddMergeRequest(project, hostfake.PullRequest{Head: "bump", Base: "main"})
	note := fake.AddNote(project, mr.Number, hostfake.Comment{Author: "alice", Body: "/sync"})
	for _, reaction := range []string{"eyes", "+1", "-1"} {
		if err := h.React(ctx, project, mr.Number, strconv.FormatInt(note, 10), reaction); err != nil {
			t.Fatalf("React %s: %v", reaction, err)
		}
	}
	want := []hostfake.Reaction{{Content: "eyes", User: "gitwave"}, {Content: "thumbsup", User: "gitwave"}, {Content: "thumbsdown", User: "gitwave"}}
	if got := fake.Reactions(note); !reflect.DeepEqual(got, want) {
		t.Errorf("award emoji = %+v; want %+v", got, want)
	}
	if n := count(fake, "POST", fmt.Sprintf("/merge_requests/%d/notes/%d/award_emoji", mr.Number, note)); n != 3 {
		t.Errorf("award emoji requests = %d; want 3", n)
	}
}

func TestSetStatus(t *testing.T) {
	ctx := context.Background()
	h, fake := newHost(t, gitlab.Options{})
	steps := []struct {
		in        bot.Status
		wantState string
	}{
		{bot.Status{Context: "gitwave/diff", State: "pending", Description: "rendering"}, "pending"},
		{bot.Status{Context: "gitwave/diff", State: "pending", Description: "rendering again"}, ""}, // same state: no new status
		{bot.Status{Context: "gitwave/diff", State: "success", Description: "3 apps"}, "success"},
		{bot.Status{Context: "gitwave/policy", State: "failure", Description: "denied", TargetURL: "https://x/1"}, "failed"},
		{bot.Status{Context: "gitwave/drift", State: "error", Description: "cluster down"}, "failed"},
	}
	var want []hostfake.Status
	for _, s := range steps {
		if err := h.SetStatus(ctx, project, headSHA, s.in); err != nil {
			t.Fatalf("SetStatus(%+v): %v", s.in, err)
		}
		if s.wantState != "" {
			want = append(want, hostfake.Status{Context: s.in.Context, State: s.wantState,
				Description: s.in.Description, TargetURL: s.in.TargetURL})
		}
	}
	if got := fake.Statuses(project, headSHA); !reflect.DeepEqual(got, want) {
		t.Errorf("statuses = %+v; want %+v", got, want)
	}
	if n := count(fake, "POST", escaped+"/statuses/"+headSHA); n != len(steps) {
		t.Errorf("status requests = %d; want %d", n, len(steps))
	}
	if err := h.SetStatus(ctx, project, headSHA, bot.Status{Context: "gitwave/diff", State: "done"}); err == nil ||
		!strings.Contains(err.Error(), `"done"`) {
		t.Errorf("SetStatus with state done = %v; want an error naming the state", err)
	}
}

func TestOpenPR(t *testing.T) {
	ctx := context.Background()
	h, fake := newHost(t, gitlab.Options{})
	got, err := h.OpenPR(ctx, project, bot.NewPR{Head: "revert-podinfo", Base: "main", Title: "Revert podinfo", Body: "rollback"})
	if err != nil {
		t.Fatalf("OpenPR: %v", err)
	}
	mrs := fake.PullRequests(project)
	if len(mrs) != 1 {
		t.Fatalf("GitLab holds %d merge requests; want 1", len(mrs))
	}
	want := bot.PR{Number: mrs[0].Number, Title: "Revert podinfo", Author: hostfake.GitLabUsername,
		HeadSHA: mrs[0].HeadSHA, HeadRef: "revert-podinfo", BaseRef: "main", BaseSHA: mrs[0].BaseSHA,
		URL: got.URL, Body: "rollback"}
	if !reflect.DeepEqual(got, want) || !strings.HasSuffix(got.URL, project+"/-/merge_requests/1") {
		t.Errorf("OpenPR = %+v; want %+v", got, want)
	}
	last := fake.Requests()[len(fake.Requests())-1]
	var sent map[string]any
	if err := json.Unmarshal(last.Body, &sent); err != nil || sent["source_branch"] != "revert-podinfo" || sent["target_branch"] != "main" {
		t.Errorf("OpenPR sent %s %s %s", last.Method, last.Path, last.Body)
	}
	if _, err := h.OpenPR(ctx, project, bot.NewPR{Head: "revert-podinfo", Base: "main", Title: "again"}); err == nil ||
		!strings.Contains(err.Error(), "already exists") {
		t.Errorf("second OpenPR = %v; want GitLab's 409", err)
	}
	read, err := h.PullRequest(ctx, project, got.Number)
	if err != nil || !reflect.DeepEqual(read, got) {
		t.Errorf("PullRequest = %+v, %v; want %+v", read, err, got)
	}
}

func TestCloneTokenAndErrors(t *testing.T) {
	ctx := context.Background()
	h, fake := newHost(t, gitlab.Options{})
	if token, err := h.CloneToken(ctx, project); err != nil || token != string(fake.Token) {
		t.Errorf("CloneToken = %q, %v; want the access token", token, err)
	}
	if _, err := h.Comments(ctx, "acme/missing", 1); err == nil || !strings.Contains(err.Error(), "acme/missing!1") ||
		!strings.Contains(err.Error(), "404") {
		t.Errorf("Comments on a missing project = %v; want a 404 naming it", err)
	}
	if err := h.EditComment(ctx, project, 1, "x1", "body"); err == nil || !strings.Contains(err.Error(), `"x1"`) {
		t.Errorf("EditComment with a bad id = %v", err)
	}
	wrong, err := gitlab.New(gitlab.Options{BaseURL: fake.URL, Token: []byte("nope"), WebhookSecret: []byte("s")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wrong.Comments(ctx, project, 1); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("Comments with a wrong token = %v; want 401", err)
	}
}
