package bot_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gitwave/gitwave/bot/hostfake"
	"github.com/gitwave/gitwave/hack/examplerepo"
)

// replay sends a signed body again under a new delivery id, as an attacker
// who captured it would, and checks that it is answered as a duplicate and
// runs nothing.
func replay(t *testing.T, f *fixture, w hostfake.GitHubWebhook) {
	t.Helper()
	event, body := f.gh.Webhook(t, w)
	rec := f.deliver(f.gh.SignedRequest(event, body))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "duplicate") {
		t.Errorf("%s replayed under a new delivery id = %d %s; want 200 duplicate", w.Example, rec.Code, rec.Body)
	}
	if n := f.run(); n != 0 {
		t.Errorf("%s replayed: %d jobs ran; want none", w.Example, n)
	}
}

func TestDedupCommentCommandByCommentID(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	id := f.comment("bob", "/help")
	if n := f.run(); n != 1 {
		t.Fatalf("jobs run = %d; want 1", n)
	}
	replay(t, f, hostfake.GitHubWebhook{Example: "issue_comment.created", Repo: exampleRepo, DefaultBranch: "main",
		Number: 1, CommentID: id, CommentBody: "/help", Sender: "bob", SenderType: "User"})
	if got := len(f.botComments(1)); got != 1 {
		t.Errorf("gitwave replies = %d; want 1", got)
	}
	f.comment("bob", "/help") // the same words in a new comment are new work
	if n := f.run(); n != 1 {
		t.Errorf("jobs run for a new comment = %d; want 1", n)
	}
}

func TestDedupPullRequestByHeadAndAction(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	pr := func(action, head string) hostfake.GitHubWebhook {
		example := "pull_request.opened"
		if action == "synchronize" {
			example = "pull_request.synchronize"
		}
		return hostfake.GitHubWebhook{Example: example, Action: action, Repo: exampleRepo, DefaultBranch: "main", Number: 1,
			HeadSHA: head, HeadRef: examplerepo.PRBranch, BaseSHA: f.ex.BaseSHA, BaseRef: "main", Sender: "bob"}
	}
	f.opened(http.StatusAccepted)
	if n := f.run(); n != 1 {
		t.Fatalf("jobs run = %d; want 1", n)
	}
	replay(t, f, pr("opened", f.ex.HeadSHA))

	newHead := f.commitOnPR("apps/payment-service/values.yaml", "replicaCount: 3\n")
	f.webhook(pr("synchronize", newHead), http.StatusAccepted)
	if n := f.run(); n != 1 {
		t.Fatalf("jobs run for a push to a new head = %d; want 1", n)
	}
	replay(t, f, pr("synchronize", newHead))
	f.webhook(pr("reopened", newHead), http.StatusAccepted)
	if n := f.run(); n != 1 {
		t.Errorf("jobs run for a reopen = %d; want 1", n)
	}
}

func TestDedupMergeByMergeSHA(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	merge(t, f)
	replies := len(f.botComments(1))
	merged := hostfake.GitHubWebhook{Example: "pull_request.closed", Repo: exampleRepo, DefaultBranch: "main", Number: 1,
		HeadSHA: f.ex.HeadSHA, HeadRef: examplerepo.PRBranch, BaseSHA: f.ex.BaseSHA, BaseRef: "main", Merged: true,
		MergeSHA: f.ex.HeadSHA, Sender: "bob"}
	replay(t, f, merged)
	if got := len(f.botComments(1)); got != replies {
		t.Errorf("gitwave comments after the replayed merge = %d; want %d", got, replies)
	}
	// GitHub sends the merge again as a push to the default branch: that
	// delivery is still accepted, and the deploy lock keeps it from
	// deploying the revision a second time.
	f.webhook(hostfake.GitHubWebhook{Example: "push", Ref: "refs/heads/main", Before: f.ex.BaseSHA, After: f.ex.HeadSHA,
		Sender: "bob"}, http.StatusAccepted)
}
