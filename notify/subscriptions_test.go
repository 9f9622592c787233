package notify

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

func slackConfig(t *testing.T, api, cm string) *Config {
	t.Helper()
	cfg, err := ParseConfig([]byte("service.slack: |\n  token: $slack-token\n"+cm), Secrets{"slack-token": slackToken})
	if err != nil {
		t.Fatal(err)
	}
	pointAt(t, cfg, "slack", "apiURL", api+"/api/")
	return cfg
}

func TestOncePerSendsOncePerValue(t *testing.T) {
	api := newSlackAPI(t)
	e := testEngine(t, slackConfig(t, api.URL, `
trigger.on-out-of-sync: |
  - when: app.status.sync.status == 'OutOfSync'
    oncePer: app.status.sync.revision
    send: [drift]
template.drift: |
  message: "{{.app.metadata.name}} drifted at {{.app.status.sync.revision}}"
`), openStore(t), nil, nil)
	st := paymentService(subscribe("on-out-of-sync.slack", "drift"))
	synced := st
	synced.Sync = "Synced"
	for _, s := range []AppState{st, st, synced, st} { // the same revision drifts, heals, drifts again
		e.Observe(t.Context(), AppState{}, s)
	}
	drain(t, e)
	if n := len(api.requests()); n != 1 {
		t.Fatalf("one revision sent %d messages; want 1 (oncePer keeps it sent)", n)
	}
	next := st
	next.DesiredRevision = "9e8d7c6"
	e.Observe(t.Context(), st, next)
	drain(t, e)
	if n := len(api.requests()); n != 2 {
		t.Fatalf("a new revision: %d messages in all; want 2", n)
	}
}

func TestDefaultTriggersAndDefaultSubscriptions(t *testing.T) {
	api := newSlackAPI(t)
	e := testEngine(t, slackConfig(t, api.URL, `
defaultTriggers: |
  - on-sync-failed
defaultTriggers.slack: |
  - on-sync-failed
  - on-sync-running
subscriptions: |
  - recipients: [slack:payments-oncall]
    selector: team=payments
    triggers: [on-sync-failed]
  - recipients: [slack:orders-oncall]
    selector: team=orders
`), openStore(t), nil, nil)
	e.Observe(t.Context(), AppState{}, paymentService(subscribe("slack", "team-channel")))
	drain(t, e)
	got := map[string]bool{}
	for _, r := range api.requests() {
		form, _ := postMessage(t, r)
		got[form.Get("channel")] = true
	}
	if len(got) != 2 || !got["team-channel"] || !got["payments-oncall"] {
		t.Fatalf("channels = %v; want team-channel (subscribe.slack with the slack default triggers) and payments-oncall (selected by label)", got)
	}
}

func TestObserveNeverWaitsForAService(t *testing.T) {
	api := newSlackAPI(t)
	block := make(chan struct{})
	slow := api.Config.Handler
	api.Config.Handler = slowHandler(slow, block)
	t.Cleanup(func() { close(block) })
	cfg := guideConfig(t, api.URL)
	e, err := New(cfg, Options{Ledger: openStore(t), Workers: 1, QueueSize: 1, Timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	start := time.Now()
	for _, app := range []string{"a", "b", "c", "d"} {
		st := paymentService(subscribe("on-sync-failed.slack", "deploy-alerts"))
		st.App = app
		st.Metadata = map[string]any{"name": app, "annotations": st.Metadata["annotations"]}
		e.Observe(t.Context(), AppState{}, st)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("Observe waited %s for a service that does not answer", d)
	}
	if got := testutil.ToFloat64(e.metrics.total.WithLabelValues("slack", "dropped")); got < 1 {
		t.Errorf("dropped = %v; want the notifications beyond the queue counted", got)
	}
}
