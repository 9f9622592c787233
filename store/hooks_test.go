package store

import (
	"slices"
	"testing"
)

// TestSucceededHooksFollowTheRunningAttempt: another replica resuming a
// sync reads the hooks its stopped worker ran to success; a retry's
// ClearHooks forgets them, a finished sync records no more, and other
// syncs keep their own.
func TestSucceededHooksFollowTheRunningAttempt(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *testDB) {
		s, other := db.open(t), db.open(t)
		id, web2 := begin(t, s, "web", "prod", "r1"), begin(t, s, "web", "staging", "r1")
		for _, h := range []string{"PreSync -1 batch/Job/web/migrate", "PreSync 0 /ConfigMap/web/seed"} {
			if err := s.HookSucceeded(ctx(t), id, h); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.HookSucceeded(ctx(t), web2, "Sync 0 batch/Job/web/other"); err != nil {
			t.Fatal(err)
		}
		got, err := other.SucceededHooks(ctx(t), id)
		if want := []string{"PreSync -1 batch/Job/web/migrate", "PreSync 0 /ConfigMap/web/seed"}; err != nil || !slices.Equal(got, want) {
			t.Fatalf("SucceededHooks = %q, %v; want %q", got, err, want)
		}
		if err := s.HookSucceeded(ctx(t), id, "two\nlines"); err == nil {
			t.Error("a hook name with a newline was recorded")
		}
		if err := other.ClearHooks(ctx(t), id); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.SucceededHooks(ctx(t), id); len(got) != 0 {
			t.Errorf("after ClearHooks: %q; want none", got)
		}
		finish(t, s, id, PhaseFailed)
		if err := s.HookSucceeded(ctx(t), id, "PostSync 0 batch/Job/web/late"); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.SucceededHooks(ctx(t), id); len(got) != 0 {
			t.Errorf("a finished sync recorded %q", got)
		}
		if got, _ := s.SucceededHooks(ctx(t), web2); !slices.Equal(got, []string{"Sync 0 batch/Job/web/other"}) {
			t.Errorf("the other sync's hooks = %q", got)
		}
	})
}
