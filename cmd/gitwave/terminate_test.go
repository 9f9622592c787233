package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gitwave/gitwave/store"
)

// TestTerminateAsksTheRunningSyncAndWaitsForIt: `gitwave terminate` records
// the request in the store; the process running the sync (here a goroutine
// polling the store as the applier does) stops it, and the command reports
// how it ended.
func TestTerminateAsksTheRunningSyncAndWaitsForIt(t *testing.T) {
	dir := t.TempDir()
	st, err := store.Open(t.Context(), store.Options{DSN: filepath.Join(dir, "gitwave.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	id, err := st.BeginSync(t.Context(), store.SyncRecord{App: "web", Cluster: "prod", Revision: "abc", Trigger: store.TriggerMerge, Initiator: "bob"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	go func() {
		for ctx.Err() == nil {
			if by, ok, _ := st.TerminateRequested(ctx, id); ok {
				_ = st.FinishSync(ctx, id, store.PhaseTerminated, "terminated by "+by, nil)
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	}()
	out, errOut, code := run(t, "terminate", "web", "--cluster", "prod", "--data-dir", dir, "--wait", "15s")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"asked sync 1 of web on prod", "by bob", "Terminated: terminated by"} {
		if !strings.Contains(out, want) {
			t.Errorf("output does not say %q:\n%s", want, out)
		}
	}
}

// TestTerminateWithNothingRunning exits 1 and says so.
func TestTerminateWithNothingRunning(t *testing.T) {
	_, errOut, code := run(t, "terminate", "web", "--data-dir", t.TempDir())
	if code != 1 || !strings.Contains(errOut, "no sync of app web is running") {
		t.Errorf("exit %d, stderr %q; want 1 and no sync running", code, errOut)
	}
}
