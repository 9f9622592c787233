package notify

import (
	"bytes"
	"context"
	"log/slog"
	"testing"
	"time"
)

// diedWhileSending is a ledger whose process dies after claiming: nothing
// is confirmed or released.
type diedWhileSending struct{ Ledger }

func (diedWhileSending) ConfirmNotification(context.Context, string, string) error { return nil }
func (diedWhileSending) ReleaseNotification(context.Context, string, string) error { return nil }

func TestAClaimWhoseSenderDiedIsSentAfterItsLease(t *testing.T) {
	api := newSlackAPI(t)
	cfg := guideConfig(t, api.URL)
	ledger := openStore(t)
	st := paymentService(subscribe("on-sync-failed.slack", "deploy-alerts"))

	down := newSlackAPI(t)
	down.Close()
	dead := guideConfig(t, down.URL)
	e1 := testEngine(t, dead, diedWhileSending{ledger}, nil, nil)
	e1.Observe(t.Context(), AppState{}, st)
	drain(t, e1)

	e2 := testEngine(t, cfg, ledger, nil, nil) // the default lease: still claimed
	e2.Observe(t.Context(), AppState{}, st)
	drain(t, e2)
	if n := len(api.requests()); n != 0 {
		t.Fatalf("a claim within its lease was sent again: %d messages", n)
	}

	e3, err := New(cfg, Options{Ledger: ledger, ClaimLease: time.Millisecond, Logger: slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e3.Close)
	time.Sleep(5 * time.Millisecond)
	for range 2 {
		e3.Observe(t.Context(), AppState{}, st)
		drain(t, e3)
		time.Sleep(5 * time.Millisecond)
	}
	if n := len(api.requests()); n != 1 {
		t.Fatalf("after the lease: %d messages; want 1 (sent once, then confirmed)", n)
	}
}
