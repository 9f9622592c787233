package bot_test

import (
	"context"
	"strings"
	"testing"

	"github.com/gitwave/gitwave/hack/examplerepo"
	"github.com/gitwave/gitwave/store"
)

// TestRollbackToTakesOnlyDeployedOrMergedRevisions: payment-service-staging
// ran the pull request's head (synced when it was allowed), then a later
// commit of main. /rollback --to accepts a revision from that history or
// from the default branch, and refuses an unmerged branch that never ran.
// (No cluster is configured, so an accepted rollback fails with "no
// cluster is configured".)
func TestRollbackToTakesOnlyDeployedOrMergedRevisions(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	deployedHead := f.ex.HeadSHA
	current := f.commitOn(examplerepo.MainBranch, map[string]string{"README.md": "main moves on\n"})
	unmerged := f.commitOn("pr/evil", map[string]string{"applications/payment-evil.yaml": evilApp, "evil/crb.yaml": evilBinding})
	recordSync(t, f.store, "payment-service-staging", "staging", deployedHead)
	recordSync(t, f.store, "payment-service-staging", "staging", current)

	tests := []struct {
		name, to string
		accepted bool
	}{
		{"an unmerged branch that never ran", "pr/evil", false},
		{"an unmerged commit that never ran", unmerged, false},
		{"a revision from the app's history", deployedHead, true},
		{"a commit of the default branch never deployed", f.ex.BaseSHA, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := f.commandOn(1, "bob", "/rollback payment-service-staging --cluster staging --to "+tt.to)
			refused := strings.Contains(got, "is neither in the last 50 deployments of payment-service-staging on staging nor on the default branch")
			ran := strings.Contains(got, "no cluster is configured")
			if refused == tt.accepted || ran != tt.accepted {
				t.Errorf("accepted = %v; want %v:\n%s", ran, tt.accepted, got)
			}
		})
	}
	pins, err := f.store.Pins(context.Background(), "payment-service-staging")
	if err != nil || len(pins) != 0 {
		t.Errorf("pins = %+v, %v; want none", pins, err)
	}
}

// recordSync records a successful sync of app on cluster at rev.
func recordSync(t *testing.T, st *store.Store, app, cluster, rev string) {
	t.Helper()
	ctx := context.Background()
	id, err := st.BeginSync(ctx, store.SyncRecord{App: app, Cluster: cluster, Project: "applications", Revision: rev,
		Trigger: store.TriggerMerge, Initiator: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.FinishSync(ctx, id, store.PhaseSucceeded, "", nil); err != nil {
		t.Fatal(err)
	}
}
