package bot_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gitwave/gitwave/store"
)

// TestStatusCommand: /status answers with the loop's statuses of the
// repository's apps as a markdown table, one app with /status APP, and
// escapes what the statuses carry.
func TestStatusCommand(t *testing.T) {
	f := newFixture(t, fixtureOptions{Author: "carol"})
	f.opened(http.StatusAccepted)
	f.run()
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, st := range []store.AppStatus{
		{Repo: exampleRepo, App: "payment-service-staging", Cluster: "staging", Project: "applications", Sync: store.SyncOutOfSync,
			Health: "Degraded", DesiredRevision: "2222222222222222", DeployedRevision: "1111111111111111", Attempts: 1,
			NextRetry: at.Add(20 * time.Second), LastSync: store.LastSync{Result: store.PhaseFailed, FinishedAt: at, Message: "hook | `failed`"}},
		{Repo: exampleRepo, App: "redis-staging", Cluster: "staging", Project: "platform", Sync: store.SyncUnknown, Health: "Unknown",
			UnknownReason: "cluster staging unreachable"},
		{Repo: "acme/other", App: "elsewhere", Cluster: "staging", Sync: store.SyncSynced, Health: "Healthy"},
	} {
		if err := f.store.SaveAppStatus(context.Background(), st); err != nil {
			t.Fatal(err)
		}
	}
	f.comment("bob", "/status")
	f.run()
	got := f.lastReply()
	for _, w := range []string{"status of apps:", "| App | Cluster | Sync | Health | Desired | Deployed | Last sync | Next retry | Message |",
		"| `payment-service-staging` | `staging` | OutOfSync | Degraded | `222222222222` | `111111111111` | Failed 2026-03-01T12:00:00Z | 2026-03-01T12:00:20Z (attempt 2) |",
		"| `redis-staging` | `staging` | Unknown | Unknown | - | - | - | - | `cluster staging unreachable` |"} {
		if !strings.Contains(got, w) {
			t.Errorf("/status answer lacks %q:\n%s", w, got)
		}
	}
	if strings.Contains(got, "elsewhere") || strings.Contains(got, "hook | `failed`") {
		t.Errorf("/status shows another repository's app or an unescaped message:\n%s", got)
	}
	f.comment("bob", "/status redis-staging")
	f.run()
	if got := f.lastReply(); !strings.Contains(got, "status of `redis-staging`") || strings.Contains(got, "payment-service-staging") {
		t.Errorf("/status redis-staging:\n%s", got)
	}
}
