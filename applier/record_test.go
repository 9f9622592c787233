package applier

import (
	"errors"
	"testing"

	"github.com/gitwave/gitwave/applier/record"
	"github.com/gitwave/gitwave/store"
)

// *store.Store is the Recorder gitwave runs with.
var _ Recorder = (*store.Store)(nil)

// TestRecordWordsMatchStore checks that the phases and trigger applier
// records are the words the store's history knows, and that the store's
// missing record is the one the port promises, so that RemoveApp tells a
// never-deployed app from a failed read.
func TestRecordWordsMatchStore(t *testing.T) {
	for _, c := range []struct{ applier, store string }{
		{string(SyncRunning), store.PhaseRunning},
		{string(SyncSucceeded), store.PhaseSucceeded},
		{string(SyncFailed), store.PhaseFailed},
		{string(SyncTerminated), store.PhaseTerminated},
		{string(SyncError), store.PhaseError},
		{string(SyncRefused), store.PhaseRefused},
		{string(SyncDeleted), store.PhaseDeleted},
		{string(SyncOrphaned), store.PhaseOrphaned},
		{triggerRemoved, store.TriggerRemoved},
	} {
		if c.applier != c.store {
			t.Errorf("applier records %q where the store knows %q", c.applier, c.store)
		}
	}
	if !errors.Is(store.ErrNotFound, record.ErrNotFound) {
		t.Error("store.ErrNotFound is not record.ErrNotFound")
	}
}
