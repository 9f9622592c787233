package bot_test

import (
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/gitwave/gitwave/bot/hostfake"
	"github.com/gitwave/gitwave/hack/examplerepo"
	"github.com/gitwave/gitwave/store"
)

// TestPRCommentRemovedApps pushes to pull request 1 a head that drops
// notification-service from the microservices list (its Applications
// carry the resources finalizer, as ApplicationSets give them) and empties
// root-infrastructure (an Application without it, parent of the
// monitoring-agent apps). The comment says, per app × cluster, whether
// merging deletes or orphans it, with the object counts of the inventory.
func TestPRCommentRemovedApps(t *testing.T) {
	f := newFixture(t, fixtureOptions{Author: "carol"})
	inventory := func(app, cluster string, names ...string) {
		var es []store.InventoryEntry
		for _, n := range names {
			es = append(es, store.InventoryEntry{Version: "v1", Kind: "ConfigMap", Namespace: "ns", Name: n})
		}
		if err := f.store.SaveInventory(t.Context(), app, cluster, f.ex.BaseSHA, es); err != nil {
			t.Fatal(err)
		}
	}
	inventory("notification-service-staging", "staging", "a", "b", "c")
	inventory("monitoring-agent-production-use1", "production-use1", "a", "b")

	list, err := os.ReadFile("../testdata/example/pr/applications/microservices.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dropped := strings.Replace(string(list), "                - service: notification-service\n                  replicas: '1'\n                  memory: '256Mi'\n", "", 1)
	if dropped == string(list) {
		t.Fatal("the example's microservices list no longer holds notification-service as this test expects")
	}
	head2 := f.commitOnPR("applications/microservices.yaml", dropped)
	head3 := f.commitOnPR("root-apps/infrastructure.yaml", "# root-infrastructure is retired\n")
	f.gh.AddPullRequest(exampleRepo, hostfake.PullRequest{Number: 1, Title: "Deploy payment-service v2.4.0", Author: "carol",
		Head: examplerepo.PRBranch, Base: examplerepo.MainBranch, HeadSHA: head3, BaseSHA: f.ex.BaseSHA})
	f.webhook(hostfake.GitHubWebhook{Example: "pull_request.synchronize", Number: 1, HeadSHA: head3,
		HeadRef: examplerepo.PRBranch, BaseSHA: f.ex.BaseSHA, BaseRef: "main", Sender: "carol"}, http.StatusAccepted)
	if n := f.run(); n != 1 {
		t.Fatalf("jobs run = %d; want 1", n)
	}
	body := f.lastReply()
	for _, want := range []string{
		"**will be deleted** from `staging`: its Application carries `resources-finalizer.argocd.argoproj.io`, so merging this deletes the 3 objects",
		"**will be orphaned** on `production-use1`: its parent Application `root-infrastructure` is removed",
		"the 2 objects of its last sync there",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("comment lacks %q", want)
		}
	}
	golden(t, "pr_comment_removed.golden", f.normalize(body, head2, head3))
}
