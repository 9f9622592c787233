package notify

import (
	"strings"
	"testing"

	"github.com/argoproj/notifications-engine/pkg/services"
)

func TestTestSendsNowWithoutTheLedger(t *testing.T) {
	api := newSlackAPI(t)
	ledger := &memLedger{sent: map[string]bool{}}
	e := testEngine(t, guideConfig(t, api.URL), ledger, nil, nil)
	st := paymentService(nil)
	st.LastSync.Result = "Succeeded"

	if _, err := e.Test(t.Context(), "on-sync-failed", st); err == nil || !strings.Contains(err.Error(), "not subscribed") {
		t.Fatalf("unsubscribed app: %v", err)
	}
	if _, err := e.Test(t.Context(), "on-nothing", st); err == nil || !strings.Contains(err.Error(), `"on-nothing" is not configured`) {
		t.Fatalf("unknown trigger: %v", err)
	}
	for range 2 {
		probes, err := e.Test(t.Context(), "on-sync-failed", st, services.Destination{Service: "slack", Recipient: "test-channel"})
		if err != nil || len(probes) != 1 || probes[0].Holds || probes[0].Err != nil ||
			!strings.HasPrefix(probes[0].Message, "Application *payment-service* sync Succeeded.") {
			t.Fatalf("probes = %+v, %v", probes, err)
		}
	}
	if n := len(api.requests()); n != 2 || len(ledger.sent) != 0 {
		t.Fatalf("Slack got %d messages, ledger holds %d keys; want 2 and none", n, len(ledger.sent))
	}
}
