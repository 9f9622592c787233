package bot_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gitwave/gitwave/store"
)

// TestTerminateCommand: /terminate needs sync on the app and its cluster,
// as /sync does; granted, it records the request the running sync polls.
func TestTerminateCommand(t *testing.T) {
	f := newFixture(t, fixtureOptions{Author: "carol"})
	f.opened(http.StatusAccepted)
	f.run()
	id, err := f.store.BeginSync(t.Context(), store.SyncRecord{App: "payment-service-staging", Cluster: "staging",
		Project: "applications", Revision: f.ex.HeadSHA, Trigger: store.TriggerMerge, Initiator: "carol"})
	if err != nil {
		t.Fatal(err)
	}
	ask := func(author, body string) string {
		t.Helper()
		f.comment(author, body)
		if n := f.run(); n != 1 {
			t.Fatalf("jobs run = %d; want 1", n)
		}
		return f.lastReply()
	}

	got := ask("alice", "/terminate payment-service-staging")
	if !strings.Contains(got, "alice may not sync application `applications/payment-service-staging` on cluster `staging`") {
		t.Errorf("alice's /terminate answer lacks the denial:\n%s", got)
	}
	if _, requested, _ := f.store.TerminateRequested(t.Context(), id); requested {
		t.Fatal("a denied /terminate asked the sync to stop")
	}

	got = ask("bob", "/terminate payment-service-staging --cluster staging")
	if !strings.Contains(got, "asked sync") || !strings.Contains(got, "Terminated") {
		t.Errorf("bob's /terminate answer does not say the sync was asked to stop:\n%s", got)
	}
	if by, requested, _ := f.store.TerminateRequested(t.Context(), id); !requested || by != "bob" {
		t.Errorf("terminate request = %v by %q; want requested by bob", requested, by)
	}

	if err := f.store.FinishSync(t.Context(), id, store.PhaseTerminated, "terminated by bob", nil); err != nil {
		t.Fatal(err)
	}
	if got := ask("bob", "/terminate payment-service-staging"); !strings.Contains(got, "no sync of `payment-service-staging` is running") {
		t.Errorf("/terminate with nothing running:\n%s", got)
	}
}

// TestTerminateDoesNotWaitBehindTheSyncItStops: while a /sync job of the
// pull request runs (leased by another replica), a /terminate on the same
// pull request still runs at once.
func TestTerminateDoesNotWaitBehindTheSyncItStops(t *testing.T) {
	f := newFixture(t, fixtureOptions{Author: "carol"})
	f.opened(http.StatusAccepted)
	f.run()
	id, err := f.store.BeginSync(t.Context(), store.SyncRecord{App: "payment-service-staging", Cluster: "staging",
		Project: "applications", Revision: f.ex.HeadSHA, Trigger: store.TriggerCommand, Initiator: "bob"})
	if err != nil {
		t.Fatal(err)
	}
	f.comment("bob", "/sync payment-service-staging")
	syncJob, err := f.store.Claim(t.Context(), "other-replica/0", time.Minute)
	if err != nil || syncJob == nil {
		t.Fatalf("claim the /sync job: %+v, %v", syncJob, err)
	}
	f.comment("bob", "/terminate payment-service-staging")
	if n := f.run(); n != 1 {
		t.Fatalf("jobs run while the /sync job is leased = %d; want the /terminate job", n)
	}
	if _, requested, _ := f.store.TerminateRequested(t.Context(), id); !requested {
		t.Error("the running sync was not asked to stop")
	}
}
