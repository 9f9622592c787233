package notify

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gitwave/gitwave/store"
	"github.com/prometheus/client_golang/prometheus"
	"sigs.k8s.io/yaml"
)

const slackToken = "xoxb-1111-2222-guide-secret-token"

// recorded is one request a test double received.
type recorded struct {
	Method, Path, Body string
	Header             http.Header
}

// fakeHTTP records requests and answers with the next status of statuses
// (200 once they run out) and body.
type fakeHTTP struct {
	*httptest.Server
	mu       sync.Mutex
	reqs     []recorded
	statuses []int
	body     string
}

func newFakeHTTP(t testing.TB, body string, statuses ...int) *fakeHTTP {
	f := &fakeHTTP{statuses: statuses, body: body}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.reqs = append(f.reqs, recorded{Method: r.Method, Path: r.URL.Path, Body: string(b), Header: r.Header.Clone()})
		status := http.StatusOK
		if len(f.statuses) > 0 {
			status, f.statuses = f.statuses[0], f.statuses[1:]
		}
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, f.body)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeHTTP) requests() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recorded(nil), f.reqs...)
}

// newSlackAPI is a Slack Web API double answering chat.postMessage as Slack
// documents it.
func newSlackAPI(t testing.TB, statuses ...int) *fakeHTTP {
	return newFakeHTTP(t, `{"ok":true,"channel":"C0DEPLOY","ts":"1700000000.000100","message":{"text":"x"}}`, statuses...)
}

// guideSecret writes the argocd-notifications-secret the guide's
// $slack-token refers to.
func guideSecret(t *testing.T) Secrets {
	t.Helper()
	p := filepath.Join(t.TempDir(), "secret.yaml")
	manifest := "apiVersion: v1\nkind: Secret\nmetadata: {name: argocd-notifications-secret}\ndata:\n  slack-token: " +
		base64.StdEncoding.EncodeToString([]byte(slackToken)) + "\n"
	if err := os.WriteFile(p, []byte(manifest), 0o600); err != nil {
		t.Fatal(err)
	}
	sec, err := LoadSecrets(p)
	if err != nil {
		t.Fatal(err)
	}
	return sec
}

// guideConfig is the guide's ConfigMap, unchanged, with the Slack API URL
// pointed at api (the one thing a test must change, set after parsing).
func guideConfig(t *testing.T, api string) *Config {
	t.Helper()
	cm, err := os.ReadFile("testdata/argocd-notifications-cm.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := ParseConfig(cm, guideSecret(t))
	if err != nil {
		t.Fatal(err)
	}
	pointAt(t, cfg, "slack", "apiURL", api+"/api/")
	return cfg
}

// pointAt sets one option of a parsed service.
func pointAt(t testing.TB, cfg *Config, service, key, value string) {
	t.Helper()
	sc := cfg.Services[service]
	var opts map[string]any
	if err := yaml.Unmarshal(sc.Options, &opts); err != nil {
		t.Fatal(err)
	}
	opts[key] = value
	sc.Options, _ = json.Marshal(opts)
	cfg.Services[service] = sc
}

func openStore(t *testing.T) *store.Store {
	t.Helper()
	s, err := store.Open(t.Context(), store.Options{DSN: filepath.Join(t.TempDir(), "gitwave.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// testEngine starts an Engine with fast retries whose logs go to logs.
func testEngine(t *testing.T, cfg *Config, ledger Ledger, reg *prometheus.Registry, logs *bytes.Buffer) *Engine {
	t.Helper()
	if logs == nil {
		logs = &bytes.Buffer{}
	}
	opts := Options{Ledger: ledger, Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		StatusURL: "https://gitwave.example/status", Backoff: 5 * time.Millisecond, Timeout: 2 * time.Second}
	if reg != nil {
		opts.Registerer = reg
	}
	e, err := New(cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	return e
}

func drain(t *testing.T, e *Engine) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := e.Drain(ctx); err != nil {
		t.Fatal(err)
	}
}

// paymentService is the guide's app on the production cluster, subscribed
// as the guide's users subscribe it.
func paymentService(annotations map[string]any) AppState {
	t0 := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	return AppState{
		Repo: "acme/k8s-gitops", App: "payment-service", Cluster: "production-apne2",
		Server: "https://kubernetes.production-apne2.internal:6443", Project: "payments",
		Sync: "OutOfSync", Health: "Healthy", DesiredRevision: "4f2c9e1", DeployedRevision: "1a2b3c4",
		LastSync: &SyncRun{Result: "Failed", StartedAt: t0, FinishedAt: t0.Add(40 * time.Second),
			Message: "PreSync hook db-migrate failed"},
		Metadata: map[string]any{"name": "payment-service", "namespace": "argocd",
			"labels": map[string]any{"team": "payments"}, "annotations": annotations},
		Spec: map[string]any{"project": "payments", "source": map[string]any{
			"repoURL": "https://github.com/acme/k8s-gitops.git", "path": "apps/payment-service", "targetRevision": "main"},
			"destination": map[string]any{"namespace": "payment"}},
	}
}

func subscribe(pairs ...string) map[string]any {
	out := map[string]any{}
	for i := 0; i+1 < len(pairs); i += 2 {
		out["notifications.argoproj.io/subscribe."+pairs[i]] = pairs[i+1]
	}
	return out
}

// basicAuth reads the basic credentials of a recorded request.
func basicAuth(r recorded) (string, string, bool) {
	req := &http.Request{Header: r.Header}
	return req.BasicAuth()
}

// slowHandler holds every request until block is closed.
func slowHandler(h http.Handler, block <-chan struct{}) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-block
		h.ServeHTTP(w, r)
	})
}

func mustRead(tb testing.TB, p string) []byte {
	tb.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}
