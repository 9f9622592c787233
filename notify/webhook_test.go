package notify

import (
	"bytes"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

const hookPassword = "hunter2-webhook-basic-auth"

// webhookConfig is a ConfigMap with service.webhook.deploys at url, a
// template that sets method, path and body, and a trigger sending it.
func webhookConfig(t *testing.T, url string) *Config {
	t.Helper()
	cm := `
apiVersion: v1
kind: ConfigMap
metadata: {name: argocd-notifications-cm}
data:
  service.webhook.deploys: |
    url: ` + url + `/hooks
    headers:
    - name: X-Team
      value: payments
    basicAuth:
      username: gitwave
      password: $hook-password
  template.deploy-record: |
    message: unused by webhooks with a body
    webhook:
      deploys:
        method: POST
        path: /{{.app.metadata.name}}/{{.app.spec.destination.name}}
        body: |
          {"app": "{{.app.metadata.name}}", "phase": "{{.app.status.operationState.phase}}", "revision": "{{.app.status.operationState.syncResult.revision}}", "server": "{{.app.spec.destination.server}}"}
  trigger.on-sync-failed: |
    - when: app.status.operationState.phase in ['Error', 'Failed']
      send: [deploy-record]
`
	cfg, err := ParseConfig([]byte(cm), Secrets{"hook-password": hookPassword})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestWebhookSendsMethodPathBodyAndRetries5xx(t *testing.T) {
	hook := newFakeHTTP(t, "", 500, 502)
	reg := prometheus.NewRegistry()
	e := testEngine(t, webhookConfig(t, hook.URL), openStore(t), reg, nil)
	e.Observe(t.Context(), AppState{}, paymentService(subscribe("on-sync-failed.deploys", "")))
	drain(t, e)

	reqs := hook.requests()
	if len(reqs) != 3 {
		t.Fatalf("webhook got %d requests; want 3 (two 5xx answers retried, then 200)", len(reqs))
	}
	r := reqs[2]
	if r.Method != "POST" || r.Path != "/hooks/payment-service/production-apne2" {
		t.Errorf("request = %s %s; want POST /hooks/payment-service/production-apne2", r.Method, r.Path)
	}
	want := `{"app": "payment-service", "phase": "Failed", "revision": "4f2c9e1", "server": "https://kubernetes.production-apne2.internal:6443"}`
	if strings.TrimSpace(r.Body) != want {
		t.Errorf("body = %s\nwant %s", r.Body, want)
	}
	if user, pass, ok := basicAuth(r); !ok || user != "gitwave" || pass != hookPassword || r.Header.Get("X-Team") != "payments" {
		t.Errorf("basic auth %q/%q, X-Team %q; want gitwave, the $hook-password and payments", user, pass, r.Header.Get("X-Team"))
	}
	if got := testutil.ToFloat64(e.metrics.total.WithLabelValues("deploys", "sent")); got != 1 {
		t.Errorf(`gitwave_notifications_total{service="deploys",result="sent"} = %v; want 1`, got)
	}
	if got := testutil.ToFloat64(e.metrics.total.WithLabelValues("deploys", "retried")); got != 2 {
		t.Errorf(`gitwave_notifications_total{service="deploys",result="retried"} = %v; want 2`, got)
	}
}

func TestWebhook4xxIsNotRetriedAndIsSentAgainLater(t *testing.T) {
	hook := newFakeHTTP(t, "", 404)
	ledger := openStore(t)
	e := testEngine(t, webhookConfig(t, hook.URL), ledger, nil, nil)
	st := paymentService(subscribe("on-sync-failed.deploys", ""))
	e.Observe(t.Context(), AppState{}, st)
	drain(t, e)
	if n := len(hook.requests()); n != 1 {
		t.Fatalf("a 404 was tried %d times; want once", n)
	}
	if got := testutil.ToFloat64(e.metrics.total.WithLabelValues("deploys", "failed")); got != 1 {
		t.Errorf("failed = %v; want 1", got)
	}
	e.Observe(t.Context(), st, st)
	drain(t, e)
	if n := len(hook.requests()); n != 2 {
		t.Fatalf("after a failed delivery the next pass sent %d requests in all; want 2 (the claim is released, as Argo CD does)", n)
	}
}

func TestSecretsNeverAppearInLogsOrErrors(t *testing.T) {
	api := newSlackAPI(t, 500, 500, 500, 500)
	hook := newFakeHTTP(t, "", 503, 503, 503, 503)
	cfg := guideConfig(t, api.URL)
	wh := webhookConfig(t, hook.URL)
	cfg.Services["deploys"] = wh.Services["deploys"]
	cfg.redact = newRedactor(Secrets{"slack-token": slackToken, "hook-password": hookPassword})
	// A secret in the URL of a receiver that is down: the transport error
	// quotes the URL.
	cfg.Services["down"] = wh.Services["deploys"]
	down := newFakeHTTP(t, "")
	down.Close()
	pointAt(t, cfg, "down", "url", down.URL+"/hooks?key="+hookPassword)
	var logs bytes.Buffer
	e := testEngine(t, cfg, openStore(t), nil, &logs)
	e.Observe(t.Context(), AppState{}, paymentService(subscribe("on-sync-failed.slack", "deploy-alerts", "on-sync-failed.deploys", "", "on-sync-failed.down", "")))
	drain(t, e)

	if len(api.requests()) != 4 || len(hook.requests()) != 4 {
		t.Fatalf("slack got %d, webhook %d requests; want 4 attempts each", len(api.requests()), len(hook.requests()))
	}
	out := logs.String()
	if !strings.Contains(out, "notification failed") || !strings.Contains(out, "HTTP 503") || !strings.Contains(out, "key=***") {
		t.Fatalf("the failures were not logged:\n%s", out)
	}
	for _, secret := range []string{slackToken, hookPassword} {
		if strings.Contains(out, secret) {
			t.Errorf("a secret value is in the log:\n%s", out)
		}
	}
}

func TestRedactorHidesSecretsInErrors(t *testing.T) {
	r := newRedactor(Secrets{"slack-token": slackToken, "short": "ab"})
	err := r.err(retryable(errorString("post https://hooks.example/?t=" + slackToken + ": connection reset")))
	if strings.Contains(err.Error(), slackToken) || !strings.Contains(err.Error(), "?t=***") {
		t.Errorf("redacted error = %q", err)
	}
	if !isRetryable(err) {
		t.Error("redaction lost whether the error is retryable")
	}
}

type errorString string

func (e errorString) Error() string { return string(e) }
