package bot_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestReadyzFollowsTheStore: /readyz answers 200 while the store answers
// and 503 once it cannot, while /healthz stays 200, so that Kubernetes
// stops sending webhooks to a replica without a database but does not
// restart it.
func TestReadyzFollowsTheStore(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	get := func(path string) (int, string) {
		r, _ := http.NewRequest(http.MethodGet, path, nil)
		rec := f.deliver(r)
		return rec.Code, rec.Body.String()
	}
	if code, body := get("/readyz"); code != http.StatusOK || strings.TrimSpace(body) != "ok" {
		t.Fatalf("GET /readyz with a working store = %d %q, want 200 ok", code, body)
	}
	if err := f.store.Close(); err != nil {
		t.Fatal(err)
	}
	if code, body := get("/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "store unreachable") {
		t.Errorf("GET /readyz with a closed store = %d %q, want 503 store unreachable", code, body)
	}
	if code, _ := get("/healthz"); code != http.StatusOK {
		t.Errorf("GET /healthz with a closed store = %d, want 200", code)
	}
}
