package bot_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gitwave/gitwave/bot/hostfake"
	"github.com/gitwave/gitwave/hack/examplerepo"
	"github.com/gitwave/gitwave/planner"
	"github.com/gitwave/gitwave/planner/plannertest"
)

// widgetApp is a root Application reading plannertest.WidgetRepoURL into namespace ns
// on staging, synced automatically.
func widgetApp(ns string) string {
	return `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: widgets
  namespace: argocd
spec:
  project: default
  source:
    repoURL: ` + plannertest.WidgetRepoURL + `
    targetRevision: HEAD
    path: widget
  destination:
    name: staging
    namespace: ` + ns + `
  syncPolicy:
    automated: {}
`
}

// TestOneJobDiscoversAndRendersOnce: a pull request changing an app, with a
// live diff against its (unreachable) cluster, and then its merge, each
// read the other repository once (base and head share one pass, and no
// step discovers a revision again) and render the app once per side: the
// policy, AppProject, live diff and sync steps use the diff's plans.
func TestOneJobDiscoversAndRendersOnce(t *testing.T) {
	c := &plannertest.PassCounter{}
	f := newFixture(t, fixtureOptions{Author: "carol", Planner: &planner.Planner{Scope: c}, Repositories: c, Unreachable: []string{"staging"}})
	f.commitOn(examplerepo.MainBranch, map[string]string{"root-apps/widgets.yaml": widgetApp("widgets")})
	f.commitOn("widgets", map[string]string{"root-apps/widgets.yaml": widgetApp("widgets-v2")})
	f.openPR(2, "carol", "widgets")
	// The first job also asks whether the default branch defines apps,
	// discovering the pull request's base, which the diff then reuses.
	if reads, renders := c.Take(); reads != 1 || renders != 2 {
		t.Errorf("opening the pull request: %d reads of the other repository, %d renders of its app; want 1 and 2", reads, renders)
	}

	head := f.commitOn("widgets", map[string]string{"root-apps/widgets.yaml": widgetApp("widgets-v3")})
	f.setPR(2, "carol", "widgets")
	f.webhook(hostfake.GitHubWebhook{Example: "pull_request.synchronize", Number: 2, HeadSHA: head, HeadRef: "widgets",
		BaseSHA: f.git("rev-parse", examplerepo.MainBranch), BaseRef: examplerepo.MainBranch, Sender: "carol"}, http.StatusAccepted)
	if got := f.run(); got != 1 {
		t.Fatalf("jobs run on the push = %d; want 1", got)
	}
	comment := f.newestReply(2)
	if !strings.Contains(comment, "cluster staging cannot be reached") || !strings.Contains(comment, "widgets-v3") {
		t.Fatalf("the diff did not try the live cluster or lacks the head's namespace:\n%s", comment)
	}
	if reads, renders := c.Take(); reads != 1 || renders != 2 {
		t.Errorf("pull request diff with a live diff: %d reads of the other repository, %d renders of its app; want 1 (one pass for base and head) and 2 (base and head, once each)", reads, renders)
	}

	f.git("merge", "-q", "--ff-only", "widgets")
	answer := f.mergedAs(2, "carol", "widgets", head, head)
	if !strings.Contains(answer, "widgets") {
		t.Fatalf("the deploy comment does not name the app:\n%s", answer)
	}
	// mergedAs gives the pull request the example's base, where the app
	// does not exist yet: it is added, rendered at the head alone.
	if reads, renders := c.Take(); reads != 1 || renders != 1 {
		t.Errorf("merge deploy: %d reads of the other repository, %d renders of its app; want 1 and 1 (the sync applies the diff's render)", reads, renders)
	}
}
