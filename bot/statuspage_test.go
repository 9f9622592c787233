package bot_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestPRCommentAndStatusesLinkToTheStatusPage: with ui.externalURL, the
// diff comment links each app × cluster to its page and the commit status
// points at the status page; TestPRComment shows nothing changes without.
func TestPRCommentAndStatusesLinkToTheStatusPage(t *testing.T) {
	f := newFixture(t, fixtureOptions{StatusPageURL: "https://gw.example/status"})
	f.opened(http.StatusAccepted)
	if n := f.run(); n != 1 {
		t.Fatalf("jobs run = %d; want 1", n)
	}
	comments := f.botComments(1)
	if len(comments) != 1 {
		t.Fatalf("gitwave comments = %d; want 1", len(comments))
	}
	body := comments[0]
	if !strings.Contains(body, "| Status page |") || !strings.Contains(body, "[view](https://gw.example/status/app?app=payment-service-production-apne2&cluster=production-apne2&repo=acme%2Fk8s-gitops)") {
		t.Errorf("comment does not link the apps to the status page:\n%s", body)
	}
	golden(t, "pr_comment_statuslinks.golden", f.normalize(body))
	diff := f.status(f.ex.HeadSHA, "gitwave/diff")
	if !strings.HasPrefix(diff.TargetURL, "https://gw.example/status/") {
		t.Errorf("gitwave/diff target_url = %q; want the status page", diff.TargetURL)
	}
}
