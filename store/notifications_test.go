package store

import "testing"

func TestNotificationIsClaimedOnceUntilReleased(t *testing.T) {
	forEachDriver(t, func(t *testing.T, s *Store) {
		const scope, key = "acme/gitops/payment-service/prod", "rev1:on-sync-failed:[0].x:slack:alerts"
		for i, want := range []bool{true, false} {
			got, err := s.ClaimNotification(ctx(t), scope, key)
			if err != nil || got != want {
				t.Fatalf("claim #%d = %v, %v; want %v", i+1, got, err, want)
			}
		}
		if got, err := s.ClaimNotification(ctx(t), "acme/gitops/payment-service/staging", key); err != nil || !got {
			t.Fatalf("the same key for another cluster = %v, %v; want claimed", got, err)
		}
		if err := s.ReleaseNotification(ctx(t), scope, key); err != nil {
			t.Fatal(err)
		}
		if got, err := s.ClaimNotification(ctx(t), scope, key); err != nil || !got {
			t.Fatalf("claim after release = %v, %v; want claimed", got, err)
		}
		if _, err := s.ClaimNotification(ctx(t), scope, ""); err == nil {
			t.Fatal("an empty key was accepted")
		}
	})
}
