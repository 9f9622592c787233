package store

import (
	"testing"
	"time"
)

func TestNotificationIsClaimedOnceUntilReleased(t *testing.T) {
	forEachDriver(t, func(t *testing.T, s *Store) {
		const scope, key, lease = "acme/gitops/payment-service@prod", "rev1:on-sync-failed:[0].x:slack:alerts", time.Minute
		for i, want := range []bool{true, false} {
			got, err := s.ClaimNotification(ctx(t), scope, key, lease)
			if err != nil || got != want {
				t.Fatalf("claim #%d = %v, %v; want %v", i+1, got, err, want)
			}
		}
		if got, err := s.ClaimNotification(ctx(t), "acme/gitops/payment-service@staging", key, lease); err != nil || !got {
			t.Fatalf("the same key for another cluster = %v, %v; want claimed", got, err)
		}
		if err := s.ReleaseNotification(ctx(t), scope, key); err != nil {
			t.Fatal(err)
		}
		if got, err := s.ClaimNotification(ctx(t), scope, key, lease); err != nil || !got {
			t.Fatalf("claim after release = %v, %v; want claimed", got, err)
		}
		if _, err := s.ClaimNotification(ctx(t), scope, "", lease); err == nil {
			t.Fatal("an empty key was accepted")
		}
	})
}

func TestUnconfirmedNotificationIsClaimedAgainAfterItsLease(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *testDB) {
		s := db.open(t)
		const scope, lease = "acme/gitops/payment-service@prod", time.Minute
		for _, key := range []string{"died-while-sending", "delivered"} {
			if got, err := s.ClaimNotification(ctx(t), scope, key, lease); err != nil || !got {
				t.Fatalf("claim %s = %v, %v", key, got, err)
			}
		}
		if err := s.ConfirmNotification(ctx(t), scope, "delivered"); err != nil {
			t.Fatal(err)
		}
		db.clock.Advance(2 * lease)
		if got, _ := s.ClaimNotification(ctx(t), scope, "died-while-sending", lease); !got {
			t.Error("a claim never confirmed and older than its lease was not claimed again")
		}
		if got, _ := s.ClaimNotification(ctx(t), scope, "delivered", lease); got {
			t.Error("a delivered notification was claimed again")
		}
	})
}
