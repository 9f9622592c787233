package bot_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gitwave/gitwave/bot/hostfake"
	"github.com/gitwave/gitwave/hack/examplerepo"
)

// TestPRComment renders pull request 1 of the example without clusters:
// the comment is the render diff against the merge base, with a note per
// cluster, and the policy verdict of the author (bob, payment team) per app.
func TestPRComment(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	f.opened(http.StatusAccepted)
	if n := f.run(); n != 1 {
		t.Fatalf("jobs run = %d; want 1", n)
	}
	comments := f.botComments(1)
	if len(comments) != 1 {
		t.Fatalf("gitwave comments = %d; want 1", len(comments))
	}
	body := comments[0]
	if !strings.HasPrefix(body, "<!-- gitwave:diff -->\n") {
		t.Errorf("comment does not start with the hidden marker:\n%s", body)
	}
	golden(t, "pr_comment.golden", f.normalize(body))

	diff := f.status(f.ex.HeadSHA, "gitwave/diff")
	if diff.State != "success" {
		t.Errorf("gitwave/diff = %+v; want success", diff)
	}
	pol := f.status(f.ex.HeadSHA, "gitwave/policy")
	if pol.State != "failure" || !strings.Contains(pol.Description, "paths, modify") ||
		!strings.Contains(pol.Description, "applications/microservices.yaml") {
		t.Errorf("gitwave/policy = %+v; want a failure naming the file and the grant", pol)
	}
}

// TestPushUpdatesTheSameComment pushes to the pull request: the comment is
// edited in place and describes the new head.
func TestPushUpdatesTheSameComment(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	f.opened(http.StatusAccepted)
	f.run()
	first := f.gh.Comments(exampleRepo, 1)
	head2 := f.commitOnPR("apps/payment-service/values-staging.yaml", "replicaCount: 4\n")
	f.gh.AddPullRequest(exampleRepo, hostfake.PullRequest{Number: 1, Title: "Deploy payment-service v2.4.0", Author: "bob",
		Head: examplerepo.PRBranch, Base: examplerepo.MainBranch, HeadSHA: head2, BaseSHA: f.ex.BaseSHA})
	f.webhook(hostfake.GitHubWebhook{Example: "pull_request.synchronize", Number: 1, HeadSHA: head2,
		HeadRef: examplerepo.PRBranch, BaseSHA: f.ex.BaseSHA, BaseRef: "main", Sender: "bob"}, http.StatusAccepted)
	if n := f.run(); n != 1 {
		t.Fatalf("jobs run = %d; want 1", n)
	}
	after := f.gh.Comments(exampleRepo, 1)
	if len(first) != 1 || len(after) != 1 || first[0].ID != after[0].ID {
		t.Fatalf("comments before %d, after %d (ids %v -> %v); want the same one comment", len(first), len(after), first, after)
	}
	if !strings.Contains(after[0].Body, head2[:12]) || strings.Contains(after[0].Body, f.ex.HeadSHA[:12]) {
		t.Errorf("edited comment does not describe the new head %s:\n%s", head2[:12], after[0].Body)
	}
	edits := 0
	for _, r := range f.gh.Requests() {
		if r.Method == http.MethodPatch && strings.Contains(r.Path, "/issues/comments/") {
			edits++
		}
	}
	if edits != 1 {
		t.Errorf("comment edits = %d; want 1", edits)
	}
	if got := f.status(head2, "gitwave/diff").State; got != "success" {
		t.Errorf("gitwave/diff on the new head = %q; want success", got)
	}
}
