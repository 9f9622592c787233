package github_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/gitwave/gitwave/bot"
	"github.com/gitwave/gitwave/bot/github"
	"github.com/gitwave/gitwave/bot/hostfake"
)

func TestComments(t *testing.T) {
	ctx := context.Background()
	h, fake := newHost(t, github.Options{})
	pr := fake.AddPullRequest(repo, hostfake.PullRequest{Title: "Bump", Author: "alice", Head: "bump", Base: "main"})
	for i := range 130 {
		fake.AddComment(repo, pr.Number, hostfake.Comment{Author: "alice", Body: fmt.Sprintf("comment %d", i)})
	}
	renovate := fake.AddComment(repo, pr.Number, hostfake.Comment{Author: "renovate[bot]", Body: "/diff", Bot: true})

	id, err := h.CreateComment(ctx, repo, pr.Number, "<!-- gitwave -->\nfirst")
	if err != nil {
		t.Fatalf("CreateComment: %v", err)
	}
	if err := h.EditComment(ctx, repo, pr.Number, id, "<!-- gitwave -->\nsecond"); err != nil {
		t.Fatalf("EditComment: %v", err)
	}
	got, err := h.Comments(ctx, repo, pr.Number)
	if err != nil {
		t.Fatalf("Comments: %v", err)
	}
	if len(got) != 132 {
		t.Fatalf("Comments returned %d comments; want all 132 across pages", len(got))
	}
	for i := range 130 {
		if got[i].Body != fmt.Sprintf("comment %d", i) || got[i].Author != "alice" || got[i].Bot {
			t.Fatalf("comment %d = %+v; want alice's comment %d, oldest first", i, got[i], i)
		}
	}
	wantTail := []bot.Comment{
		{ID: strconv.FormatInt(renovate, 10), Author: "renovate[bot]", Body: "/diff", Bot: true},
		{ID: id, Author: hostfake.GitHubAppSlug + "[bot]", Body: "<!-- gitwave -->\nsecond", Bot: true},
	}
	if !reflect.DeepEqual(got[130:], wantTail) {
		t.Errorf("last comments = %+v; want %+v", got[130:], wantTail)
	}
	var pages []string
	for _, r := range fake.Requests() {
		if r.Method == "GET" && strings.HasSuffix(r.Path, "/comments") {
			pages = append(pages, r.Query)
		}
	}
	if len(pages) != 2 || !strings.Contains(pages[0], "per_page=100") || !strings.Contains(pages[1], "page=2") {
		t.Errorf("comment list requests = %q; want two pages of 100", pages)
	}
}

func TestCommentTooLong(t *testing.T) {
	ctx := context.Background()
	h, fake := newHost(t, github.Options{})
	pr := fake.AddPullRequest(repo, hostfake.PullRequest{Head: "bump", Base: "main"})
	atLimit := strings.Repeat("é", github.MaxCommentLength) // characters, not bytes
	if _, err := h.CreateComment(ctx, repo, pr.Number, atLimit); err != nil {
		t.Fatalf("CreateComment of exactly %d characters: %v", utf8.RuneCountInString(atLimit), err)
	}
	_, err := h.CreateComment(ctx, repo, pr.Number, atLimit+"x")
	if err == nil || !strings.Contains(err.Error(), "422") || !strings.Contains(err.Error(), "body is too long") ||
		!strings.Contains(err.Error(), repo+"#"+strconv.Itoa(pr.Number)) {
		t.Fatalf("CreateComment over the limit = %v; want GitHub's 422 naming the pull request", err)
	}
	if n := len(fake.Comments(repo, pr.Number)); n != 1 {
		t.Errorf("GitHub holds %d comments; want only the one within the limit", n)
	}
}

func TestReact(t *testing.T) {
	ctx := context.Background()
	h, fake := newHost(t, github.Options{})
	pr := fake.AddPullRequest(repo, hostfake.PullRequest{Head: "bump", Base: "main"})
	id := fake.AddComment(repo, pr.Number, hostfake.Comment{Author: "alice", Body: "/sync"})
	if err := h.React(ctx, repo, pr.Number, strconv.FormatInt(id, 10), "eyes"); err != nil {
		t.Fatalf("React: %v", err)
	}
	want := []hostfake.Reaction{{Content: "eyes", User: hostfake.GitHubAppSlug + "[bot]"}}
	if got := fake.Reactions(id); !reflect.DeepEqual(got, want) {
		t.Errorf("reactions = %+v; want %+v", got, want)
	}
	last := fake.Requests()[len(fake.Requests())-1]
	if last.Path != fmt.Sprintf("/repos/%s/issues/comments/%d/reactions", repo, id) || !strings.Contains(string(last.Body), `"content":"eyes"`) {
		t.Errorf("last request = %s %s %s; want the reactions endpoint with content eyes", last.Method, last.Path, last.Body)
	}
	if err := h.React(ctx, repo, pr.Number, "abc", "eyes"); err == nil || !strings.Contains(err.Error(), `"abc"`) {
		t.Errorf("React with a bad id = %v; want an error naming it", err)
	}
}

func TestSetStatus(t *testing.T) {
	ctx := context.Background()
	h, fake := newHost(t, github.Options{})
	long := strings.Repeat("policy: alice may not modify apps/podinfo/ ", 10)
	tests := []struct {
		in   bot.Status
		want hostfake.Status
	}{
		{bot.Status{Context: "gitwave/diff", State: "pending", Description: "rendering 3 apps"},
			hostfake.Status{Context: "gitwave/diff", State: "pending", Description: "rendering 3 apps"}},
		{bot.Status{Context: "gitwave/policy", State: "failure", Description: long, TargetURL: "https://ci.example/1"},
			hostfake.Status{Context: "gitwave/policy", State: "failure",
				Description: string([]rune(long)[:github.MaxStatusDescription-1]) + "…", TargetURL: "https://ci.example/1"}},
	}
	for _, tt := range tests {
		if err := h.SetStatus(ctx, repo, headSHA, tt.in); err != nil {
			t.Fatalf("SetStatus(%+v): %v", tt.in, err)
		}
	}
	var want []hostfake.Status
	for _, tt := range tests {
		want = append(want, tt.want)
	}
	if got := fake.Statuses(repo, headSHA); !reflect.DeepEqual(got, want) {
		t.Errorf("statuses = %+v; want %+v", got, want)
	}
	if err := h.SetStatus(ctx, repo, headSHA, bot.Status{Context: "gitwave/diff", State: "running"}); err == nil ||
		!strings.Contains(err.Error(), `"running"`) {
		t.Errorf("SetStatus with state running = %v; want an error naming the state", err)
	}
}

func TestOpenPR(t *testing.T) {
	ctx := context.Background()
	h, fake := newHost(t, github.Options{})
	fake.AddPullRequest(repo, hostfake.PullRequest{Head: "bump", Base: "main"})
	got, err := h.OpenPR(ctx, repo, bot.NewPR{Head: "revert-podinfo", Base: "main", Title: "Revert podinfo", Body: "rollback by alice"})
	if err != nil {
		t.Fatalf("OpenPR: %v", err)
	}
	prs := fake.PullRequests(repo)
	created := prs[len(prs)-1]
	want := bot.PR{Number: created.Number, Title: "Revert podinfo", Author: hostfake.GitHubAppSlug + "[bot]",
		HeadSHA: created.HeadSHA, HeadRef: "revert-podinfo", BaseRef: "main", BaseSHA: created.BaseSHA,
		URL: got.URL, Body: "rollback by alice"}
	if len(prs) != 2 || created.Number != 2 || !reflect.DeepEqual(got, want) || got.URL == "" {
		t.Errorf("OpenPR = %+v; GitHub holds %+v", got, prs)
	}
	var sent map[string]string
	last := fake.Requests()[len(fake.Requests())-1]
	if err := json.Unmarshal(last.Body, &sent); err != nil || sent["head"] != "revert-podinfo" || sent["base"] != "main" {
		t.Errorf("OpenPR sent %s %s %s", last.Method, last.Path, last.Body)
	}
	if _, err := h.OpenPR(ctx, repo, bot.NewPR{Head: "revert-podinfo", Base: "main", Title: "again"}); err == nil ||
		!strings.Contains(err.Error(), "already exists") {
		t.Errorf("second OpenPR for the same branch = %v; want GitHub's refusal", err)
	}
	read, err := h.PullRequest(ctx, repo, got.Number)
	if err != nil || !reflect.DeepEqual(read, got) {
		t.Errorf("PullRequest = %+v, %v; want %+v", read, err, got)
	}
}

func TestInstallationToken(t *testing.T) {
	ctx := context.Background()
	h, fake := newHost(t, github.Options{})
	pr := fake.AddPullRequest(repo, hostfake.PullRequest{Head: "bump", Base: "main"})
	for range 3 {
		if _, err := h.Comments(ctx, repo, pr.Number); err != nil {
			t.Fatalf("Comments: %v", err)
		}
	}
	token, err := h.CloneToken(ctx, repo)
	if err != nil || !strings.HasPrefix(token, "ghs_") {
		t.Fatalf("CloneToken = %q, %v; want an installation token", token, err)
	}
	if fake.TokensMinted() != 1 || count(fake, "GET", "/installation") != 1 {
		t.Errorf("minted %d tokens and looked the installation up %d times; want 1 and 1",
			fake.TokensMinted(), count(fake, "GET", "/installation"))
	}
	for _, r := range fake.Requests() {
		auth := r.Header.Get("Authorization")
		switch {
		case strings.HasPrefix(r.Path, "/app/") || strings.HasSuffix(r.Path, "/installation"):
			if !strings.HasPrefix(auth, "Bearer ") || strings.Count(auth, ".") != 2 {
				t.Errorf("%s %s authorized with %.12q…; want the App JWT", r.Method, r.Path, auth)
			}
		case auth != "token "+token:
			t.Errorf("%s %s authorized with %.12q…; want the installation token", r.Method, r.Path, auth)
		}
	}
}

func TestInstallationTokenRenewed(t *testing.T) {
	ctx := context.Background()
	// Tokens are renewed a minute before they expire: one living 61s is
	// fresh for one second.
	h, fake := newHost(t, github.Options{Installations: map[string]int64{repo: 77}})
	fake.SetTokenTTL(61 * time.Second)
	first, err := h.CloneToken(ctx, repo)
	if err != nil {
		t.Fatalf("CloneToken: %v", err)
	}
	if again, _ := h.CloneToken(ctx, repo); again != first {
		t.Errorf("token changed before expiry")
	}
	time.Sleep(1100 * time.Millisecond)
	renewed, err := h.CloneToken(ctx, repo)
	if err != nil || renewed == first || fake.TokensMinted() != 2 {
		t.Errorf("after expiry: token renewed=%v, minted %d, err %v; want a second token", renewed != first, fake.TokensMinted(), err)
	}
	if n := count(fake, "GET", "/installation"); n != 0 {
		t.Errorf("installation looked up %d times; want 0 when Options.Installations names it", n)
	}
}

func TestConcurrentUse(t *testing.T) {
	ctx := context.Background()
	h, fake := newHost(t, github.Options{})
	fake.AddRepo("acme/other", 78)
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Go(func() {
			r := []string{repo, "acme/other"}[i%2]
			errs[i] = h.SetStatus(ctx, r, headSHA, bot.Status{Context: "gitwave/diff", State: "success"})
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatalf("SetStatus: %v", err)
		}
	}
	if got := len(fake.Statuses(repo, headSHA)) + len(fake.Statuses("acme/other", headSHA)); got != 8 {
		t.Errorf("statuses set = %d; want 8", got)
	}
	if fake.TokensMinted() != 2 {
		t.Errorf("minted %d tokens; want one per installation", fake.TokensMinted())
	}
}

func TestUnknownRepo(t *testing.T) {
	h, _ := newHost(t, github.Options{})
	_, err := h.Comments(context.Background(), "acme/not-installed", 1)
	if err == nil || !strings.Contains(err.Error(), "installation for acme/not-installed") || !strings.Contains(err.Error(), "404") {
		t.Errorf("Comments on a repo without the App = %v; want the installation lookup's 404", err)
	}
	if _, err := h.Comments(context.Background(), "no-slash", 1); err == nil || !strings.Contains(err.Error(), "not owner/name") {
		t.Errorf("Comments on a bad repo name = %v", err)
	}
}

// count counts recorded requests with method whose path ends in suffix.
func count(fake *hostfake.GitHub, method, suffix string) int {
	n := 0
	for _, r := range fake.Requests() {
		if r.Method == method && strings.HasSuffix(r.Path, suffix) {
			n++
		}
	}
	return n
}
