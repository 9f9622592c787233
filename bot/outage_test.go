package bot_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/gitwave/gitwave/store"
)

// TestLoopRidesOutARepositoryOutage: while the repository cannot be
// fetched, a pass keeps the last head it read and marks every app Unknown
// with "repository unreachable since"; once it can be fetched again, the
// next pass says so by itself.
func TestLoopRidesOutARepositoryOutage(t *testing.T) {
	f := newFixture(t, fixtureOptions{Author: "carol"})
	ctx := context.Background()
	if err := f.bot.ReconcileOnce(ctx); err != nil {
		t.Fatal(err)
	}
	before, err := f.store.AppStatuses(ctx, store.AppStatusFilter{Repo: exampleRepo})
	if err != nil || len(before) == 0 {
		t.Fatalf("statuses after the first pass: %d, %v; want every app", len(before), err)
	}
	if strings.Contains(before[0].UnknownReason, "repository unreachable") || before[0].DesiredRevision != f.ex.BaseSHA {
		t.Fatalf("first pass: %+v; want the base, no outage", before[0])
	}
	hidden := f.ex.Dir + ".away"
	if err := os.Rename(f.ex.Dir, hidden); err != nil {
		t.Fatal(err)
	}
	if err := f.bot.ReconcileOnce(ctx); err != nil {
		t.Fatal(err)
	}
	during, _ := f.store.AppStatuses(ctx, store.AppStatusFilter{Repo: exampleRepo})
	if len(during) != len(before) {
		t.Fatalf("%d statuses during the outage, %d before; want the same apps kept", len(during), len(before))
	}
	for _, st := range during {
		if st.Sync != store.SyncUnknown || !strings.HasPrefix(st.UnknownReason, "repository unreachable since ") || st.DesiredRevision != f.ex.BaseSHA {
			t.Errorf("%s@%s during the outage: %s %q at %s; want Unknown, repository unreachable, the last head", st.App, st.Cluster, st.Sync, st.UnknownReason, st.DesiredRevision)
		}
	}
	if err := os.Rename(hidden, f.ex.Dir); err != nil {
		t.Fatal(err)
	}
	if err := f.bot.ReconcileOnce(ctx); err != nil {
		t.Fatal(err)
	}
	after, _ := f.store.AppStatuses(ctx, store.AppStatusFilter{Repo: exampleRepo})
	for _, st := range after {
		if strings.Contains(st.UnknownReason, "repository unreachable") {
			t.Errorf("%s@%s after the outage: %q; want it recovered", st.App, st.Cluster, st.UnknownReason)
		}
	}
}
